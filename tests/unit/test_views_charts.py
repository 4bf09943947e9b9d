"""The result page's chart geometry (api/views/charts.py), on hand-computed values."""

from api.views.charts import coordinate, interval_path, map_point, radar_points


def test_coordinates_round_halves_up_as_the_browser_does() -> None:
    # 0.125 * 100 = 12.5 exactly: half up gives 0.13 (banker's rounding would give 0.12),
    # as charts.js Math.round(x * 100) / 100 does; 158.375 * 100 = 15837.5 likewise.
    assert coordinate(0.125) == 0.13
    assert coordinate(158.375) == 158.38
    assert coordinate(-0.125) == -0.12  # floor(-12.5 + 0.5) = -12, as Math.round(-12.5)
    assert coordinate(62.0) == 62.0


def test_the_voters_point_on_the_map() -> None:
    # half = 300 / 2 - 16 = 134; x = 150 - 0.0625 * 134 = 141.625 -> 141.63 (half up;
    # banker's would give 141.62); y = 150 - (-0.5) * 134 = 217
    assert map_point({"e": -0.0625, "s": -0.5}, ["e", "s"]) == {"x": 141.63, "y": 217.0}
    assert map_point({"e": 0.5, "s": None}, ["e", "s"]) is None
    assert map_point({"e": -1.0}, ["e"]) == {"x": 16.0, "y": 150.0}


def test_radar_points_start_at_the_top_and_go_clockwise() -> None:
    # centre (160, 135), radius 88: 100% on the first spoke is straight up (160, 47); 50%
    # on the second of four is to the right (160 + 44, 135); no score sits at the centre.
    assert (
        radar_points([100.0, 50.0, None, 0.0]) == "160.0,47.0 204.0,135.0 160.0,135.0 160.0,135.0"
    )


def test_the_interval_whisker() -> None:
    assert interval_path([12.125, 40.0]) == "M12.13 11H40.0M12.13 9V13M40.0 9V13"
    assert interval_path(None) == ""
