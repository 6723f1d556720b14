"""Reading real data, one module per source, through the cache and the offline mirror.

- :mod:`mmlab.io.gwosc`: GWOSC strain files (read, locate, download, fetch);
- :mod:`mmlab.io.ccsn3d`: 3D-simulation supernova waveforms;
- :mod:`mmlab.io.swift`: Swift-XRT afterglow light curves;
- :mod:`mmlab.io.ztf`: Fink/ZTF alert packets and the Fink × TNS labelled light curves;
- :mod:`mmlab.io.plasticc`: the PLAsTiCC training set;
- :mod:`mmlab.io.possis`: POSSIS kilonova spectral grids;
- :mod:`mmlab.io.triggers`: trigger and event tables on disk.
"""

from mmlab.core.cache import DataFileError
from mmlab.io.ccsn3d import find_ccsn_3d_files, read_ccsn_3d
from mmlab.io.gwosc import (
    KNOWN_EVENTS,
    GwoscFile,
    event_gps,
    fetch_gwosc,
    locate_gwosc,
    read_gwosc,
)
from mmlab.io.plasticc import load_plasticc
from mmlab.io.possis import PossisModel, load_possis_grid
from mmlab.io.swift import XRTLightCurve, load_swift_xrt, read_swift_xrt
from mmlab.io.triggers import read_triggers, write_triggers
from mmlab.io.ztf import load_fink_alerts, load_ztf_tns, read_fink_alerts

__all__ = [
    "KNOWN_EVENTS", "DataFileError", "GwoscFile", "PossisModel", "XRTLightCurve", "event_gps", "fetch_gwosc",
    "find_ccsn_3d_files", "load_fink_alerts", "load_plasticc", "load_possis_grid", "load_swift_xrt", "load_ztf_tns",
    "locate_gwosc", "read_ccsn_3d", "read_fink_alerts", "read_gwosc", "read_swift_xrt", "read_triggers",
    "write_triggers",
]
