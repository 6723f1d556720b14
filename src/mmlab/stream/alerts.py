"""Alerts: a documented record per candidate, as JSON and as Avro (``alert.avsc``), written once each.

The schema follows the IGWN/GCN Kafka notices in spirit: GPS time, the
detectors and their SNRs, frequency, duration, class probabilities and the
pipeline's latency per stage. ``alert.avsc`` beside this module is the
contract; :func:`avro_bytes` writes a record that :mod:`fastavro` checks
against it. :class:`AlertSink` keeps alerts keyed by ``alert_id`` (detectors
and GPS peak to the millisecond), so an alert written twice, after a worker
was restarted, is stored once.
"""

from __future__ import annotations

import functools
import io
import json
import os
from pathlib import Path
from typing import Any

from mmlab.core.cache import atomic_write

__all__ = ["ALERT_SCHEMA_PATH", "AlertSink", "alert_record", "alert_schema", "avro_bytes", "read_avro"]

#: The Avro schema of an alert.
ALERT_SCHEMA_PATH = Path(__file__).with_name("alert.avsc")


@functools.lru_cache(maxsize=1)
def alert_schema() -> dict:
    """The parsed Avro schema of :data:`ALERT_SCHEMA_PATH`."""
    import fastavro

    return fastavro.parse_schema(json.loads(ALERT_SCHEMA_PATH.read_text()))


def alert_record(candidate: dict, detectors, classifier: str, latency: dict[str, float]) -> dict[str, Any]:
    """The alert of a classified candidate (:func:`mmlab.stream.stages.classify`), as the schema describes it."""
    from mmlab import __version__

    names = [detectors[int(k)] for k in sorted(candidate["snr"])]
    return {
        "alert_id": f"{'+'.join(names)}-{candidate['gps_peak']:.3f}",
        "gps_time": float(candidate["gps_peak"]), "gps_start": float(candidate["gps_start"]),
        "duration": float(candidate["duration"]), "detectors": names,
        "snr": {detectors[int(k)]: float(v) for k, v in candidate["snr"].items()},
        "network_snr": float(candidate["network_snr"]), "frequency": float(candidate["frequency"]),
        "classification": dict(candidate.get("probabilities", {})),
        "p_astrophysical_ccsn": float(candidate.get("p_positive", 0.0)), "classifier": classifier,
        "latency": {name: float(value) for name, value in latency.items()}, "pipeline": "mmlab.stream",
        "version": __version__,
    }


def avro_bytes(alerts: list[dict]) -> bytes:
    """Alerts as an Avro container (the schema travels with the data); raises if one breaks the schema."""
    import fastavro

    buffer = io.BytesIO()
    fastavro.writer(buffer, alert_schema(), alerts, validator=True)
    return buffer.getvalue()


def read_avro(data: bytes) -> list[dict]:
    """The alerts of an Avro container written by :func:`avro_bytes`."""
    import fastavro

    return list(fastavro.reader(io.BytesIO(data)))


class AlertSink:
    """Alerts kept once each by ``alert_id``, written as JSON lines and Avro.

    Parameters
    ----------
    folder : path-like, optional
        Where :meth:`write` puts ``alerts.jsonl`` and ``alerts.avro`` (atomically).
    """

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = None if folder is None else Path(folder)
        self.alerts: dict[str, dict] = {}
        self.duplicates = 0

    def add(self, alert: dict) -> bool:
        """Keep ``alert`` unless one with its id is there; returns whether it was new."""
        if alert["alert_id"] in self.alerts:
            self.duplicates += 1
            return False
        self.alerts[alert["alert_id"]] = alert
        return True

    def write(self) -> None:
        """Write every alert as JSON lines and as one Avro container (each file atomically)."""
        if self.folder is None:
            return
        ordered = sorted(self.alerts.values(), key=lambda a: a["gps_time"])
        with atomic_write(self.folder / "alerts.jsonl") as handle:
            handle.writelines(json.dumps(alert) + "\n" for alert in ordered)
        with atomic_write(self.folder / "alerts.avro", "wb") as handle:
            handle.write(avro_bytes(ordered))
