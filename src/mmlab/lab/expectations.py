"""What each study notebook must measure in its quick profile: the accepted range of every metric, with its source.

The notebook tests assert these ranges and the run report shows each metric against its range, with its unit and
pass or fail. The ranges are acceptance bounds set from published or analytic values (each one's source is given
beside it) and from the issues' goals, not numbers the notebooks produced and were stored.
"""

from __future__ import annotations

import math

from scipy.stats import binom

__all__ = ["EXPECTED_METRICS", "METRIC_UNITS", "metric_checks", "original_wdf_interval"]

#: Sine-Gaussians per SNR in notebook 02's quick profile.
WDF_QUICK_INJECTIONS = 100


def original_wdf_interval(efficiency: float, confidence: float = 0.95) -> tuple[float, float]:
    """Where an efficiency measured on WDF_QUICK_INJECTIONS signals falls, 95 % of the time, if the truth is the
    original WDF's (py4tsa 3.4.1, block rule with lambda* on aLIGO-like noise; REFERENCES.md).

    Not 68 %: a perfect reproduction would land two numbers inside their 68 % bands together only 46 % of the time.
    """
    low, high = binom.interval(confidence, WDF_QUICK_INJECTIONS, efficiency)
    return low / WDF_QUICK_INJECTIONS, high / WDF_QUICK_INJECTIONS


#: Accepted range of every metric each study notebook must record in the quick profile.
EXPECTED_METRICS = {
    "00_tour": {
        # Abbott et al. 2016 (PRL 116 061102): L1 saw GW150914 6.9 +0.5/-0.4 ms before H1, inverted.
        "h1_l1_delay_ms": (6.5, 7.4),
        "h1_l1_correlation": (-1.0, -0.5),
        # The whitened H1 peak falls within 20 ms of the merger time GPS 1126259462.42.
        "h1_peak_offset_s": (0.0, 0.02),
        # O1 Hanford sensitivity near 100 Hz was about 1e-23 /sqrt(Hz).
        "h1_asd_100hz": (5e-24, 2e-23),
    },
    "01_signals_and_noise": {
        # Simulated Advanced Virgo noise reproduces the design curve (issue 3: median within 5 %).
        "psd_ratio_median": (0.95, 1.05),
        "psd_ratio_mean": (0.98, 1.02),
        # H1-L1 light travel time is 10.01 ms: the largest delay over the sky approaches it, never exceeds it.
        "h1_l1_max_delay_ms": (9.9, 10.013),
        # Closed-form optimal SNR of a sine-Gaussian in white noise.
        "sine_gaussian_snr_relative_error": (0.0, 0.01),
        # Injected at SNR 20 into simulated Virgo noise.
        "injected_snr": (19.8, 20.2),
    },
    "02_wavelet_detection_filter": {
        # The loudest WDF event sits on the GW150914 merger (issue 4: within 0.1 s) ...
        "gw150914_offset_s_H1": (0.0, 0.1),
        "gw150914_offset_s_L1": (0.0, 0.1),
        # ... with an SNR near the published matched-filter SNRs (H1 20, L1 13; Abbott et al. 2016).
        "gw150914_snr_H1": (12.0, 30.0),
        "gw150914_snr_L1": (8.0, 25.0),
        # One false alarm per hour on simulated aLIGO noise, where the original WDF needed 9.4 (block rule, lambda*).
        "far_threshold_aligo": (5.5, 9.4),
        # At that rate, on the same noise, sine-Gaussians (Q 9, 100-500 Hz): the original WDF found
        # 0.44 / 0.96 / 1.00 at SNR 8 / 10 / 12; mmlab's default must do at least as well ...
        "efficiency_aligo_sine_gaussian_snr8": (0.44, 1.0),
        "efficiency_aligo_sine_gaussian_snr10": (0.96, 1.0),
        "efficiency_aligo_sine_gaussian_snr12": (1.0, 1.0),
        # ... and with the original's block threshold it reproduces the original's numbers within their binomial spread.
        "efficiency_original_aligo_sine_gaussian_snr8": original_wdf_interval(0.44),
        "efficiency_original_aligo_sine_gaussian_snr10": original_wdf_interval(0.96),
        "efficiency_original_aligo_sine_gaussian_snr12": original_wdf_interval(1.00),
        # Issue 13, WDF + excess-power tracks + g-mode chirp bank at 1 false alarm per hour on aLIGO noise (30
        # injections per SNR in the quick profile, 3 h of noise). Goals: CCSN high_long >= 0.5 at SNR 15 and >= 0.9 at
        # SNR 20, the four-family mix >= 0.9 at SNR 20, scattered light >= 0.9 at SNR 15, sine-Gaussians no worse than
        # the WDF alone (1.00 at SNR 10). Measured here: high_long 0.87 at SNR 15, scattered light 0.93. With 8 h of
        # noise and 200 injections (benchmarks/search_efficiency.py) high_long at SNR 15 is 0.59 [0.53, 0.65] (0.41
        # [0.36, 0.48] without the chirp bank), at SNR 20 1.00, and scattered light 0.98 [0.95, 0.99].
        "efficiency_ccsn_high_long_snr15": (0.35, 1.0),
        "efficiency_ccsn_high_long_snr20": (0.75, 1.0),
        "efficiency_ccsn_mix_snr20": (0.85, 1.0),
        "efficiency_scattered_light_snr15": (0.85, 1.0),
        "efficiency_search_sine_gaussian_snr10": (0.95, 1.0),
        # H1 + L1 + V1 at a false-alarm probability of 1e-3 per hour, from 1000 time slides of 2 h of noise.
        "network_efficiency_ccsn_snr20_fap1e3": (0.1, 1.0),
        # GW150914 in the 32 s files: the loudest candidate; its FAP is bounded by the few slides 32 s allow (0.154:
        # six slides of 4.85 s, the longest H1 track; 0.057 with one-row tracks, whose longest event was shorter).
        "gw150914_network_fap": (0.0, 0.2),
    },
    "03_ccsn_classification": {
        # Iess et al. 2020: > 95 % single-detector accuracy at full scale (the full profile measured 0.966-0.967 for
        # the three networks; the shipped LSTM, trained on an earlier data set, 0.973); issue 5 asks >= 90 % in the
        # quick profile for the best network, whichever it is.
        "binary_accuracy_best": (0.90, 1.0),
        "binary_accuracy_cnn2d": (0.85, 1.0),
        "binary_accuracy_cnn1d": (0.85, 1.0),
        "binary_accuracy_lstm": (0.80, 1.0),
        "multiclass_accuracy_cnn2d": (0.70, 1.0),
        # Issue 14: each 3D progenitor (9a, 9b) left out of training in turn; the binary head decides at a threshold
        # letting 3 % of validation glitches and noise through, so a classifier that learnt nothing finds 3 % of
        # them. Two quick runs: 9a 0.92 / 0.95, 9b 0.70 / 0.64 (33 triggers; trained on phenomenological signals
        # alone 0.87-0.89 and 0.58), test rejection 0.98 / 0.94 (48 triggers); the bounds sit below the quick
        # profile's 90 % intervals. The goal (TPR >= 0.90 on every left-out progenitor at rejection >= 0.97) is met
        # at full scale (1000 triggers per class): 9a 1.00 [0.99, 1.00] of 374, 9b 0.96 [0.94, 0.97] of 448,
        # rejection 0.977 (floor 0.99 and 0.78).
        "tpr_left_out_3d_min": (0.45, 1.0),
        "tpr_left_out_3d_mean": (0.65, 1.0),
        "glitch_rejection_at_threshold": (0.88, 1.0),
        "tpr_3d_phenomenological_only": (0.3, 1.0),
        # Three ET interferometers together (Iess et al. 2023: coincidences help; a glitch is in E1 alone). Two
        # quick runs: 0.94 / 0.87 against 0.89 for E1 alone (54 test triggers: the gain is within the spread);
        # held out, 9a 1.00 and 9b 0.93 [0.72, 1.00] (15 triggers) at rejection 1.00 in both. Full profile: 0.981
        # against 0.953 for E1 alone; held out, 9a 1.00 and 9b 0.99 at rejection 0.96-0.97.
        "binary_accuracy_network_coincident": (0.8, 1.0),
        "tpr_left_out_3d_network_min": (0.7, 1.0),
    },
    "04_anomaly_autoencoder": {
        # Issue 6: AUC >= 0.95 for BBH at SNR 12 (0.983 measured in the quick profile, 0.979 in the full one);
        # the excess-power baseline on the same windows reaches 0.990 (on Gaussian noise it cannot be beaten).
        "auc_bbh_snr12": (0.95, 1.0),
        "auc_baseline_bbh_snr12": (0.95, 1.0),
        "efficiency_bbh_snr12": (0.4, 1.0),
        "efficiency_baseline_bbh_snr12": (0.4, 1.0),
        # Morawski et al. 2021: the network generalises to GW150914, the loudest window in each 32 s file ...
        "gw150914_rank_H1": (1, 1),
        "gw150914_rank_L1": (1, 1),
        # ... and its largest residual sits on the merger.
        "gw150914_residual_peak_offset_s_H1": (0.0, 0.03),
        "gw150914_residual_peak_offset_s_L1": (0.0, 0.03),
    },
    "05_multimodal_gw_grb": {
        # The prototype afterglow reproduces GRB 090510's XRT light curve (2.05 measured; early WT flares).
        "grb090510_chi2_dof": (1.0, 3.0),
        # Redshifts uniform in distance over 1-500 Mpc have a spread of 0.030: every model must do better
        # (quick profile, 500 events: 0.0140 multimodal, 0.0141 GW only, 0.0239 GRB only measured).
        "sigma_dz_multimodal": (0.0, 0.02),
        "sigma_dz_gw_only": (0.0, 0.02),
        "sigma_dz_grb_only": (0.0, 0.027),
        "bias_dz_multimodal": (-0.005, 0.005),
        # Issue 7: multimodal within 5 % of the best single modality at full scale; 10 % here for 75 test events.
        "multimodal_over_best_single": (0.0, 1.10),
        # MC-dropout intervals scaled on the validation set hold about 68 % of the test events.
        "coverage68_multimodal": (0.5, 0.85),
    },
    "07_optical_transients": {
        # Issue 16, quick profile (3 runs per strategy, 10 queries per refit; 30-tree forests). Measured: all labels
        # FoM 0.28, random after 300 queries 0.21, best strategy 0.24, which needs 240 queries to reach random's
        # 300-query FoM (the goal of <= 100 is not met). The forest learns from real ZTF light curves ...
        "al_fom_all_labels": (0.2, 1.0),
        "al_fom_random_300": (0.1, 1.0),
        "al_fom_best_300": (0.15, 1.0),
        "al_queries_to_random_fom_300": (0, 300),
        # ... kilonovae stand out of 30-day light curves by their fading (measured 1.00 / 1.00 on the quick sample;
        # the goal: precision >= 0.75 at recall >= 0.7) ...
        "kn_precision": (0.75, 1.0),
        "kn_recall": (0.7, 1.0),
        # ... an expert finds more anomalies with AADForest than with the isolation forest (2.8x measured; goal 1.8x) ...
        "aad_over_iforest_top100": (1.8, float("inf")),
        # ... and our SN Ia score ranks real alerts like Fink's own forest (Spearman 0.26 measured).
        "fink_agreement_snia": (0.1, 1.0),
    },
    "08_gw_representation": {
        # Issue 18, quick profile (1000 + 1000 training windows, 4 epochs; 500 test signals at SNR 4-20, 1000 noise
        # windows). Measured: raw 0.00, whitened 0.41, |FFT| 0.46, spectrogram 0.65, Q-transform 0.59, matched
        # filter 0.89 (6 epochs gave 0.52 / 0.49 / 0.65 / 0.60 in 50 % more time). The raw series teaches a CNN
        # nothing (the study: 50 % accuracy, chance) ...
        "tpr_fap1e3_timeseries_raw": (0.0, 0.05),
        # ... the others learn, the spectrogram most (the study's ranking) ...
        "tpr_fap1e3_timeseries_whitened": (0.3, 1.0),
        "tpr_fap1e3_fft": (0.25, 1.0),
        "tpr_fap1e3_spectrogram": (0.45, 1.0),
        "tpr_fap1e3_qtransform": (0.35, 1.0),
        # ... and the matched filter, the optimum in Gaussian noise, finds most signals (it recovers SNR/injected ~1).
        "tpr_fap1e3_matched_filter": (0.8, 1.0),
        # Best network's sensitive distance over the matched filter's: 0.68 measured; the goal of 0.8 is not met.
        "sensitive_distance_ratio_best_network": (0.5, 1.0),
        # The best any detector can do from spectrogram power, the matched filter's templates stacked on it as tracks:
        # 0.75 in the quick profile, 0.81 [0.78, 0.84] on 2,000 signals (benchmarks/spectrogram_ceiling.py): no training.
        "sensitive_distance_ratio_spectrogram_stack": (0.65, 0.92),
    },
    "09_strong_lenses": {
        # Issue 19, quick profile (800 training and 600 test cutouts, 6 epochs; active learning on a pool of 300).
        # Measured: AUROC 0.95 (CNN) and 0.91 (transformer; 0.95-0.96 before the augmentation resampled to the
        # nearest pixel) (goal at 10,000 test cutouts: 0.98; the CNN after 5,000 training cutouts: 0.976), recall at
        # zero false positives 0.29-0.37 (goal 0.5; set by the one most lens-like of 300 negatives, a ring galaxy;
        # trained as in the full profile, on 20,000 cutouts, and tested on 10,000: the transformer AUROC 0.9994 and
        # recall 0.82, the CNN 0.9981 and 0.56) ...
        "auroc_cnn": (0.88, 1.0),
        "auroc_attention": (0.88, 1.0),
        "tpr_zero_fp_best": (0.05, 1.0),
        # ... active learning: a single run per strategy of a few refits, within its noise of random here
        # (measured: 0.33-1.0 of the pool for least confidence, 0.20 for random; goal 0.25 against 0.5; at the full
        # profile's scale both strategies' median of 3 runs needs 0.325). The 20 seed labels, 0.07 of the pool, never
        # come within 0.01 of the all-labels AUROC on their own: a lower share would mean the all-labels fit failed ...
        "al_label_fraction_best": (0.1, 1.0),
        "al_label_fraction_random": (0.1, 1.0),
        # ... the CNN's Grad-CAM heat sits on the arcs: 0.44-0.45 of it in the Einstein annulus measured (goal 0.7),
        # where a map blind to the arcs would put the annulus's share of the cutout, about 4 % (the transformer's
        # maps: 0.00-0.02, off the lens) ...
        "gradcam_annulus_fraction": (0.2, 1.0),
        # ... the arcs' own light, seen in g and averaged over the maps' 25x25 cells, puts 0.73 of itself in the
        # annulus for 300 random lenses, 0.78 for the CNN's true positives in quick (0.80 and 0.86 at full resolution,
        # 0.92 and 0.96 before the seeing): the most a map of the arcs can score ...
        "gradcam_annulus_fraction_arc_light": (0.6, 0.85),
        # ... and the simulation's speed is only checked for sanity (benchmarks/lensing.py measures it: goal 100/s).
        "lens_images_per_second": (1.0, float("inf")),
    },
    "06_realtime_stream": {
        # Wall-clock figures are only checked for sanity here (faster than real time, latency under 5 s);
        # benchmarks/stream.py measures them against the goals (100x, p99 < 0.5 s).
        "stream_realtime_factor": (1.0, float("inf")),
        "stream_latency_p50_s": (0.0, 5.0),
        "stream_latency_p99_s": (0.0, 5.0),
        # Issue 15: every good chunk processed, no alert written twice, the six bad chunks all accounted for.
        "stream_lost_chunks": (0, 0),
        "stream_duplicate_alerts": (0, 0),
        "stream_rejected_bad_chunks": (6, 6),
        # Nine supernovae at network SNR 20-30: 9 of 9 found and called CCSN measured with the pooled classifier
        # (8 of 9 with the loudest event's segment alone). The full profile's 55 give 0.93 with the chirp bank (0.87
        # with the tracks alone, short of the goal of 0.9). 6 of 9 pass ...
        "stream_ccsn_found_fraction": (0.65, 1.0),
        # ... and eight glitches (every one rejected measured; goal 0.95).
        "stream_glitch_rejected_fraction": (0.85, 1.0),
        # Ten minutes of noise alone: time slides put the default threshold's false alerts near one an hour
        # (0.90 in 6 h slid 1000 times), so ten minutes expect about 0.2 and more than one is a 1 % chance.
        "stream_noise_alerts_per_hour": (0.0, 6.0),
        # The slides themselves: about one false alert an hour at network SNR 8.1 (a factor 3 either way from one
        # hour of noise and its fitted whitening) ...
        "stream_far_per_hour_at_alert_snr": (0.3, 3.0),
        # ... so the threshold for one a day lies above 8 (9.0 in 6 h slid 1000 times), and below the SNR 20 of a
        # loud supernova.
        "stream_alert_snr_for_1_per_day": (8.0, 12.0),
        # GW150914 alerted once in each of the three replayed loops, and nothing else.
        "stream_gw150914_loops_found": (3, 3),
        "stream_gw150914_other_alerts": (0, 0),
    },
}

#: Units of the metrics that have one (the others are fractions, ratios, SNRs or other pure numbers).
METRIC_UNITS = {
    "h1_l1_delay_ms": "ms", "h1_peak_offset_s": "s", "h1_asd_100hz": "1/√Hz", "h1_l1_max_delay_ms": "ms",
    "gw150914_offset_s_H1": "s", "gw150914_offset_s_L1": "s", "gw150914_residual_peak_offset_s_H1": "s",
    "gw150914_residual_peak_offset_s_L1": "s", "gw150914_rank_H1": "rank", "gw150914_rank_L1": "rank",
    "al_queries_to_random_fom_300": "queries", "lens_images_per_second": "cutouts/s", "stream_latency_p50_s": "s",
    "stream_latency_p99_s": "s", "stream_lost_chunks": "chunks", "stream_duplicate_alerts": "alerts",
    "stream_rejected_bad_chunks": "chunks", "stream_noise_alerts_per_hour": "1/h",
    "stream_far_per_hour_at_alert_snr": "1/h",
    "stream_gw150914_loops_found": "loops", "stream_gw150914_other_alerts": "alerts",
}


def metric_checks(notebook: str, metrics: dict[str, float]) -> dict[str, dict]:
    """Each metric a notebook recorded or should have recorded, against its quick-profile range.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb`` (``"00_tour"``); one with no expected metrics gives only what it
        recorded, with no range.
    metrics : dict
        ``{name: value}`` as recorded by the run.

    Returns
    -------
    dict
        ``{name: {"value": float | None, "unit": str, "expected": [low, high] | None, "pass": bool | None}}``;
        an expected metric that was not recorded has value None and fails; an infinite bound is written None.
    """
    expected = EXPECTED_METRICS.get(notebook, {})
    checks = {}
    for name in [*expected, *(name for name in metrics if name not in expected)]:
        value = metrics.get(name)
        bounds = expected.get(name)
        checks[name] = {
            "value": value, "unit": METRIC_UNITS.get(name, ""),
            "expected": None if bounds is None else [b if math.isfinite(b) else None for b in map(float, bounds)],
            "pass": None if bounds is None else bool(value is not None and bounds[0] <= value <= bounds[1]),
        }
    return checks
