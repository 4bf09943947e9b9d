"""A group's anonymous summary: arrays in, numbers out (no database, no web).

A group session's answers are a matrix of choices, one row per participant and one
column per statement: the index of the chosen scale option (0 .. k-1), SKIPPED, or
NONE when the statement has not been reached yet. From it:

- counts (Q, k+1): per statement, how many chose each option; the last column counts
  skips. Show-of-hands tallies are added to these counts as they are.
- spread (Q,): the standard deviation of the chosen options' scale positions x in
  [-1, 1] (skips left out), sqrt(sum c_j (x_j - m)^2 / sum c_j) with m the mean; 0 is a
  united group, 1 a group split evenly between the two ends. NaN below two answers.
- average scores (E,): the mean over respondents of vaa.matching.batch_scores (each
  respondent's match in percent); respondents with nothing to compare are left out.
- density (G, G): how many respondents fall in each cell of a G x G grid over the two
  axes' [-1, 1] x [-1, 1]; cell (row j, column i) holds x in bin i and y in bin j, bin
  b = min(floor((p + 1) / 2 * G), G - 1). Positions themselves are never returned.
"""

import numpy as np
from numpy.typing import NDArray

from vaa import matching

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SKIPPED = -1
NONE = -2


def option_counts(choices: IntArray, k: int, tallies: IntArray | None = None) -> IntArray:
    """Counts (Q, k+1) of each option per statement, the last column the skips."""
    q = choices.shape[1]
    counts = np.zeros((q, k + 1), dtype=np.int64)
    for j in range(k):
        counts[:, j] = (choices == j).sum(axis=0)
    counts[:, k] = (choices == SKIPPED).sum(axis=0)
    if tallies is not None:
        if tallies.shape != counts.shape:
            raise ValueError(f"tallies have shape {tallies.shape}, expected {counts.shape}")
        counts += tallies
    return counts


def spread(counts: IntArray, positions: FloatArray) -> FloatArray:
    """The standard deviation of the answers' positions per statement (NaN below two)."""
    c = counts[:, : len(positions)].astype(np.float64)
    total = c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (c @ positions) / total
        variance = (c * (positions[np.newaxis, :] - mean[:, np.newaxis]) ** 2).sum(axis=1) / total
    result: FloatArray = np.sqrt(np.maximum(variance, 0.0))
    result[total < 2] = np.nan
    return result


def ranked(values: FloatArray, n: int, *, largest: bool) -> list[int]:
    """Indices of the n largest (or smallest) non-NaN values; ties by index."""
    index = [i for i in range(len(values)) if not np.isnan(values[i])]
    index.sort(key=lambda i: (-values[i] if largest else values[i], i))
    return index[:n]


def positions_of(choices: IntArray, k: int) -> FloatArray:
    """The scale positions (n, Q) of the choices; NaN for skipped and unanswered."""
    x = matching.scale_positions(k)
    answered = choices >= 0
    result: FloatArray = np.where(answered, x[np.where(answered, choices, 0)], np.nan)
    return result


def average_scores(
    answers: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    method: matching.Method,
    missing: matching.Missing,
) -> tuple[FloatArray, int]:
    """The mean match (E,) over respondents with something to compare, and their number."""
    if answers.shape[0] == 0:
        return np.full(entities.shape[0], np.nan), 0
    scores = matching.batch_scores(answers, weights, entities, method=method, missing=missing)
    kept = scores[~np.isnan(scores).all(axis=1)]
    if kept.shape[0] == 0:
        return np.full(entities.shape[0], np.nan), 0
    scored = ~np.isnan(kept)
    n = scored.sum(axis=0)
    total = np.where(scored, kept, 0.0).sum(axis=0)
    mean: FloatArray = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return mean, int(kept.shape[0])


def density(points: FloatArray, size: int) -> IntArray:
    """Counts (size, size) of the points (n, 2) per grid cell; rows with NaN are left out."""
    if size < 1:
        raise ValueError(f"a grid has at least one cell, not {size}")
    grid = np.zeros((size, size), dtype=np.int64)
    if points.shape[0] == 0:
        return grid
    kept = points[~np.isnan(points).any(axis=1)]
    bins = np.minimum(np.floor((np.clip(kept, -1.0, 1.0) + 1.0) / 2.0 * size), size - 1)
    bins = bins.astype(np.int64)
    np.add.at(grid, (bins[:, 1], bins[:, 0]), 1)
    return grid
