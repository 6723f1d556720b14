"""The matched-filter baseline: the optimal detector in Gaussian noise, on the same whitened samples.

A small bank of TaylorF2 templates (the last ``duration`` s before merger, whitened with the same design PSD
and normalised) is correlated with each whitened sample over every merger time, both phases at once (the
template and its Hilbert transform), as PyCBC's ``matched_filter`` does in the frequency domain. The statistic
is the largest SNR over templates and times. Written here because PyCBC is not a dependency of the lab; the
tests check it against :func:`mmlab.gw.inject.optimal_snr` on noise-free signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmlab.gw.whiten import inverse_asd_filter
from mmlab.studies.representation.datasets import BNSConfig

__all__ = ["TemplateBank", "matched_filter_snr", "template_bank"]


@dataclass(frozen=True)
class TemplateBank:
    """Whitened, unit-norm complex templates, merger at their last sample.

    Attributes
    ----------
    templates : numpy.ndarray
        ``(n_templates, samples)`` complex: template + i Hilbert(template), ``Σ |real|² = 1``.
    chirp_mass : numpy.ndarray
        Detector-frame chirp mass of each, M☉.
    config : BNSConfig
    """

    templates: np.ndarray
    chirp_mass: np.ndarray
    config: BNSConfig


def template_bank(config: BNSConfig = BNSConfig(), n_templates: int = 128) -> TemplateBank:
    """Equal-mass templates whose chirp masses are spaced geometrically across ``config.mass_range``.

    The last seconds of a BNS inspiral depend on the masses mostly through the chirp mass, so one row of
    equal-mass templates covers unequal binaries of the same chirp mass with little loss. The bank must be
    dense: measured on 100 signals at 2 s and 2048 Hz, the median recovered SNR over the injected one is 0.79
    with 24 templates, 0.97 with 96 and 1.02 with 384 (noise adds to it).
    """
    from scipy.signal import hilbert

    from mmlab.signals.cbc import compact_binary

    if int(n_templates) < 1:
        raise ValueError(f"n_templates must be a positive integer, got {n_templates!r}")
    low, high = config.mass_range
    chirp = np.geomspace(low * 2 ** -0.2, high * 2 ** -0.2, int(n_templates))  # equal masses m: Mc = m 2^-1/5
    window, rate = config.samples, config.sample_rate
    length = window + 2 * int(round(config.pad * rate))
    response = inverse_asd_filter(config.psd, length, rate)
    templates = np.empty((chirp.size, window), complex)
    for k, mass in enumerate(chirp * 2 ** 0.2):
        waveform = compact_binary(float(mass), float(mass), 100.0, approximant="TaylorF2", f_lower=config.f_lower,
                                  sample_rate=rate, source_frame=False)
        merger = int(round(-waveform.start * rate))  # index of the merger (time 0)
        series = np.zeros(length)
        tail = waveform.hplus[max(0, merger + 1 - (length - 1)):merger + 1]
        series[length - tail.size:] = tail
        white = np.fft.irfft(np.fft.rfft(series) * response, n=length)[-window:]
        analytic = hilbert(white)
        templates[k] = analytic / np.sqrt(np.sum(white**2))
    return TemplateBank(templates, chirp, config)


def matched_filter_snr(whitened: np.ndarray, bank: TemplateBank, batch: int = 8) -> np.ndarray:
    """Largest matched-filter SNR of each whitened sample over the bank's templates and merger times.

    Parameters
    ----------
    whitened : numpy.ndarray
        ``(n, samples)`` unit-variance whitened strain (:class:`BNSSamples` ``whitened``).
    bank : TemplateBank
    batch : int
        Samples filtered at once (memory).

    Returns
    -------
    numpy.ndarray
        ``(n,)``, over merger times in the window's ``merger_range`` (the prior the samples were drawn
        from, which the networks learn too); in noise alone each template and time gives ``|z|²`` χ²₂.
    """
    whitened = np.atleast_2d(np.asarray(whitened, dtype=float))
    window = bank.templates.shape[1]
    if whitened.shape[1] != window:
        raise ValueError(f"samples have {whitened.shape[1]} points, the bank's templates {window}")
    size = 2 * window  # zero-padded: a template ending anywhere in the window fits
    from scipy import fft

    kernels = np.conj(fft.fft(bank.templates, n=size, axis=-1)).astype(np.complex64)
    # A merger at sample m: the template is shifted by m - (window - 1) (circular index below), and only its
    # last m + 1 samples overlap the data, so the correlation is divided by their norm (noise |z|² stays χ²₂).
    low, high = bank.config.merger_range
    mergers = np.arange(int(np.floor(low * (window - 1))), int(np.ceil(high * (window - 1))) + 1)
    lags = (mergers - (window - 1)) % size
    tail_norm = np.sqrt(np.cumsum(bank.templates.real[:, ::-1] ** 2, axis=-1))[:, mergers]
    out = np.empty(len(whitened))
    for first in range(0, len(whitened), batch):
        data = fft.fft(whitened[first:first + batch].astype(np.float32), n=size, axis=-1)
        z = fft.ifft(data[:, None, :] * kernels[None], axis=-1, workers=-1)[..., lags]
        out[first:first + batch] = (np.abs(z) / tail_norm[None]).max(axis=(1, 2))
    return out
