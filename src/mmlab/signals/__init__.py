"""Signal models: core-collapse supernovae, glitches and compact binaries, as :class:`Waveform` s."""

from mmlab.signals.cbc import binary_black_hole, binary_neutron_star, compact_binary
from mmlab.signals.ccsn import (
    CCSN_FAMILIES,
    CCSN_MIX_FAMILIES,
    ccsn_3d_waveform,
    ccsn_family_waveform,
    ccsn_phenomenological,
    sample_ccsn_parameters,
)
from mmlab.signals.glitches import (
    GLITCH_DISTRIBUTIONS,
    GLITCH_KINDS,
    blip,
    random_glitch,
    scattered_light,
    sine_gaussian,
)
from mmlab.signals.waveform import Waveform

__all__ = [
    "CCSN_FAMILIES", "CCSN_MIX_FAMILIES", "GLITCH_DISTRIBUTIONS", "GLITCH_KINDS", "Waveform", "binary_black_hole",
    "binary_neutron_star", "blip", "ccsn_3d_waveform", "ccsn_family_waveform", "ccsn_phenomenological",
    "compact_binary", "random_glitch", "sample_ccsn_parameters", "scattered_light", "sine_gaussian",
]
