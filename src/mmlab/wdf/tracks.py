"""Tracks through a time–frequency map: the dynamic programming behind the excess-power statistic.

:func:`best_tracks` scores, for every tile, the best track of tiles ending on it
(one tile per column, at most ``max_row_step`` rows between columns, each tile
adding its energy less a penalty, restarted from zero where the sum would go
negative: a local alignment, Smith–Waterman on a map); :func:`track_path`
traces one track back and :func:`trace_tracks` summarises several. Used by
:mod:`mmlab.wdf.excess_power`, which explains the choice of statistic.
"""

from __future__ import annotations

import numpy as np

__all__ = ["best_tracks", "trace_tracks", "track_path"]


def best_tracks(energy: np.ndarray, penalty: float, max_row_step: int = 1) -> dict[str, np.ndarray]:
    """For every time column, the best-scoring track of tiles ending in it (dynamic programming).

    A track takes one tile per column and moves at most ``max_row_step`` rows
    between columns; its score is ``Σ (E − penalty)``, restarted from zero
    wherever it would go negative (a local alignment). The forward pass keeps
    only each tile's best score, in place in one padded array (``2 max_row_step + 2``
    numpy calls a column); the tracks themselves are traced back from the
    columns asked about (:func:`track_path`). Written here because no library
    offers this path search for a time–frequency map.

    Parameters
    ----------
    energy : numpy.ndarray
        ``(rows, columns)`` normalised tile energies, or ``(..., rows, columns)`` for several maps of one
        shape at once (the same numpy calls then serve them all: the stream's blocks of a batch).
    penalty : float
        Cost per tile.
    max_row_step : int
        Largest change of row between neighbouring columns (1 or more).

    Returns
    -------
    dict
        ``score`` and ``end_row`` of the best track ending in each column; ``scores``, the ``(columns, rows)``
        best score of a track ending on each tile (each after the leading axes of ``energy``).
    """
    *batch, rows, columns = energy.shape
    reach = int(max_row_step)
    gain = np.ascontiguousarray(np.moveaxis(energy, -1, 0), dtype=np.float64) - penalty  # (columns, ..., rows)
    # Row c + 1 holds column c's scores between walls of -inf, row 0 the zeros before the first column.
    padded = np.full((columns + 1, *batch, rows + 2 * reach), -np.inf)
    padded[0, ..., reach:reach + rows] = 0.0
    for column in range(columns):
        previous, score = padded[column], padded[column + 1, ..., reach:reach + rows]
        np.maximum(previous[..., :rows], previous[..., 1:rows + 1], out=score)
        for offset in range(2, 2 * reach + 1):
            np.maximum(score, previous[..., offset:offset + rows], out=score)
        # The best predecessor scores at least 0 (scores are never negative), so a track that would go
        # negative starts afresh on this tile: only the new score is clipped.
        score += gain[column]
        np.maximum(score, 0.0, out=score)
    scores = np.moveaxis(padded[1:, ..., reach:reach + rows], 0, -2)  # (..., columns, rows)
    if not columns:
        return {"score": np.zeros((*batch, 0)), "end_row": np.zeros((*batch, 0), dtype=np.int64), "scores": scores}
    end_row = scores.argmax(axis=-1)
    return {"score": np.take_along_axis(scores, end_row[..., None], axis=-1)[..., 0], "end_row": end_row,
            "scores": scores}


def track_path(scores: np.ndarray, column: int, row: int, max_row_step: int) -> list[tuple[int, int]]:
    """The tiles ``(column, row)`` of the best track ending on a tile, last first (see :func:`best_tracks`).

    Each step goes to the best-scoring tile within ``max_row_step`` rows in the previous column (of equal ones
    the nearest row, the lower first); the track starts on the tile whose predecessor scored nothing.
    """
    rows = scores.shape[1]
    offsets = [0] + [sign * step for step in range(1, int(max_row_step) + 1) for sign in (-1, 1)]
    path = [(int(column), int(row))]
    while column > 0:
        previous = scores[column - 1]
        candidates = [row + offset for offset in offsets if 0 <= row + offset < rows]
        row = max(candidates, key=lambda candidate: previous[candidate])  # the first of equal maxima
        if previous[row] <= 0:
            break
        column -= 1
        path.append((int(column), int(row)))
    return path


def trace_tracks(energy: np.ndarray, scores: np.ndarray, ends: np.ndarray, end_rows: np.ndarray,
                 max_row_step: int) -> dict[str, np.ndarray]:
    """Follow tracks back from their last tiles: first tile, lowest and highest row, and ``Σ (E − 1)`` along them.

    The energy counts the rows next to the track too: a Hann window spreads a narrow-band signal over three rows
    (half its power in the centre's two neighbours together), and noise there adds nothing on average.
    """
    out = {name: np.zeros(ends.size, dtype) for name, dtype in (("start_column", np.int64), ("start_row", np.int64),
                                                                   ("low_row", np.int64), ("high_row", np.int64),
                                                                   ("energy", float))}
    for k, (column, row) in enumerate(zip(ends, end_rows)):
        path = track_path(scores, int(column), int(row), max_row_step)
        tiles = np.array(path)
        out["start_column"][k], out["start_row"][k] = path[-1]
        out["low_row"][k], out["high_row"][k] = tiles[:, 1].min(), tiles[:, 1].max()
        out["energy"][k] = sum(float(np.sum(energy[max(r - 1, 0):r + 2, c] - 1.0)) for c, r in path)
    return out
