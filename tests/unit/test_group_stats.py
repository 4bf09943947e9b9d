"""vaa.group_stats: a group's anonymous summary, worked by hand on tiny matrices.

Choices are option indices on a five-point scale (positions -1, -0.5, 0, 0.5, 1),
SKIPPED (-1) or NONE (-2, not reached yet).
"""

import math

import numpy as np
import pytest

from vaa import group_stats
from vaa.group_stats import NONE, SKIPPED

FIVE = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])


def test_option_counts_tally_each_option_and_put_skips_last() -> None:
    # Three people, two statements; the second person has not reached statement 2.
    choices = np.array([[0, 4], [0, NONE], [SKIPPED, 4]])
    counts = group_stats.option_counts(choices, 5)
    assert counts.tolist() == [
        [2, 0, 0, 0, 0, 1],  # two chose option 0, one skipped
        [0, 0, 0, 0, 2, 0],  # two chose option 4; NONE is not counted at all
    ]


def test_show_of_hands_tallies_are_added_to_the_counts() -> None:
    choices = np.array([[1], [1]])
    tallies = np.array([[3, 0, 0, 0, 0, 2]])
    assert group_stats.option_counts(choices, 5, tallies).tolist() == [[3, 2, 0, 0, 0, 2]]


def test_tallies_of_another_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="expected"):
        group_stats.option_counts(np.array([[1]]), 5, np.zeros((1, 5), dtype=np.int64))


def test_spread_is_one_for_a_group_split_between_the_ends_and_nan_below_two() -> None:
    counts = np.array(
        [
            [2, 0, 0, 0, 2, 7],  # -1, -1, 1, 1: mean 0, variance 1 (skips left out)
            [0, 0, 1, 1, 0, 0],  # 0 and 0.5: mean 0.25, variance 0.0625, sd 0.25
            [0, 0, 3, 0, 0, 0],  # all in the middle: united
            [0, 1, 0, 0, 0, 5],  # one answer only
        ]
    )
    result = group_stats.spread(counts, FIVE)
    assert result[:3].tolist() == pytest.approx([1.0, 0.25, 0.0])
    assert np.isnan(result[3])


def test_ranked_orders_by_value_skips_nan_and_breaks_ties_by_index() -> None:
    values = np.array([0.5, np.nan, 0.9, 0.5, 0.1])
    assert group_stats.ranked(values, 3, largest=True) == [2, 0, 3]
    assert group_stats.ranked(values, 2, largest=False) == [4, 0]


def test_positions_of_maps_choices_to_the_scale_and_gaps_to_nan() -> None:
    positions = group_stats.positions_of(np.array([[0, 2, 4, SKIPPED, NONE]]), 5)
    assert positions[0, :3].tolist() == [-1.0, 0.0, 1.0]
    assert np.isnan(positions[0, 3:]).all()


def test_average_scores_is_the_mean_over_respondents_who_can_be_compared() -> None:
    # One party at (1, 1). One voter agrees fully (100 %), one is opposite (0 %),
    # one skipped everything and is left out: the average is 50 % over 2 people.
    entities = np.array([[1.0, 1.0]])
    answers = np.array([[1.0, 1.0], [-1.0, -1.0], [np.nan, np.nan]])
    mean, n = group_stats.average_scores(
        answers, np.ones_like(answers), entities, method="cityblock", missing="skip"
    )
    assert n == 2
    assert mean.tolist() == pytest.approx([50.0])


def test_average_scores_of_nobody_is_nan() -> None:
    mean, n = group_stats.average_scores(
        np.zeros((0, 2)),
        np.zeros((0, 2)),
        np.array([[1.0, 1.0]]),
        method="cityblock",
        missing="skip",
    )
    assert n == 0
    assert np.isnan(mean).all()


def test_density_counts_points_per_cell_row_y_column_x() -> None:
    points = np.array(
        [
            [-0.5, -0.5],  # bottom-left: row 0, column 0
            [0.5, -0.5],  # x in bin 1, y in bin 0: row 0, column 1
            [1.0, 1.0],  # the top edge belongs to the last bin
            [1.0, 0.9],
            [np.nan, 0.0],  # left out
        ]
    )
    assert group_stats.density(points, 2).tolist() == [[1, 1], [0, 2]]


def test_density_needs_at_least_one_cell() -> None:
    assert group_stats.density(np.zeros((0, 2)), 3).tolist() == [[0] * 3] * 3
    with pytest.raises(ValueError, match="at least one cell"):
        group_stats.density(np.zeros((0, 2)), 0)


# --- more worked examples -------------------------------------------------------------


def test_option_counts_and_skips() -> None:
    choices = np.array([[0, group_stats.SKIPPED], [4, 3], [4, group_stats.NONE]])
    counts = group_stats.option_counts(choices, 5)
    assert counts.tolist() == [[1, 0, 0, 0, 2, 0], [0, 0, 0, 1, 0, 1]]
    hands = np.array([[0, 0, 0, 0, 0, 2], [1, 0, 0, 0, 0, 0]])
    assert group_stats.option_counts(choices, 5, hands).tolist() == [
        [1, 0, 0, 0, 2, 2],
        [1, 0, 0, 1, 0, 1],
    ]


def test_spread_is_the_standard_deviation_of_positions() -> None:
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    # -1, 1, 1: mean 1/3, variance (16/9 + 4/9 + 4/9) / 3 = 8/9
    counts = np.array([[1, 0, 0, 0, 2, 7], [0, 0, 3, 0, 0, 0], [0, 0, 0, 1, 0, 4]])
    spread = group_stats.spread(counts, x)
    assert spread[0] == pytest.approx(math.sqrt(8 / 9))
    assert spread[1] == 0.0  # everyone neutral: united
    assert math.isnan(spread[2])  # one answer: no spread
    assert group_stats.ranked(spread, 1, largest=True) == [0]
    assert group_stats.ranked(spread, 5, largest=False) == [1, 0]


def test_average_scores_leave_out_people_with_nothing_to_compare() -> None:
    entity = np.array([[1.0, 1.0]])
    answers = np.array([[1.0, 1.0], [-1.0, np.nan], [np.nan, np.nan]])
    # cityblock: 100 (no distance) and 0 (|-1 - 1| / 2 = 1); the third answered nothing
    mean, n = group_stats.average_scores(
        answers, np.ones((3, 2)), entity, method="cityblock", missing="max"
    )
    assert n == 2
    assert mean.tolist() == [50.0]
    empty, none = group_stats.average_scores(
        np.empty((0, 2)), np.empty((0, 2)), entity, method="cityblock", missing="max"
    )
    assert none == 0 and math.isnan(empty[0])


def test_density_counts_cells_and_never_returns_points() -> None:
    points = np.array([[-1, -1], [0.99, 0.99], [1, 1], [0, 0], [np.nan, 0], [-0.2, 0.7]])
    grid = group_stats.density(points, 2)
    # bin = min(floor((p + 1) / 2 * 2), 1); rows are the vertical axis
    assert grid.tolist() == [[1, 0], [1, 3]]
    with pytest.raises(ValueError):
        group_stats.density(points, 0)
