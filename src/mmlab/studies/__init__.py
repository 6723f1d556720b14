"""The studies, one slice per notebook: each builds its data from the layers below and has its own plots and widgets.

- :mod:`mmlab.studies.ccsn`: core-collapse supernovae against glitches on WDF triggers (notebook 03);
- :mod:`mmlab.studies.anomaly`: a convolutional autoencoder against excess power (notebook 04);
- :mod:`mmlab.studies.multimodal`: GW + GRB afterglow redshift regression (notebook 05).
"""

__all__: list[str] = []
