"""The notebooks' exercises: what each asks, and the hidden check of a participant's answer.

Each study notebook ends with two or three exercises. A participant writes an answer into ``answer_1`` (and so
on); a hidden cell calls :func:`check_answer`, which compares it with a reference computed here by a route
independent of the notebook's (LALSuite's detector geometry, scipy's Welch estimate, astropy's cosmology,
lenstronomy's lens equations, scikit-learn's metrics, an analytic formula), and prints one line: not answered
yet, right, or wrong with a hint. A collapsed solution cell follows, which computes the answer with mmlab and
calls ``check_answer(..., solution=True)``: that raises where solution and reference disagree, so the headless
runs of the notebooks (``mmlab run``, the test suite) test every exercise.

Written here rather than with nbgrader or otter-grader: those grade submitted notebooks in a course
workflow (a server, an assignment database); a workshop participant needs an immediate, offline answer
inside the notebook, and the references need the notebook's own data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["EXERCISES", "Exercise", "check_answer"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: the reference answer and how close an answer must come.

    Attributes
    ----------
    title : str
        A few words naming it, for the messages.
    unit : str
        The unit of the answer, for the messages ("" for a number without one).
    reference : callable
        ``reference(**context) -> float or tuple of floats``: the right answer from the notebook's data.
    rtol, atol : float
        An answer ``a`` is right where ``|a − reference| ≤ atol + rtol |reference|`` (each element).
    hint : str
        Printed with a wrong answer.
    """

    title: str
    unit: str
    reference: Callable[..., object]
    rtol: float
    atol: float
    hint: str


def _lal_detector(name: str):
    import lal

    index = {"H1": lal.LHO_4K_DETECTOR, "L1": lal.LLO_4K_DETECTOR, "V1": lal.VIRGO_DETECTOR}[name]
    return lal.CachedDetectors[index]


def _light_travel_ms(first: str, second: str) -> float:
    """From LALSuite's vertex positions (metres) and its speed of light."""
    import lal

    separation = np.asarray(_lal_detector(first).location) - np.asarray(_lal_detector(second).location)
    return float(np.linalg.norm(separation) / lal.C_SI * 1e3)


def _welch_asd(strain, frequency: float) -> float:
    """scipy's median-averaged Welch estimate with 4 s Hann segments and half overlap."""
    from scipy.signal import welch

    rate = float(strain.sample_rate)
    frequencies, psd = welch(np.asarray(strain.data), fs=rate, nperseg=int(4 * rate), average="median")
    return float(np.sqrt(np.interp(frequency, frequencies, psd)))


def _lal_antenna(detector: str, ra: float, dec: float, psi: float, gps: float) -> tuple[float, float]:
    import lal

    gmst = lal.GreenwichMeanSiderealTime(lal.LIGOTimeGPS(gps))
    return tuple(float(v) for v in lal.ComputeDetAMResponse(_lal_detector(detector).response, ra, dec, psi, gmst))


def _sine_gaussian_snr(f0: float, q: float, amplitude: float, f_low: float = 20.0) -> float:
    """The analytic Fourier transform of ``A exp(−t²/2τ²) sin(2π f0 t)`` against LALSimulation's aLIGO PSD."""
    import lal
    import lalsimulation

    tau = q / (2 * np.pi * f0)
    delta_f = 0.01
    series = lal.CreateREAL8FrequencySeries("psd", 0, 0.0, delta_f, lal.DimensionlessUnit, int(2048 / delta_f) + 1)
    lalsimulation.SimNoisePSDaLIGODesignSensitivityT1800044(series, f_low)
    frequencies = np.arange(series.data.length) * delta_f
    band = (frequencies >= f_low) & (series.data.data > 0)
    frequencies, psd = frequencies[band], series.data.data[band]
    transform = amplitude * tau * np.sqrt(2 * np.pi) / 2 * (np.exp(-2 * (np.pi * tau * (frequencies - f0)) ** 2)
                                                          - np.exp(-2 * (np.pi * tau * (frequencies + f0)) ** 2))
    return float(np.sqrt(4 * np.sum(transform**2 / psd) * delta_f))


def _gaussian_tail(threshold: float) -> float:
    from scipy.special import erfc

    return float(erfc(threshold / np.sqrt(2)))


def _far_per_hour(background, network_snr: float) -> float:
    """(louder background + 1) / background time, as the notebook's section 7 defines it."""
    louder = int(np.sum(np.asarray(background.statistics) >= network_snr))
    return (louder + 1) / background.background_time * 3600.0


def _ccsn_glitch_rejection(probabilities, labels, ccsn_mask, glitch_classes) -> float:
    from sklearn.metrics import recall_score

    called_ccsn = np.asarray(ccsn_mask)[np.argmax(probabilities, axis=1)]
    is_glitch = np.isin(np.asarray(labels), glitch_classes)
    return float(recall_score(np.zeros(is_glitch.sum(), bool), called_ccsn[is_glitch], pos_label=False))


def _ccsn_binary_accuracy(probabilities, labels, ccsn_mask) -> float:
    from sklearn.metrics import accuracy_score

    mask = np.asarray(ccsn_mask)
    return float(accuracy_score(mask[np.asarray(labels)], mask[np.argmax(probabilities, axis=1)]))


def _false_alarms_per_hour(noise_scores, threshold: float, live_time: float) -> float:
    return float(np.count_nonzero(np.asarray(noise_scores) > threshold) / live_time * 3600.0)


def _roc_auc(noise_scores, signal_scores) -> float:
    from sklearn.metrics import roc_auc_score

    scores = np.r_[noise_scores, signal_scores]
    return float(roc_auc_score(np.r_[np.zeros(len(noise_scores)), np.ones(len(signal_scores))], scores))


def _redshift_at_distance(distance_mpc: float) -> float:
    import astropy.units as u
    from astropy.cosmology import Planck18, z_at_value

    return float(z_at_value(Planck18.luminosity_distance, distance_mpc * u.Mpc).value)


def _coverage(mean, sigma, truth) -> float:
    return float(np.mean(np.abs(np.asarray(mean) - np.asarray(truth)) <= np.asarray(sigma)))


def _latency_percentile(alerts, percent: float) -> float:
    return float(np.percentile([alert["latency"]["total"] for alert in alerts], percent))


def _snia_fom(probabilities, truth, penalty: float = 3.0) -> float:
    """Kessler et al. 2010 (PASP 122 1415), eq. 3: efficiency × pseudo-purity, from scikit-learn's confusion."""
    from sklearn.metrics import confusion_matrix

    called = (np.asarray(probabilities)[:, 1] > 0.5).astype(int)
    (_, false_ia), (_, true_ia) = confusion_matrix(np.asarray(truth).astype(int), called, labels=[0, 1])
    n_ia = int(np.sum(np.asarray(truth) == 1))
    return float(true_ia / n_ia * true_ia / (true_ia + penalty * false_ia)) if true_ia else 0.0


def _absolute_magnitude(apparent: float, redshift: float) -> float:
    from astropy.cosmology import Planck18

    return float(apparent - Planck18.distmod(redshift).value)


def _newtonian_chirp_time(m1: float, m2: float, f_low: float) -> float:
    """LALSimulation's TaylorF2 chirp time at Newtonian order (O = 0)."""
    import lal
    import lalsimulation

    return float(lalsimulation.SimInspiralTaylorF2ReducedSpinChirpTime(f_low, m1 * lal.MSUN_SI, m2 * lal.MSUN_SI,
                                                                        0.0, 0))


def _tpr_at_fap(noise_scores, signal_scores, fap: float) -> float:
    threshold = np.quantile(np.asarray(noise_scores), 1.0 - fap, method="higher")
    return float(np.mean(np.asarray(signal_scores) > threshold))


def _sis_einstein_radius(sigma_v: float, z_lens: float, z_source: float) -> float:
    from astropy.cosmology import Planck18
    from lenstronomy.Cosmo.lens_cosmo import LensCosmo

    return float(LensCosmo(z_lens, z_source, cosmo=Planck18).sis_sigma_v2theta_E(sigma_v))


def _recall_at_zero_fp(scores, labels) -> float:
    scores, labels = np.asarray(scores), np.asarray(labels)
    return float(np.mean(scores[labels == 1] > scores[labels == 0].max()))


#: Every notebook's exercises, keyed "<notebook number>.<exercise number>".
EXERCISES: dict[str, Exercise] = {
    "00.1": Exercise("H1–L1 light travel time", "ms", lambda: _light_travel_ms("H1", "L1"), 0.0, 0.01,
                     "mmlab.gw.detectors.light_travel_time gives it in seconds; or divide the distance between the "
                     "sites by the speed of light."),
    "00.2": Exercise("L1 noise ASD at 100 Hz", "1/√Hz", lambda strain: _welch_asd(strain, 100.0), 0.05, 0.0,
                     "welch_psd(strains['L1'], fftlength=4.0) returns frequencies and a PSD: interpolate at 100 Hz "
                     "and take the square root."),
    "01.1": Exercise("F+ and F× of Virgo", "", lambda: _lal_antenna("V1", 1.0, 0.5, 0.3, 1126259462.4), 0.0, 1e-4,
                     "antenna_pattern('V1', ra, dec, psi, gps) returns (F+, F×); give both as a tuple."),
    "01.2": Exercise("optimal SNR of a 150 Hz sine-Gaussian in aLIGO", "",
                     lambda: _sine_gaussian_snr(150.0, 9.0, 1e-21), 0.02, 0.0,
                     "optimal_snr(sine_gaussian(150.0, 9.0, 1e-21), 'aLIGO', 4096) (f_low = 20 Hz)."),
    "02.1": Exercise("fraction of Gaussian coefficients beyond 3σ", "", lambda: _gaussian_tail(3.0), 0.25, 0.0,
                     "draw white noise, take pywt.wavedec(noise, 'db4'), and count |coefficient| > 3 over all "
                     "detail coefficients (each level is already unit variance)."),
    "02.2": Exercise("false-alarm rate of network SNR 10", "per hour", lambda background: _far_per_hour(background, 10.0),
                     1e-6, 0.0, "count the background statistics at or above 10, add one, divide by the background "
                     "time (background.background_time, in s) and convert to hours."),
    "03.1": Exercise("glitch rejection of the best network", "",
                     _ccsn_glitch_rejection, 0.0, 1e-9,
                     "a sample is called CCSN where the argmax class is a CCSN class (ccsn_mask[np.argmax(p, 1)]); "
                     "count the glitch samples (sine-Gaussian, scattered light, blip) not called CCSN."),
    "03.2": Exercise("binary accuracy of the LSTM", "",
                     _ccsn_binary_accuracy, 0.0, 1e-9, "compare ccsn_mask[np.argmax(p, 1)] with ccsn_mask[labels]."),
    "04.1": Exercise("false alarms per hour at the threshold", "per hour",
                     _false_alarms_per_hour, 1e-9, 0.0,
                     "count the noise windows whose score exceeds the threshold; live_time is in seconds."),
    "04.2": Exercise("AUC of the autoencoder on blips at SNR 12", "",
                     _roc_auc, 0.0, 1e-6,
                     "mmlab.ml.evaluation.roc_curve(scores, labels) returns (fpr, tpr, auc)."),
    "05.1": Exercise("redshift at 200 Mpc", "", lambda: _redshift_at_distance(200.0), 1e-3, 0.0,
                     "astropy.cosmology.z_at_value(Planck18.luminosity_distance, 200 * u.Mpc)."),
    "05.2": Exercise("coverage of the scaled ±1σ interval", "",
                     _coverage, 0.0, 1e-9,
                     "the fraction of test events with |mean − z| ≤ σ × scale."),
    "06.1": Exercise("H1–V1 light travel time", "ms", lambda: _light_travel_ms("H1", "V1"), 0.0, 0.01,
                     "mmlab.gw.detectors.light_travel_time('H1', 'V1'), in seconds."),
    "06.2": Exercise("90th percentile of the alert latency", "s", lambda alerts: _latency_percentile(alerts, 90.0),
                     1e-9, 0.0, "every alert has alert['latency']['total']; np.percentile(values, 90)."),
    "07.1": Exercise("figure of merit of the all-labels forest", "",
                     _snia_fom, 0.0, 1e-9,
                     "call SN Ia where the probability exceeds 0.5; FoM = (true Ia / all Ia) × true Ia / (true Ia + "
                     "3 × false Ia)."),
    "07.2": Exercise("absolute magnitude of an SN Ia at g = 18.5, z = 0.05", "mag",
                     lambda: _absolute_magnitude(18.5, 0.05), 0.0, 0.01,
                     "M = m − μ with the distance modulus μ = Planck18.distmod(z) (no K-correction)."),
    "08.1": Exercise("time a 1.4 + 1.4 M☉ BNS spends above 20 Hz (Newtonian)", "s",
                     lambda: _newtonian_chirp_time(1.4, 1.4, 20.0), 0.01, 0.0,
                     "τ = (5/256) (G M_c / c³)^(−5/3) (π f)^(−8/3), with the chirp mass M_c = (m1 m2)^(3/5) / "
                     "(m1 + m2)^(1/5)."),
    "08.2": Exercise("TPR of the spectrogram network at FAP 1e-2", "",
                     lambda noise_scores, signal_scores: _tpr_at_fap(noise_scores, signal_scores, 1e-2), 0.0, 0.02,
                     "the threshold is the noise scores' 99th percentile; the TPR is the fraction of signals above."),
    "09.1": Exercise("Einstein radius of an SIS (σ = 250 km/s, z 0.5 → 2)", "arcsec",
                     lambda: _sis_einstein_radius(250.0, 0.5, 2.0), 0.01, 0.0,
                     "θ_E = 4π (σ/c)² D_ls / D_s, with angular-diameter distances from "
                     "Planck18 (flat: D_ls / D_s = 1 − D_C(z_l) / D_C(z_s), comoving distances)."),
    "09.2": Exercise("recall of the CNN at zero false positives", "",
                     _recall_at_zero_fp, 0.0, 1e-9,
                     "the fraction of lenses scoring above the highest-scoring non-lens."),
}


def _as_numbers(answer) -> np.ndarray | None:
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None
    return values if np.all(np.isfinite(values)) else None


def check_answer(key: str, answer, solution: bool = False, **context) -> None:
    """Check an answer to one exercise and print a one-line verdict.

    Parameters
    ----------
    key : str
        The exercise, as in :data:`EXERCISES` ("00.1").
    answer : float, tuple of floats or None
        The participant's answer; None: not answered yet.
    solution : bool
        The solution cell's call: print nothing where right, raise AssertionError where wrong (the headless
        runs then fail).
    **context
        The notebook's data the reference needs (each exercise's ``reference`` names them).

    Raises
    ------
    KeyError
        For an unknown exercise.
    AssertionError
        With ``solution=True``, for a wrong answer.
    """
    if key not in EXERCISES:
        raise KeyError(f"no exercise {key!r}: expected one of {', '.join(EXERCISES)}")
    exercise = EXERCISES[key]
    number = key.split(".")[1]
    unit = f" {exercise.unit}" if exercise.unit else ""
    if answer is None:
        if solution:
            raise AssertionError(f"the solution of exercise {key} gives no answer")
        print(f"Exercise {number} ({exercise.title}) is not answered yet: set answer_{number} and run this cell.")
        return
    reference = np.asarray(exercise.reference(**context), dtype=float)
    values = _as_numbers(answer)
    if values is None or values.shape != reference.shape:
        expected = "a number" if reference.ndim == 0 else f"{reference.size} numbers"
        unit_phrase = f" in {exercise.unit}" if exercise.unit else ""
        message = f"answer_{number} should be {expected}{unit_phrase}, got {answer!r}"
        if solution:
            raise AssertionError(f"exercise {key}: {message}")
        print(f"✗ Exercise {number}: {message}.")
        return
    right = bool(np.all(np.abs(values - reference) <= exercise.atol + exercise.rtol * np.abs(reference)))
    shown = np.array2string(values, precision=4) if values.ndim else f"{float(values):.4g}"
    if solution:
        if not right:
            raise AssertionError(f"exercise {key}: the solution gives {shown}, the reference {reference}")
    elif right:
        print(f"✓ Exercise {number} ({exercise.title}): {shown}{unit} is right.")
    else:
        print(f"✗ Exercise {number} ({exercise.title}): {shown}{unit} is not it. Hint: {exercise.hint}")
