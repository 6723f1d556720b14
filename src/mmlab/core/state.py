"""Explicit, serialisable state of streaming stages, and how a broken stream is reported.

A stage that remembers something between chunks (a filter's last samples, a
buffer of samples waiting for a full window) keeps it in a frozen dataclass
derived from :class:`Serialisable`: plain numpy arrays, floats, ints and
nested states, nothing else. The stage is a pure function
``stage(chunk, configuration, state) -> (output, state)``, so the state can
travel between processes (a message broker, Dask workers) as JSON:
:meth:`Serialisable.to_dict` gives plain Python values (floats as their
shortest round-trip repr, so a restored state continues bit for bit) and
:meth:`Serialisable.from_dict` checks and rebuilds them. No pickle.

When a chunk does not start where the stream expected (a gap, an overlap, or
a chunk out of order), :func:`check_continuity` warns with :class:`StreamGap`
naming the GPS span, and the stage restarts and counts the restart in its
state: never silently.
"""

from __future__ import annotations

import dataclasses
import math
import typing
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["Serialisable", "StreamGap", "check_continuity", "from_bytes", "to_bytes"]


class StreamGap(UserWarning):
    """A chunk did not start where the stream expected: a gap, an overlap or a chunk out of order."""


@dataclass(frozen=True)
class Serialisable:
    """Base of state and model records: a frozen dataclass of arrays, numbers, strings and nested records."""

    def to_dict(self) -> dict:
        """The record as JSON-serialisable Python values (``json.dumps`` takes it as it is)."""
        payload: dict = {"state": type(self).__name__}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Serialisable):
                value = value.to_dict()
            elif isinstance(value, np.ndarray):
                value = {"dtype": value.dtype.str, "shape": list(value.shape), "values": value.ravel().tolist()}
            elif isinstance(value, float) and not math.isfinite(value):
                value = None if math.isnan(value) else str(value)
            payload[field.name] = value
        return payload

    @classmethod
    def from_dict(cls, payload: dict) -> Serialisable:
        """Rebuild a record from :meth:`to_dict`'s output (after a JSON round trip, too).

        Raises
        ------
        ValueError
            If the payload is of another state class or lacks a field.
        """
        if not isinstance(payload, dict) or payload.get("state") != cls.__name__:
            found = payload.get("state") if isinstance(payload, dict) else type(payload).__name__
            raise ValueError(f"expected a serialised {cls.__name__}, got {found!r}")
        hints = typing.get_type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            if field.name not in payload:
                raise ValueError(f"the serialised {cls.__name__} lacks its field {field.name!r}")
            value, hint = payload[field.name], hints[field.name]
            if isinstance(hint, type) and issubclass(hint, Serialisable):
                value = hint.from_dict(value)
            elif hint is np.ndarray:
                if "array" in value:  # from to_bytes: the array itself
                    value = np.array(value["array"], dtype=np.dtype(value["dtype"])).reshape(value["shape"])
                else:
                    value = np.array(value["values"], dtype=np.dtype(value["dtype"])).reshape(value["shape"])
            elif hint is float:
                value = float("nan") if value is None else float(value)
            values[field.name] = value
        return cls(**values)


def _flatten(record: Serialisable, prefix: str, arrays: dict) -> dict:
    payload: dict = {"state": type(record).__name__}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, Serialisable):
            value = _flatten(value, f"{prefix}{field.name}.", arrays)
        elif isinstance(value, np.ndarray):
            arrays[f"{prefix}{field.name}"] = value
            value = {"npz": f"{prefix}{field.name}"}
        elif isinstance(value, float) and not math.isfinite(value):
            value = None if math.isnan(value) else str(value)
        payload[field.name] = value
    return payload


def _restore(payload: dict, arrays) -> dict:
    out = {}
    for name, value in payload.items():
        if isinstance(value, dict) and set(value) == {"npz"}:
            out[name] = {"dtype": arrays[value["npz"]].dtype.str, "shape": list(arrays[value["npz"]].shape),
                         "array": arrays[value["npz"]]}
        elif isinstance(value, dict) and "state" in value:
            out[name] = _restore(value, arrays)
        else:
            out[name] = value
    return out


def to_bytes(record: Serialisable) -> bytes:
    """A record as compact bytes: an ``.npz`` of its arrays and a JSON description of the rest (no pickle).

    :func:`Serialisable.to_dict` writes arrays as JSON lists, which is what a person reads; this is what a
    message broker carries (a detector's state with seconds of samples, many times a second).
    """
    import io
    import json

    arrays: dict = {}
    payload = _flatten(record, "", arrays)
    buffer = io.BytesIO()
    np.savez(buffer, record=np.frombuffer(json.dumps(payload).encode(), dtype=np.uint8), **arrays)
    return buffer.getvalue()


def from_bytes(cls: type, data: bytes) -> Serialisable:
    """The record of class ``cls`` that :func:`to_bytes` wrote (checked as :meth:`Serialisable.from_dict` does)."""
    import io
    import json

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            payload = json.loads(arrays["record"].tobytes())
            contents = {name: arrays[name] for name in arrays.files if name != "record"}
    except (ValueError, OSError, KeyError) as exc:
        raise ValueError(f"not a serialised {cls.__name__} ({type(exc).__name__}: {exc})") from None
    return cls.from_dict(_restore(payload, contents))


def check_continuity(expected_gps: float, start_gps: float, sample_rate: float, what: str = "stream") -> bool:
    """Whether a chunk continues a stream; if not, warn with :class:`StreamGap` naming the span.

    Parameters
    ----------
    expected_gps : float
        GPS time at which the stream's next sample was due; NaN for a fresh
        stream (anything continues it).
    start_gps : float
        GPS time of the chunk's first sample.
    sample_rate : float
        Samples per second (the tolerance is half a sample).
    what : str
        What restarts (a detector, a stage), for the message.

    Returns
    -------
    bool
        True if the chunk starts within half a sample of ``expected_gps``
        (or the stream is fresh); False, after the warning, otherwise.
    """
    if math.isnan(expected_gps) or abs(start_gps - expected_gps) < 0.5 / sample_rate:
        return True
    if start_gps > expected_gps:
        kind = f"a gap of {start_gps - expected_gps:.6g} s (GPS {expected_gps:.6f} to {start_gps:.6f} missing)"
    else:
        kind = (f"an overlap or out-of-order chunk: it starts {expected_gps - start_gps:.6g} s before the "
                f"stream's next sample (GPS {start_gps:.6f} to {expected_gps:.6f} seen again)")
    warnings.warn(f"{what}: expected a chunk starting at GPS {expected_gps:.6f}, got one at GPS {start_gps:.6f}: "
                  f"{kind}; the filter restarts (its start-up transient is skipped again)", StreamGap, stacklevel=3)
    return False
