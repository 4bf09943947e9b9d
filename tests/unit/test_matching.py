"""vaa.matching against hand-computed values: every number of matching.md, then the edges.

Arithmetic is written next to each expected value, so a failure says which formula moved.
"""

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from vaa.matching import (
    METHODS,
    MISSING_POLICIES,
    MatchResult,
    Method,
    Missing,
    axis_positions,
    batch_scores,
    impute,
    match,
    round_half_up,
    scale_positions,
    sensitivity,
    statement_agreement,
    statement_distance,
)

nan = np.nan

# The worked example of matching.md (5-point scale): s2 is marked important.
VOTER = np.array([1.0, 0.5, 0.0, -1.0])
WEIGHTS = np.array([1.0, 2.0, 1.0, 1.0])
PARTY_A = [0.5, 0.5, -1.0, -0.5]
PARTY_B = [-1.0, 1.0, nan, -1.0]  # s3 unanswered
ENTITIES = np.array([PARTY_A, PARTY_B])
IDS = ["party-a", "party-b"]
THEMES = np.array([0, 0, 1, 1], dtype=np.intp)  # first = s1, s2; second = s3, s4


def worked(
    method: Method = "cityblock", missing: Missing = "max", *, n_themes: int = 2
) -> MatchResult:
    """The worked example under a method and a missing policy."""
    return match(
        VOTER,
        WEIGHTS,
        ENTITIES,
        entity_ids=IDS,
        themes=THEMES,
        n_themes=n_themes,
        method=method,
        missing=missing,
    )


def one(
    voter: list[float],
    entities: list[list[float]],
    *,
    weights: list[float] | None = None,
    ids: list[str] | None = None,
    method: Method = "cityblock",
    missing: Missing = "max",
) -> MatchResult:
    """Match a literal voter against literal entities, one theme, weights 1 by default."""
    q = len(voter)
    return match(
        np.array(voter, dtype=np.float64),
        np.array(weights if weights is not None else [1.0] * q, dtype=np.float64),
        np.array(entities, dtype=np.float64).reshape(len(entities), q),
        entity_ids=ids if ids is not None else [f"e{i}" for i in range(len(entities))],
        themes=np.zeros(q, dtype=np.intp),
        n_themes=1,
        method=method,
        missing=missing,
    )


# --- positions and rounding ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (2, [-1.0, 1.0]),
        (3, [-1.0, 0.0, 1.0]),
        (4, [-1.0, -1 / 3, 1 / 3, 1.0]),  # 2j/3 - 1
        (5, [-1.0, -0.5, 0.0, 0.5, 1.0]),
        (11, [-1.0, -0.8, -0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),  # steps of 2/10
    ],
)
def test_scale_positions(k: int, expected: list[float]) -> None:
    positions = scale_positions(k)
    assert positions == pytest.approx(expected, abs=1e-15)
    # opposite options are exact negatives, so symmetric answers tie exactly
    assert (positions == -positions[::-1]).all()


@pytest.mark.parametrize("k", [0, 1, 12])
def test_scale_positions_rejects_sizes_outside_2_to_11(k: int) -> None:
    with pytest.raises(ValueError, match="2 to 11"):
        scale_positions(k)


@pytest.mark.parametrize(
    ("x", "ndigits", "expected"),
    [
        (2.5, 0, 3.0),  # banker's rounding would give 2
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (-2.5, 0, -2.0),  # floor(-2.5 + 0.5) = -2: halves go up, not away from zero
        (72.6138, 1, 72.6),  # floor(726.138 + 0.5) / 10
        (0.125, 2, 0.13),  # floor(12.5 + 0.5) / 100 (0.125 is exact in binary)
        (60.8083, 0, 61.0),
    ],
)
def test_round_half_up(x: float, ndigits: int, expected: float) -> None:
    assert round_half_up(x, ndigits) == expected


def test_round_half_up_leaves_nan_and_infinity() -> None:
    assert math.isnan(round_half_up(math.nan))
    assert round_half_up(math.inf) == math.inf


# --- per-statement distance and agreement -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "v", "p", "d", "g"),
    [
        # cityblock: d = |v - p| / 2, g = 1 - d
        ("cityblock", 1.0, 1.0, 0.0, 1.0),
        ("cityblock", 0.5, 0.0, 0.25, 0.75),
        ("cityblock", 1.0, -1.0, 1.0, 0.0),
        ("cityblock", 1.0, 0.5, 0.25, 0.75),
        # euclidean: d = (v - p)^2 / 4, but g = 1 - |v - p| / 2
        ("euclidean", 0.5, 0.0, 0.0625, 0.75),  # 0.25 / 4
        ("euclidean", 1.0, -1.0, 1.0, 0.0),  # 4 / 4
        ("euclidean", 0.0, -1.0, 0.25, 0.5),  # 1 / 4
        # directional: d = (1 - v p) / 2
        ("directional", 1.0, 1.0, 0.0, 1.0),
        ("directional", 0.5, 0.5, 0.375, 0.625),  # (1 - 0.25) / 2: rewards intensity
        ("directional", 0.0, 1.0, 0.5, 0.5),  # either side neutral: 50 %
        ("directional", 0.0, 0.0, 0.5, 0.5),
        ("directional", 1.0, -1.0, 1.0, 0.0),
        # hybrid on a 5-point scale: (cityblock + directional) / 2
        ("hybrid", 0.5, 0.5, 0.1875, 0.8125),  # agree/agree (0 + 0.375) / 2 -> 81.25 %
        ("hybrid", 0.0, 0.0, 0.25, 0.75),  # neutral/neutral (0 + 0.5) / 2 -> 75 %
        ("hybrid", 0.5, 0.0, 0.375, 0.625),  # agree/neutral (0.25 + 0.5) / 2 -> 62.5 %
        ("hybrid", 0.5, -0.5, 0.5625, 0.4375),  # agree/disagree (0.5 + 0.625) / 2 -> 43.75 %
        ("hybrid", 1.0, 1.0, 0.0, 1.0),  # both at the same pole: (0 + 0) / 2
    ],
)
def test_statement_distance_and_agreement(
    method: Method, v: float, p: float, d: float, g: float
) -> None:
    assert statement_distance(v, p, method) == pytest.approx(d)
    assert statement_agreement(v, p, method) == pytest.approx(g)


def test_statement_distance_broadcasts_and_propagates_nan() -> None:
    d = statement_distance(np.array([1.0, nan]), np.array([[0.0, 1.0], [1.0, 1.0]]), "cityblock")
    assert d.shape == (2, 2)
    assert d[:, 0] == pytest.approx([0.5, 0.0])
    assert np.isnan(d[:, 1]).all()


def test_wahl_o_mat_points_rule_on_a_3_point_scale() -> None:
    # Wahl-O-Mat: 2 points same, 1 adjacent, 0 opposite; doubled statements count twice;
    # the match is points / maximum points.
    voter = [1.0, 0.0, -1.0, 1.0, 0.0]
    weights = [1.0, 2.0, 1.0, 1.0, 1.0]  # s2 doubled
    party = [1.0, 1.0, 1.0, -1.0, 0.0]
    # points: s1 2, s2 1 x 2 = 2, s3 0, s4 0, s5 2 -> 6 of 2 x (1 + 2 + 1 + 1 + 1) = 12 -> 50 %
    # cityblock: d = 0, 0.5, 1, 1, 0 -> (0 + 2 x 0.5 + 1 + 1 + 0) / 6 = 0.5 -> 50
    assert one(voter, [party], weights=weights).scores[0] == pytest.approx(50.0)
    # every pair of answers, one statement each: 100 x points / 2
    for v in (-1.0, 0.0, 1.0):
        for p in (-1.0, 0.0, 1.0):
            points = 2 - abs(v - p)  # 2 same, 1 adjacent, 0 opposite
            assert one([v], [[p]]).scores[0] == pytest.approx(100 * points / 2)


# --- the worked example of matching.md ----------------------------------------------------


def test_worked_example_cityblock_party_a() -> None:
    result = worked()
    # d = 0.25, 0, 0.5, 0.25; D = (0.25 + 2 x 0 + 0.5 + 0.25) / 5 = 0.2
    assert result.scores[0] == pytest.approx(80.0)
    assert result.agreements[0] == pytest.approx([75.0, 100.0, 50.0, 75.0])
    # g = 0.75, 1, 0.5, 0.75; m = (0.75 + 2 + 0.5 + 0.75) / 5 = 0.8
    # s2 = (0.05^2 + 2 x 0.2^2 + 0.3^2 + 0.05^2) / 5 = 0.175 / 5 = 0.035
    # n_eff = 5^2 / (1 + 4 + 1 + 1) = 25/7; se = sqrt(0.035 / (18/7)) = 7/60 = 0.11667
    # interval = 100 (0.8 -+ 1.645 x 7/60) = 80 -+ 19.1917
    assert result.intervals[0] == pytest.approx([60.8083, 99.1917], abs=1e-4)
    assert [round_half_up(x, 2) for x in result.intervals[0]] == [60.81, 99.19]


@pytest.mark.parametrize(
    ("missing", "score_b", "agreement_s3"),
    [
        # max: the voter is neutral on s3, so B meets +1: d = 1, 0.25, 0.5, 0
        # -> (1 + 2 x 0.25 + 0.5 + 0) / 5 = 0.4 -> 60
        ("max", 60.0, 50.0),
        # neutral: p = 0 on s3: d = 1, 0.25, 0, 0 -> (1 + 0.5) / 5 = 0.3 -> 70
        ("neutral", 70.0, 100.0),
        # skip: A_B = s1, s2, s4: (1 + 2 x 0.25 + 0) / (1 + 2 + 1) = 0.375 -> 62.5
        ("skip", 62.5, nan),
    ],
)
def test_worked_example_cityblock_party_b(
    missing: Missing, score_b: float, agreement_s3: float
) -> None:
    result = worked(missing=missing)
    assert result.scores == pytest.approx([80.0, score_b])
    assert result.agreements[1, 2] == pytest.approx(agreement_s3, nan_ok=True)
    assert result.close_to_top.tolist() == [True, True]
    assert result.order.tolist() == [0, 1]
    assert result.ranks.tolist() == [1, 2]


def test_worked_example_party_b_interval_and_closeness_under_max() -> None:
    result = worked()
    # g_B = 0, 0.75, 0.5, 1; m = (0 + 1.5 + 0.5 + 1) / 5 = 0.6
    # s2 = (0.36 + 2 x 0.0225 + 0.01 + 0.16) / 5 = 0.115; se = sqrt(0.115 x 7/18) = 0.211476
    # interval = 60 -+ 164.5 x 0.211476 = 60 -+ 34.7878
    assert result.intervals[1] == pytest.approx([25.2122, 94.7878], abs=1e-4)
    # close to the top: delta = g_A - g_B = 0.75, 0.25, 0, -0.25 (w 1, 2, 1, 1)
    # m = (0.75 + 0.5 + 0 - 0.25) / 5 = 0.2; s2 = (0.55^2 + 2 x 0.05^2 + 0.2^2 + 0.45^2) / 5
    # = 0.55 / 5 = 0.11; se = sqrt(0.11 x 7/18) = 0.20683; 0.2 <= 1.645 x 0.20683 = 0.3402
    assert result.close_to_top[1]


def test_worked_example_interval_is_clipped_to_100() -> None:
    # neutral: g_B = 0, 0.75, 1, 1; m = 0.7; s2 = (0.49 + 2 x 0.0025 + 0.09 + 0.09) / 5
    # = 0.135; se = sqrt(0.135 x 7/18) = 0.229129; 0.7 -+ 0.376917 -> [32.3083, 107.69 -> 100]
    assert worked(missing="neutral").intervals[1] == pytest.approx([32.3083, 100.0], abs=1e-4)


@pytest.mark.parametrize(
    ("method", "missing", "a", "b"),
    [
        # directional A: d = (1 - 0.5)/2, (1 - 0.25)/2, (1 - 0)/2, (1 - 0.5)/2
        # = 0.25, 0.375, 0.5, 0.25 -> (0.25 + 0.75 + 0.5 + 0.25) / 5 = 0.35 -> 65
        # directional B (max, s3 -> +1): d = 1, 0.25, 0.5, 0 -> (1 + 0.5 + 0.5) / 5 = 0.4 -> 60
        ("directional", "max", 65.0, 60.0),
        # hybrid = mean of cityblock and directional, the weights being equal:
        # A (80 + 65) / 2 = 72.5; B max (60 + 60) / 2 = 60; B neutral (70 + 60) / 2 = 65
        ("hybrid", "max", 72.5, 60.0),
        ("hybrid", "neutral", 72.5, 65.0),
        # euclidean A: d = 0.0625, 0, 0.25, 0.0625 -> 0.375 / 5 = 0.075 -> 100 (1 - 0.27386)
        # euclidean B: d = 1, 0.0625, 0.25, 0 -> (1 + 0.125 + 0.25) / 5 = 0.275 -> 100 (1 - 0.52440)
        ("euclidean", "max", 72.614, 47.560),
    ],
)
def test_worked_example_other_methods(method: Method, missing: Missing, a: float, b: float) -> None:
    assert worked(method, missing).scores == pytest.approx([a, b], abs=5e-4)


def test_worked_example_euclidean_interval_maps_the_mean_squared_distance() -> None:
    result = worked("euclidean")
    # the voter sees linear agreements: 1 - |v - p| / 2
    assert result.agreements[0] == pytest.approx([75.0, 100.0, 50.0, 75.0])
    # u = 0.0625, 0, 0.25, 0.0625 (w 1, 2, 1, 1); m = 0.075
    # s2 = (0.0125^2 + 2 x 0.075^2 + 0.175^2 + 0.0125^2) / 5 = 0.0421875 / 5 = 0.0084375
    # se = sqrt(0.0084375 x 7/18) = 0.0572822; u in [0.075 - 0.094229 -> 0, 0.169229]
    # score interval = [100 (1 - sqrt(0.169229)), 100 (1 - sqrt(0))] = [58.8625, 100]
    assert result.intervals[0] == pytest.approx([58.8625, 100.0], abs=1e-4)
    assert result.intervals[0, 0] <= result.scores[0] <= result.intervals[0, 1]


def test_worked_example_theme_scores() -> None:
    result = worked(n_themes=3)  # theme 2 has no statement at all
    # A first: d = 0.25 (w 1), 0 (w 2) -> 0.25 / 3 -> 91.667; second: (0.5 + 0.25) / 2 -> 62.5
    # B first: (1 + 2 x 0.25) / 3 = 0.5 -> 50; second (max): (0.5 + 0) / 2 -> 75
    assert result.theme_scores[:, :2] == pytest.approx(
        np.array([[100 * (1 - 0.25 / 3), 62.5], [50.0, 75.0]])
    )
    assert np.isnan(result.theme_scores[:, 2]).all()


def test_theme_with_no_answered_statement_is_nan() -> None:
    voter = VOTER.copy()
    voter[0] = nan  # the voter skips s1
    result = match(
        voter,
        WEIGHTS,
        ENTITIES,
        entity_ids=IDS,
        themes=np.array([0, 1, 1, 2], dtype=np.intp),
        n_themes=3,
    )
    assert np.isnan(result.theme_scores[:, 0]).all()
    # A theme 1: d = 0 (w 2), 0.5 -> 0.5 / 3; theme 2: 0.25 -> 75
    assert result.theme_scores[0, 1:] == pytest.approx([100 * (1 - 0.5 / 3), 75.0])
    assert np.isnan(result.agreements[:, 0]).all()  # s1 is not in A


def test_worked_example_top_match_is_robust_to_the_method() -> None:
    top = sensitivity(VOTER, WEIGHTS, ENTITIES, entity_ids=IDS, missing="max")
    assert top == dict.fromkeys(METHODS, 0)


# --- missing entity positions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        # furthest from v: v > 0 -> -1, v < 0 -> +1, v = 0 -> +1; a skipped statement stays NaN
        ("max", [[-1.0, 1.0, 1.0, nan], [0.5, 1.0, 1.0, nan]]),
        ("neutral", [[0.0, 0.0, 0.0, nan], [0.5, 0.0, 0.0, nan]]),
        ("skip", [[nan, nan, nan, nan], [0.5, nan, nan, nan]]),
    ],
)
def test_impute(missing: Missing, expected: list[list[float]]) -> None:
    voter = np.array([1.0, -0.5, 0.0, nan])
    entities = np.array([[nan] * 4, [0.5, nan, nan, nan]])
    assert impute(voter, entities, missing) == pytest.approx(np.array(expected), nan_ok=True)


@pytest.mark.parametrize(
    ("missing", "score", "close"),
    [
        # voter (1, 0) against an entity that answered nothing and a twin (1, 0) with g = 1, 1
        # max: p = -1, +1: d = 1, 0.5 -> 0.75 -> 25; g = 0, 0.5, delta = 1, 0.5
        #   m = 0.75, s2 = 0.0625, n_eff = 2, se = 0.25: 0.75 > 1.645 x 0.25 = 0.411 -> apart
        ("max", 25.0, False),
        # neutral: p = 0, 0: d = 0.5, 0 -> 0.25 -> 75; delta = 0.5, 0
        #   m = 0.25, se = 0.25: 0.25 <= 0.411 -> close
        ("neutral", 75.0, True),
        # skip: A_e empty -> no score, never close
        ("skip", nan, False),
    ],
)
def test_entity_that_answered_nothing(missing: Missing, score: float, close: bool) -> None:
    result = one([1.0, 0.0], [[nan, nan], [1.0, 0.0]], missing=missing)
    assert result.scores == pytest.approx([score, 100.0], nan_ok=True)
    assert result.order.tolist() == [1, 0]
    assert result.ranks.tolist() == [2, 1]  # ranks are per entity, in input order
    assert result.close_to_top.tolist() == [close, True]
    if missing == "skip":
        assert np.isnan(result.intervals[0]).all()
        assert np.isnan(result.agreements[0]).all()


def test_skip_with_no_shared_statement_is_close_to_the_top() -> None:
    # skip: T answered s1 only (100), E s2 only (d = 0.25 -> 75); nothing tells them apart
    result = one([1.0, 1.0], [[1.0, nan], [nan, 0.5]], missing="skip")
    assert result.scores == pytest.approx([100.0, 75.0])
    assert result.close_to_top.tolist() == [True, True]


def test_nobody_is_close_to_the_top_when_no_entity_scores() -> None:
    result = one([1.0], [[nan], [nan]], missing="skip")
    assert np.isnan(result.scores).all()
    assert result.close_to_top.tolist() == [False, False]
    assert result.ranks.tolist() == [1, 1]  # NaN entities share the rank after the scored ones
    assert result.order.tolist() == [0, 1]


# --- weights and skips ----------------------------------------------------------------------


def test_weight_zero_leaves_a_statement_out() -> None:
    # s2 at weight 0 is not in A: d = 0 on s1 alone -> 100, as if the voter had skipped s2
    weighted = one([1.0, -1.0], [[1.0, 1.0]], weights=[1.0, 0.0])
    skipped = one([1.0, nan], [[1.0, 1.0]])
    assert weighted.scores == pytest.approx([100.0])
    assert skipped.scores == pytest.approx([100.0])
    assert np.isnan(weighted.agreements[0, 1])


def test_weight_two_counts_a_statement_twice() -> None:
    # d = 0 (w 2), 1 (w 1) -> 1 / 3 -> 66.667, as with s1 asked twice
    doubled = one([1.0, -1.0], [[1.0, 1.0]], weights=[2.0, 1.0])
    twice = one([1.0, 1.0, -1.0], [[1.0, 1.0, 1.0]])
    assert doubled.scores == pytest.approx([100 * 2 / 3])
    assert twice.scores == pytest.approx(doubled.scores)
    # but the interval sees fewer independent statements: n_eff = 9/5 against 3
    assert doubled.intervals[0, 0] < twice.intervals[0, 0]


@pytest.mark.parametrize(
    ("voter", "weights"),
    [([nan, nan], [1.0, 1.0]), ([1.0, 0.5], [0.0, 0.0]), ([nan, 1.0], [1.0, 0.0])],
)
def test_nothing_answered_is_an_error(voter: list[float], weights: list[float]) -> None:
    with pytest.raises(ValueError, match="no statement answered"):
        one(voter, [[1.0, 1.0]], weights=weights)
    with pytest.raises(ValueError, match="no statement answered"):
        sensitivity(
            np.array(voter), np.array(weights), np.ones((1, 2)), entity_ids=["e"], missing="max"
        )


def test_single_statement_interval_has_no_width() -> None:
    # one statement: s2 = 0 and n_eff - 1 = 0 -> divisor 1, se = 0; d = 0.25 -> 75
    result = one([1.0, nan], [[0.5, 0.0]])
    assert result.intervals[0] == pytest.approx([75.0, 75.0])


# --- ranking --------------------------------------------------------------------------------


def test_ties_share_a_rank_and_are_ordered_by_id() -> None:
    # voter (1, 1); skip policy so d is over answered statements only
    # "c": (1, 0) -> d 0, 0.5 -> 75; "a": (0, 1) -> 75; "b": (0, 0) -> 50; "d": nothing -> NaN
    result = one(
        [1.0, 1.0],
        [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [nan, nan]],
        ids=["c", "a", "b", "d"],
        missing="skip",
    )
    assert result.scores == pytest.approx([75.0, 75.0, 50.0, nan], nan_ok=True)
    assert result.order.tolist() == [1, 0, 2, 3]  # a, c, b, d
    assert result.ranks.tolist() == [1, 1, 3, 4]  # 1, 1, 3: competition ranks


def test_float_noise_does_not_break_a_tie() -> None:
    # voter (0.1, 0.7); "b" (0.7, 0.2): d = 0.3, 0.25; "a" (0.6, 0.1): d = 0.25, 0.3
    # both 100 (1 - 0.55 / 2) = 72.5, but in floats "b" comes out 1.4e-14 above "a"
    result = one([0.1, 0.7], [[0.7, 0.2], [0.6, 0.1]], ids=["b", "a"])
    assert result.scores == pytest.approx([72.5, 72.5])
    assert result.scores[0] > result.scores[1]  # the noise this test is about
    assert result.order.tolist() == [1, 0]  # a before b: a tie, so by id
    assert result.ranks.tolist() == [1, 1]


def test_close_to_top_needs_confidence() -> None:
    # voter (1, 1, 1, 1); T = (1, 1, 1, 1) g = 1 each
    # X = (1, 1, 0, -1): g = 1, 1, 0.5, 0; delta = 0, 0, 0.5, 1; m = 0.375
    #   s2 = (2 x 0.375^2 + 0.125^2 + 0.625^2) / 4 = 0.171875; se = sqrt(0.171875 / 3) = 0.239357
    #   0.375 <= 1.645 x 0.239357 = 0.39374 -> close
    # Y = (1, 0, -1, -1): delta = 0, 0.5, 1, 1; m = 0.625, same se -> 0.625 > 0.39374: apart
    # Z = (-1, -1, -1, -1): delta = 1 each, m = 1, se = 0 -> apart
    result = one(
        [1.0] * 4,
        [[1.0] * 4, [1.0, 1.0, 0.0, -1.0], [1.0, 0.0, -1.0, -1.0], [-1.0] * 4],
        ids=["t", "x", "y", "z"],
    )
    assert result.close_to_top.tolist() == [True, True, False, False]


# --- scales ---------------------------------------------------------------------------------


def test_four_point_scale_has_no_neutral() -> None:
    x = scale_positions(4)  # -1, -1/3, 1/3, 1
    # mildly agree against mildly disagree: |1/3 + 1/3| / 2 = 1/3 -> 66.667
    assert one([x[2]], [[x[1]]]).scores[0] == pytest.approx(100 * 2 / 3)
    # max imputes +1 against -1/3: |-1/3 - 1| / 2 = 2/3 -> 33.333
    assert one([x[1]], [[nan]]).scores[0] == pytest.approx(100 / 3)


def test_two_point_scale_gives_every_method_the_same_distances() -> None:
    # d is 0 or 1 under every method: d = 0, 1, 0, 1 -> D = 0.5
    voter, party = [1.0, 1.0, -1.0, 1.0], [[1.0, -1.0, -1.0, -1.0]]
    for method in ("cityblock", "directional", "hybrid"):
        assert one(voter, party, method=method).scores[0] == pytest.approx(50.0)
    # euclidean: 100 (1 - sqrt(0.5)) = 29.289
    assert one(voter, party, method="euclidean").scores[0] == pytest.approx(29.2893, abs=1e-4)


# --- sensitivity ----------------------------------------------------------------------------


def test_sensitivity_shows_a_top_match_that_depends_on_the_formula() -> None:
    # voter (0.5, 0.5); x = (0.5, 0.5), y = (1, 1)
    # cityblock x 100, y 75; directional x (1 - 0.25) / 2 = 0.375 -> 62.5, y (1 - 0.5) / 2 -> 75
    # hybrid x (0 + 0.375) / 2 -> 81.25, y (0.25 + 0.25) / 2 -> 75; euclidean x 100, y 75
    top = sensitivity(
        np.array([0.5, 0.5]),
        np.ones(2),
        np.array([[0.5, 0.5], [1.0, 1.0]]),
        entity_ids=["x", "y"],
        missing="max",
    )
    assert top == {"cityblock": 0, "euclidean": 0, "directional": 1, "hybrid": 0}


def test_sensitivity_is_none_when_no_entity_scores() -> None:
    top = sensitivity(
        np.array([1.0]), np.ones(1), np.array([[nan]]), entity_ids=["e"], missing="skip"
    )
    assert top == dict.fromkeys(METHODS, None)
    assert sensitivity(
        np.array([1.0]), np.ones(1), np.empty((0, 1)), entity_ids=[], missing="max"
    ) == dict.fromkeys(METHODS, None)


def test_no_entities_give_empty_results() -> None:
    result = one([1.0], [])
    assert result.scores.shape == (0,) and result.order.shape == (0,)
    assert result.close_to_top.shape == (0,)


# --- axis positions -------------------------------------------------------------------------


def test_axis_positions() -> None:
    loadings = np.array([[1.0, 0.0], [-0.5, 0.0], [0.0, 1.0]])  # axis 0: s1, s2; axis 1: s3
    answers = np.array([[1.0, 0.5, 0.0], [-1.0, nan, nan]])
    positions = axis_positions(answers, loadings)
    # row 0: (1 x 1 - 0.5 x 0.5) / (1 + 0.5) = 0.5; axis 1: 0 / 1 = 0
    # row 1: -1 / 1 (s2 unanswered, left out); axis 1: s3 unanswered -> NaN
    assert positions == pytest.approx(np.array([[0.5, 0.0], [-1.0, nan]]), nan_ok=True)
    # a single respondent, shape (1, Q)
    assert axis_positions(answers[:1], loadings) == pytest.approx(np.array([[0.5, 0.0]]))


# --- batch ----------------------------------------------------------------------------------


def _positions(
    rng: np.random.Generator, shape: tuple[int, int], values: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Random positions on a scale (or anywhere in [-1, 1] without one), 20 % of them NaN."""
    if values is None:
        positions = rng.uniform(-1, 1, shape)
    else:
        positions = values[rng.integers(0, values.size, shape)]
    positions[rng.random(shape) < 0.2] = nan
    return positions


@pytest.mark.parametrize("answers_on", ["5-point", "continuous", "mixed"])
@pytest.mark.parametrize("missing", MISSING_POLICIES)
@pytest.mark.parametrize("method", METHODS)
def test_batch_equals_match_per_voter(method: Method, missing: Missing, answers_on: str) -> None:
    # On a scale every distinct position becomes one matrix product; continuous answers
    # have more distinct positions per chunk than that path takes and are broadcast;
    # mixed: scale positions (matrix products) next to continuous ones (broadcast).
    rng = np.random.default_rng(7)
    n, q, e = 40, 12, 5
    values = scale_positions(5) if answers_on != "continuous" else None
    answers = _positions(rng, (n, q), values)
    if answers_on == "mixed":  # after the first chunk, half the answers off the scale
        off_scale = rng.random((n - 9, q)) < 0.5
        answers[9:][off_scale] = rng.uniform(-1, 1, (n - 9, q))[off_scale]
    answers[0] = nan  # a voter who skipped everything: a NaN row, no exception
    weights = rng.choice([0.0, 1.0, 1.0, 2.0], size=(n, q))  # some 0, some important
    entities = _positions(rng, (e, q), values)
    entities[-1] = nan  # an entity that answered nothing
    # chunks of 9: smaller than n, and n is no multiple of it
    scores = batch_scores(answers, weights, entities, method=method, missing=missing, chunk_size=9)
    assert scores.shape == (n, e)
    assert np.isnan(scores[0]).all()
    for r in range(1, n):
        expected = match(
            answers[r],
            weights[r],
            entities,
            entity_ids=list("abcde"),
            themes=np.zeros(q, dtype=np.intp),
            n_themes=1,
            method=method,
            missing=missing,
        ).scores
        np.testing.assert_allclose(scores[r], expected, rtol=0, atol=1e-9)


def test_batch_handles_the_worked_example() -> None:
    scores = batch_scores(
        np.array([VOTER, VOTER]),
        np.array([WEIGHTS, WEIGHTS]),
        ENTITIES,
        method="cityblock",
        missing="skip",
    )
    assert scores == pytest.approx(np.array([[80.0, 62.5], [80.0, 62.5]]))


# --- bad input ------------------------------------------------------------------------------


def _match_kwargs(**changes: object) -> dict[str, object]:
    kwargs: dict[str, object] = {
        "voter": VOTER,
        "weights": WEIGHTS,
        "entities": ENTITIES,
        "entity_ids": IDS,
        "themes": THEMES,
        "n_themes": 2,
    }
    return kwargs | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights": np.array([1.0, -1.0, 1.0, 1.0])}, "weights must be finite and >= 0"),
        ({"weights": np.array([1.0, nan, 1.0, 1.0])}, "weights must be finite and >= 0"),
        ({"weights": np.ones(3)}, "3 weights for 4 statements"),
        ({"voter": np.ones((1, 4))}, "voter must be 1-D"),
        ({"entities": np.ones(4)}, "entities must be 2-D"),
        ({"entities": np.ones((2, 3))}, "entities have 3 statements"),
        ({"entities": np.full((2, 4), 2.0)}, r"positions must lie in \[-1, 1\]"),
        ({"voter": np.array([1.0, 0.5, 0.0, -3.0])}, r"positions must lie in \[-1, 1\]"),
        ({"entity_ids": ["a"]}, "1 entity ids for 2 entities"),
        ({"themes": np.zeros(3, dtype=np.intp)}, "themes must have shape"),
        ({"themes": np.array([0, 0, 1, 2], dtype=np.intp)}, "theme indices"),
        ({"themes": np.array([0, 0, 1, -1], dtype=np.intp)}, "theme indices"),
        ({"method": "manhattan"}, "unknown method 'manhattan'"),
        ({"missing": "mean"}, "unknown missing policy 'mean'"),
    ],
)
def test_match_rejects_bad_input(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        match(**_match_kwargs(**changes))  # type: ignore[arg-type]


def test_sensitivity_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="1 entity ids"):
        sensitivity(VOTER, WEIGHTS, ENTITIES, entity_ids=["a"], missing="max")
    with pytest.raises(ValueError, match="unknown missing policy"):
        sensitivity(VOTER, WEIGHTS, ENTITIES, entity_ids=IDS, missing="none")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.ones(4), np.ones((1, 4)), ENTITIES), {}, "answers must be 2-D"),
        ((np.ones((1, 4)), np.ones((1, 3)), ENTITIES), {}, "weights have shape"),
        ((np.ones((1, 3)), np.ones((1, 3)), ENTITIES), {}, "entities have 4 statements, answers 3"),
        ((np.ones((1, 4)), -np.ones((1, 4)), ENTITIES), {}, "weights must be finite"),
        ((np.full((1, 4), 1.5), np.ones((1, 4)), ENTITIES), {}, "answers positions"),
        ((np.ones((1, 4)), np.ones((1, 4)), ENTITIES), {"chunk_size": 0}, "chunk_size"),
        ((np.ones((1, 4)), np.ones((1, 4)), ENTITIES), {"method": "x"}, "unknown method"),
        ((np.ones((1, 4)), np.ones((1, 4)), ENTITIES), {"missing": "x"}, "unknown missing"),
    ],
)
def test_batch_rejects_bad_input(
    args: tuple[NDArray[np.float64], ...], kwargs: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {"method": "cityblock", "missing": "max"} | kwargs
    with pytest.raises(ValueError, match=message):
        batch_scores(*args, **options)  # type: ignore[arg-type]


def test_other_functions_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        statement_distance(1.0, 1.0, "taxicab")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown missing policy"):
        impute(VOTER, ENTITIES, "zero")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="entities have 4 statements, the voter 3"):
        impute(VOTER[:3], ENTITIES, "max")
    with pytest.raises(ValueError, match="loadings cover 2 statements"):
        axis_positions(np.ones((1, 3)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="loadings must be finite"):
        axis_positions(np.ones((1, 2)), np.array([[nan], [1.0]]))
