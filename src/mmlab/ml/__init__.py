"""Machine learning shared by the studies: Keras model factories, training, evaluation, the model registry.

- :mod:`mmlab.ml.models`: ``build_*`` factories returning compiled ``keras.Model`` s;
- :mod:`mmlab.ml.training`: fitting with early stopping, prediction (and MC dropout);
- :mod:`mmlab.ml.evaluation`: scikit-learn metrics, ROC, accuracy by SNR;
- :mod:`mmlab.ml.calibration`: temperature scaling and thresholds at a fixed false-positive rate;
- :mod:`mmlab.ml.registry`: saved and shipped models with their cards.

Nothing here imports Keras until a model is built or loaded.
"""

__all__: list[str] = []
