"""Gravitational-wave detector data: detectors, noise, PSDs, injections, filters, whitening, time–frequency maps.

- :mod:`mmlab.gw.detectors`: geometry, antenna patterns, delays, random sky positions;
- :mod:`mmlab.gw.psd`: design sensitivities and Welch estimates;
- :mod:`mmlab.gw.noise`: coloured Gaussian noise, in one piece or as a stream;
- :mod:`mmlab.gw.inject`: projection, optimal SNR, injections;
- :mod:`mmlab.gw.filters`: zero-phase band-pass and notches;
- :mod:`mmlab.gw.whiten`: spectral and AR whitening (:func:`whiten_chunk`, explicit :class:`WhiteningState`);
- :mod:`mmlab.gw.timefreq`: spectrograms and images for networks;
- :mod:`mmlab.gw.coincidence`: arrival-time differences between detectors.
"""

from mmlab.gw.whiten import ARModel, ARWhitener, WhiteningState, fit_ar_model, spectral_whiten, whiten_chunk

__all__ = ["ARModel", "ARWhitener", "WhiteningState", "fit_ar_model", "spectral_whiten", "whiten_chunk"]
