"""Placed and uploaded point sets: edits, clicks, the data set they make, their link, and their code export."""

import numpy as np
import pytest

from playground import links
from playground.plane import code as plane_code
from playground.plane import placed
from playground.plane import table as tables
from playground.plane.own import PlaneDataError
from playground.plane.settings import PlaneSettings


def xor_set(per_cluster: int = 3) -> placed.PointSet:
    found = placed.PointSet("classes", 2)
    for cx, cy in ((3, 3), (-3, -3), (3, -3), (-3, 3)):
        for i in range(per_cluster):
            found = found.add(cx + 0.1 * i, cy - 0.1 * i, int(cx * cy > 0))
    return found


def test_a_click_on_an_invisible_grid_marker_adds_a_point_there():
    grid = placed.click_grid()
    assert grid.shape == (placed.CLICK_RESOLUTION**2, 2)
    assert grid[:, 0].min() > -6 and grid[:, 0].max() < 6
    target = grid[7]
    # What Streamlit's plotly_chart(on_select=...) puts in session state after a click on that marker.
    event = {"selection": {"points": [{"curve_number": 0, "point_index": 7, "x": target[0], "y": target[1]}],
                           "point_indices": [7], "box": [], "lasso": []}}  # fmt: skip
    found = placed.PointSet("classes", 3)
    for x1, x2 in placed.clicked(event):
        found = found.add(x1, x2, 2)
    assert found.points == ((round(target[0], 2), round(target[1], 2), 2),)
    for junk in (None, {}, {"selection": {"points": "x"}}, {"selection": {"points": [{"x": "1", "y": 2}, 5]}}):
        assert placed.clicked(junk) == []


def test_edits_add_clip_erase_the_nearest_and_count():
    found = placed.PointSet("classes", 3).add(1, 1, 0).add(9, -9, 2).add(-2, 3, 1)
    assert found.points[1] == (6.0, -6.0, 2)  # clipped onto the plane
    assert found.counts() == (1, 1, 1)
    assert found.erase_nearest(5, -5).points == ((1.0, 1.0, 0), (-2.0, 3.0, 1))
    values = placed.PointSet("regression").add(0, 0, 3.0).add(1, 1, -0.25)
    assert [p[2] for p in values.points] == [1.0, -0.25]


def test_a_set_becomes_a_split_data_set_or_says_in_one_line_what_is_missing():
    made = placed.to_data(xor_set(), seed=3, train_fraction=0.5)
    assert made.task == "binary" and len(made.x_train) == len(made.x_test) == 6
    assert set(made.y_train) == set(made.y_test) == {0, 1}
    with pytest.raises(PlaneDataError) as refused:
        placed.to_data(placed.PointSet("classes", 3).add(1, 1, 0).add(2, 2, 0).add(1, 2, 1), 0, 0.5)
    assert refused.value.key == "own_too_few" and "\n" not in refused.value.message("zh")


def test_a_set_travels_in_a_link_exactly_and_a_tampered_one_is_refused():
    found = xor_set(5)
    again = placed.from_link(placed.to_link(found))
    assert again == found
    values = placed.PointSet("regression").add(1.234, -5.678, 0.333)
    assert placed.from_link(placed.to_link(values)) == values
    for tampered in (
        links.pack({"target": "classes", "classes": 2, "p": [[1, 2, 7]]}),  # a class beyond the count
        links.pack({"target": "classes", "classes": 2, "p": [[10_000, 2, 1]]}),  # off the plane
        links.pack({"target": "exec", "classes": 2, "p": []}),
        links.pack([1, 2, 3]),
        "not a packed value",
    ):
        with pytest.raises(links.LinkError):
            placed.from_link(tampered)


def test_a_table_becomes_a_set_on_the_plane():
    raw = b"h,w,kind\n" + b"".join(f"{150 + i},{40 + (i * 7) % 50},{'ab'[i % 2]}\n".encode() for i in range(20))
    found = placed.from_table(tables.read_table(raw), "h", "w", "kind", "classes")
    assert found.classes == 2 and found.counts() == (10, 10)
    xy = np.array(found.points)[:, :2]
    assert xy.min() == -6 and xy.max() == 6


def test_the_exported_script_embeds_own_points_and_reads_a_file_beyond_the_limit():
    made = placed.to_data(xor_set(), seed=0, train_fraction=0.5)
    settings = PlaneSettings(source="place", classes=2)
    source = plane_code.plane_source(settings, epochs=3, data=made)
    assert "def circle" not in source and "np.loadtxt" not in source
    namespace = {}
    exec(compile(source.split("model = keras.Sequential(")[0], "<script>", "exec"), namespace)  # the data part
    assert np.array_equal(namespace["x_train"][:, :2], made.x_train)
    assert np.array_equal(namespace["y_train"][:, 0] > 0, made.y_train == 1)
    big = placed.to_data(xor_set(130), seed=0, train_fraction=0.5)
    source = plane_code.plane_source(settings, data=big)
    assert f"np.loadtxt({plane_code.POINTS_FILE!r}" in source
    assert len(plane_code.points_table(big).splitlines()) == 1 + 520
