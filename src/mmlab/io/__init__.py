"""Reading real data, one module per source, through the cache and the offline mirror.

- :mod:`mmlab.io.gwosc`: GWOSC strain files (read, locate, download, fetch);
- :mod:`mmlab.io.ccsn3d`: 3D-simulation supernova waveforms;
- :mod:`mmlab.io.swift`: Swift-XRT afterglow light curves;
- :mod:`mmlab.io.triggers`: trigger and event tables on disk.
"""

from mmlab.core.cache import DataFileError
from mmlab.io.ccsn3d import find_ccsn_3d_files, read_ccsn_3d
from mmlab.io.gwosc import KNOWN_EVENTS, GwoscFile, event_gps, fetch_gwosc, locate_gwosc, read_gwosc
from mmlab.io.swift import XRTLightCurve, load_swift_xrt, read_swift_xrt
from mmlab.io.triggers import read_triggers, write_triggers

__all__ = [
    "KNOWN_EVENTS", "DataFileError", "GwoscFile", "XRTLightCurve", "event_gps", "fetch_gwosc", "find_ccsn_3d_files",
    "load_swift_xrt", "locate_gwosc", "read_ccsn_3d", "read_gwosc", "read_swift_xrt", "read_triggers",
    "write_triggers",
]
