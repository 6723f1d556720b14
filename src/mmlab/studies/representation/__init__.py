"""Which representation of GW data should a CNN see? Binary neutron stars in aLIGO noise (Grespan, Proc. IAU 2025).

Samples in :mod:`~mmlab.studies.representation.datasets`, the five representations in
:mod:`~mmlab.studies.representation.representations`, the matched-filter baseline in
:mod:`~mmlab.studies.representation.matched_filter`, the best a spectrogram allows in
:mod:`~mmlab.studies.representation.semicoherent`, detection statistics in
:mod:`~mmlab.studies.representation.evaluation`; figures in ``plots``, widgets in ``widgets``.
"""

from mmlab.studies.representation.datasets import BNSConfig, BNSSamples, bns_samples
from mmlab.studies.representation.evaluation import (
    efficiency_by_snr,
    sensitive_distance_ratio,
    threshold_at_fap,
    tpr_at_fap,
)
from mmlab.studies.representation.matched_filter import TemplateBank, matched_filter_snr, template_bank
from mmlab.studies.representation.representations import REPRESENTATIONS, represent
from mmlab.studies.representation.semicoherent import semicoherent_statistic

__all__ = [
    "REPRESENTATIONS",
    "BNSConfig",
    "BNSSamples",
    "TemplateBank",
    "bns_samples",
    "efficiency_by_snr",
    "matched_filter_snr",
    "represent",
    "semicoherent_statistic",
    "sensitive_distance_ratio",
    "template_bank",
    "threshold_at_fap",
    "tpr_at_fap",
]
