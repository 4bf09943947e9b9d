"""batch_scores(dtype=np.float32): the opt-in single-precision path (issue 14 item 6)."""

import numpy as np
import pytest

from vaa.matching import (
    FLOAT32_TOLERANCE,
    METHODS,
    MISSING_POLICIES,
    Method,
    Missing,
    batch_scores,
    scale_positions,
)


def _inputs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = scale_positions(5)
    answers = x[rng.integers(0, 5, (n, 24))]
    answers[rng.random((n, 24)) < 0.15] = np.nan  # skipped
    answers[:3] = np.nan  # voters who answered nothing
    answers[n - 5 :, 0] = 0.3  # a position the scale lacks, first seen in a late chunk
    weights = rng.choice([0.0, 1.0, 2.0], size=(n, 24), p=[0.1, 0.7, 0.2])
    entities = x[rng.integers(0, 5, (9, 24))]
    entities[rng.random((9, 24)) < 0.1] = np.nan
    entities[4] = np.nan  # an entity that answered nothing
    return answers, weights, entities


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("missing", MISSING_POLICIES)
def test_float32_scores_are_within_the_stated_tolerance(method: Method, missing: Missing) -> None:
    answers, weights, entities = _inputs(3_000, seed=len(method) + len(missing))
    exact = batch_scores(answers, weights, entities, method=method, missing=missing)
    single = batch_scores(
        answers,
        weights,
        entities,
        method=method,
        missing=missing,
        chunk_size=700,
        dtype=np.float32,
    )
    assert single.dtype == np.float32 and single.shape == exact.shape
    np.testing.assert_array_equal(np.isnan(single), np.isnan(exact))
    assert np.nanmax(np.abs(single - exact)) <= FLOAT32_TOLERANCE


def test_float32_refuses_what_float64_refuses() -> None:
    answers, weights, entities = _inputs(50, seed=1)
    bad_weights = weights.copy()
    bad_weights[40, 2] = -1
    with pytest.raises(ValueError, match="weights"):
        batch_scores(
            answers, bad_weights, entities, method="cityblock", missing="max", dtype=np.float32
        )
    bad_weights[40, 2] = np.inf
    with pytest.raises(ValueError, match="weights"):
        batch_scores(
            answers, bad_weights, entities, method="cityblock", missing="max", dtype=np.float32
        )
    bad_answers = answers.copy()
    bad_answers[45, 1] = 1.5
    with pytest.raises(ValueError, match="positions"):
        batch_scores(
            bad_answers, weights, entities, method="cityblock", missing="max", dtype=np.float32
        )


def test_float32_refuses_a_nan_weight_and_an_answer_out_of_range_even_at_weight_0() -> None:
    answers, weights, entities = _inputs(50, seed=2)
    bad_weights = weights.copy()
    bad_weights[7, 3] = np.nan
    with pytest.raises(ValueError, match="weights"):
        batch_scores(
            answers, bad_weights, entities, method="cityblock", missing="max", dtype=np.float32
        )
    bad_answers, zero = answers.copy(), weights.copy()
    bad_answers[10, 5], zero[10, 5] = -1.25, 0.0
    with pytest.raises(ValueError, match="positions"):
        batch_scores(
            bad_answers, zero, entities, method="cityblock", missing="max", dtype=np.float32
        )


@pytest.mark.parametrize("missing", MISSING_POLICIES)
def test_float32_scores_answers_off_any_scale_as_float64_does(missing: Missing) -> None:
    """More distinct positions than tables: the chunk is scored as in float64."""
    rng = np.random.default_rng(5)
    answers = rng.uniform(-1, 1, (400, 12))
    answers[rng.random((400, 12)) < 0.2] = np.nan
    weights = rng.choice([1.0, 2.0], size=(400, 12))
    entities = scale_positions(5)[rng.integers(0, 5, (6, 12))]
    exact = batch_scores(answers, weights, entities, method="euclidean", missing=missing)
    single = batch_scores(
        answers, weights, entities, method="euclidean", missing=missing, dtype=np.float32
    )
    np.testing.assert_array_equal(np.isnan(single), np.isnan(exact))
    assert np.nanmax(np.abs(single - exact)) <= FLOAT32_TOLERANCE
