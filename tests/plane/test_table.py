"""Upload a table: reading CSV/TSV bytes, suggesting columns, scaling onto the plane, and every refusal."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.plane import table as plane_table
from playground.plane.table import TableError, label_task, read_table, suggest, to_plane_data
from playground.text.plane import CATALOGUE

FLOWERS = b"""length,width,species
1.0,10,iris
2.0,20,rose
3.0,30,iris
4.0,40,rose
5.0,50,iris
6.0,60,rose
"""


def every_point(data):
    """All points and labels (train then test), sorted by x1 then x2."""
    points = np.concatenate([data.x_train, data.x_test])
    labels = np.concatenate([data.y_train, data.y_test])
    order = np.lexsort(points.T[::-1])
    return points[order], labels[order]


# ---------------------------------------------------------------- reading


def test_a_comma_table_with_string_labels_becomes_two_classes_scaled_onto_the_plane():
    table = read_table(FLOWERS)
    assert table.columns == ("length", "width", "species") and table.delimiter == ","
    assert table.rows[0] == ("1.0", "10", "iris") and table.lines == (2, 3, 4, 5, 6, 7)
    data = to_plane_data(table, "length", "width", "species", "classes", seed=0)
    assert (data.name, data.task, data.classes, data.class_names) == ("table", "binary", 2, ("iris", "rose"))
    points, labels = every_point(data)
    expected = (np.arange(6) / 5) * 12 - 6  # 1…6 and 10…60 min–max onto [−6, 6]
    np.testing.assert_allclose(points, np.stack([expected, expected], axis=1), atol=1e-5)
    np.testing.assert_array_equal(labels, [0, 1, 0, 1, 0, 1])
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert set(data.y_train) == set(data.y_test) == {0, 1}  # each class in both parts
    assert data.axes[0].name == "length" and (data.axes[0].low, data.axes[0].high) == (1.0, 6.0)
    np.testing.assert_allclose(data.axes[1].original(np.array([-6.0, 0.0, 6.0])), [10, 35, 60])


def test_a_tab_table_with_a_numeric_value_becomes_regression_scaled_onto_plus_minus_one():
    raw = b"a\tb\tprice\n0\t0\t100\n1\t5\t300\n2\t1\t200\n3\t2\t150\n4\t3\t500\n"
    table = read_table(raw)
    assert table.delimiter == "\t"
    assert suggest(table) == plane_table.Suggestion("a", "b", "price", "regression")
    data = to_plane_data(table, "a", "b", "price", "regression", seed=1)
    assert (data.task, data.classes, data.y_train.dtype) == ("regression", 0, np.float32)
    points, values = every_point(data)
    np.testing.assert_allclose(values, (np.array([100, 300, 200, 150, 500]) - 100) / 400 * 2 - 1, atol=1e-6)
    assert (data.value.name, data.value.low, data.value.high) == ("price", 100.0, 500.0)
    np.testing.assert_allclose(data.value.original(values), [100, 300, 200, 150, 500], rtol=1e-6)
    assert len(data.x_train) == 2 and len(data.x_test) == 3  # round(5 × 0.5) = 2 for training


def test_semicolons_with_decimal_commas_a_bom_crlf_blank_lines_and_quotes_are_read():
    raw = '\ufeff"x, cm";y;kind\r\n1,5;2;"a"\r\n\r\n2,5;3;b\r\n;;\r\n3;4;a\r\n4;5;b\r\n'.encode()
    table = read_table(raw)
    assert table.columns == ("x, cm", "y", "kind") and table.delimiter == ";"
    assert table.lines == (2, 4, 6, 7)  # the blank line and the row of empty cells count as rows of the file
    data = to_plane_data(table, "x, cm", "y", "kind", "classes")
    assert data.axes[0].low == 1.5 and data.axes[0].high == 4.0


def test_integer_labels_make_classes_in_numeric_order_and_1_and_1_0_are_one_class():
    rows = "".join(f"{i},{i * i % 7},{[1, 2, 10][i % 3]}\n" for i in range(9)).replace(",10\n", ",10.0\n", 1)
    table = read_table(("x1,x2,label\n" + rows + "9,1,1.0\n").encode())
    assert suggest(table).task == "classes"
    data = to_plane_data(table, "x1", "x2", "label", "classes")
    assert (data.task, data.classes, data.class_names) == ("multiclass", 3, ("1", "2", "10"))
    _, labels = every_point(data)
    np.testing.assert_array_equal(labels, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0])


def test_trailing_empty_cells_are_ignored():
    table = read_table(b"a,b,c,,\n1,2,x,,\n2,3,y,\n")
    assert table.columns == ("a", "b", "c") and table.rows == (("1", "2", "x"), ("2", "3", "y"))


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    table = read_table(b"a,b,c\n" + b"".join(b"%d,%d,%d\n" % (i, i * 7 % 11, i % 2) for i in range(40)))
    first, again = (to_plane_data(table, "a", "b", "c", "classes", seed=3) for _ in range(2))
    other = to_plane_data(table, "a", "b", "c", "classes", seed=4, train_fraction=0.5)
    assert np.array_equal(first.x_train, again.x_train) and not np.array_equal(first.x_train, other.x_train)
    assert len(to_plane_data(table, "a", "b", "c", "classes", train_fraction=0.8).x_train) == 32


def test_the_largest_allowed_table_is_read():
    rows = b"".join(b"%d.123456789,%d.987654321,%d\n" % (i, 2 * i, i % 5) for i in range(plane_table.MAX_ROWS))
    raw = b"first,second,label\n" + rows
    padding = plane_table.MAX_BYTES - len(raw)
    raw += (b" " * 999 + b"\n") * (padding // 1000) + b"\n" * (padding % 1000)  # blank lines are skipped
    assert len(raw) == plane_table.MAX_BYTES
    data = to_plane_data(read_table(raw), "first", "second", "label", "classes")
    assert len(data.x_train) + len(data.x_test) == plane_table.MAX_ROWS and data.classes == 5


# ---------------------------------------------------------------- suggesting


def test_suggest_prefers_a_column_named_like_a_label_and_the_first_two_numeric_others():
    table = read_table(b"id,name,class,height,weight\n1,a,cat,3,4\n2,b,dog,5,6\n3,c,cat,7,8\n4,d,dog,9,1\n")
    assert suggest(table) == plane_table.Suggestion("id", "height", "class", "classes")


def test_suggest_takes_the_last_column_when_none_is_named_like_a_label():
    table = read_table(b"p,q,r,s\n1,2,3,0.5\n2,3,4,0.25\n3,4,5,0.125\n")
    assert suggest(table) == plane_table.Suggestion("p", "q", "s", "regression")


@pytest.mark.parametrize(
    ("values", "task"),
    [
        ("a b a b", "classes"),
        ("0 1 1 0", "classes"),
        ("1 2 3 1 2 3", "classes"),
        ("1 2 3 4", "regression"),  # whole numbers seen once each are values, not class codes
        ("0.5 1.5 0.5 1.5", "regression"),
        ("a b c d e f", None),  # six classes: too many
        ("7 7 7 7", None),
    ],
)
def test_label_task_tells_classes_from_values(values, task):
    rows = "".join(f"{i},{i},{value}\n" for i, value in enumerate(values.split()))
    assert label_task(read_table(("x,y,z\n" + rows).encode()), "z") == task


# ---------------------------------------------------------------- refusals


def rows(count: int, label=lambda i: i % 2) -> bytes:
    return b"".join(b"%d,%d,%s\n" % (i, i * 3 % 7, str(label(i)).encode()) for i in range(count))


GOOD = b"a,b,c\n" + rows(8)
# key: (file bytes, columns and task for to_plane_data or None to stop at read_table, expected params or None)
REFUSALS = {
    "table_too_large": (b"a,b,c\n" + b"1,2,3\n" * 200_000, None, {"mb": 1}),
    "table_empty": (b" \n\n  ", None, {}),
    "table_not_utf8": (b"a,b,c\n1,2,3\n1,\xe9,3\n", None, {"row": 3}),
    "table_not_table": (b"a,b,c\n1,2,3\n\x00\x01\x02", None, {"row": 3}),
    "table_few_columns": (b"only\n1\n2\n", None, {"count": 1}),
    "table_too_many_columns": (b",".join(b"c%d" % i for i in range(101)) + b"\n", None, None),
    "table_ragged": (b"a,b,c\n1,2,3\n\n1,2\n", None, {"row": 4, "found": 2, "expected": 3}),
    "table_too_many_rows": (b"a,b,c\n" + rows(plane_table.MAX_ROWS + 1), None, {"limit": 2000}),
    "table_no_rows": (b"a,b,c\n\n", None, {}),
    "table_blank_header": (b"a,,c\n1,2,3\n", None, {"number": 2}),
    "table_duplicate_header": (b"a,b,a\n1,2,3\n", None, {"name": "a"}),
    "table_no_header": (b"1,2,3\n4,5,6\n", None, {}),
    "table_unknown_column": (GOOD, ("a", "b", "z", "classes"), {"name": "z"}),
    "table_same_column": (GOOD, ("a", "a", "c", "classes"), {}),
    "table_too_few_rows": (b"a,b,c\n" + rows(3), ("a", "b", "c", "regression"), {"count": 3, "minimum": 4}),
    "table_missing": (b"a,b,c\n1,2,0\n2,,1\n3,4,0\n4,5,1\n", ("a", "b", "c", "classes"), None),
    "table_not_number": (GOOD.replace(b"5,1,1", b"5,1 m,1"), ("a", "b", "c", "classes"), None),
    "table_value_too_large": (GOOD.replace(b"\n3,", b"\n3e300,"), ("a", "b", "c", "classes"), None),
    "table_constant": (b"a,b,c\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n", ("a", "b", "c", "classes"), None),
    "table_one_class": (b"a,b,c\n" + rows(6, lambda i: "cat"), ("a", "b", "c", "classes"), None),
    "table_too_many_classes": (b"a,b,c\n" + rows(12, lambda i: i % 6), ("a", "b", "c", "classes"), None),
    "table_too_few": (b"a,b,c\n" + rows(7, lambda i: "x" if i else "y"), ("a", "b", "c", "classes"), None),
}


@pytest.mark.parametrize("key", list(REFUSALS))
def test_every_refusal_is_one_clear_line_in_both_languages(key):
    raw, choice, params = REFUSALS[key]
    with pytest.raises(TableError) as caught:
        table = read_table(raw)
        if choice is not None:
            to_plane_data(table, *choice)
    error = caught.value
    assert error.key == key
    if params is not None:
        assert error.params == params
    for language in ("en", "zh"):
        assert error.message(language) and "\n" not in error.message(language)


def test_the_catalogue_holds_exactly_the_table_messages_that_can_be_reached():
    assert {key for key in CATALOGUE.languages["en"] if key.startswith("table_")} == set(REFUSALS)


def test_bad_cells_are_named_by_their_row_in_the_file_and_their_column():
    raw = b"a,b,c\n1,2,0\n\n2,,1\n3,4,0\n4,5,1\n"  # the empty cell sits on the file's row 4
    with pytest.raises(TableError) as caught:
        to_plane_data(read_table(raw), "a", "b", "c", "classes")
    assert caught.value.params == {"row": 4, "column": "b"}
    assert str(caught.value) == "Row 4 has no value in column `b`."
    raw = b"a,b,c\n1,2,0\n2,3,1\n3,nan,0\n4,inf,1\n"
    with pytest.raises(TableError) as caught:
        to_plane_data(read_table(raw), "a", "b", "c", "classes")
    assert caught.value.params == {"row": 4, "column": "b", "value": "nan"}


def test_a_class_with_one_row_and_too_many_classes_are_named():
    with pytest.raises(TableError) as caught:
        to_plane_data(read_table(REFUSALS["table_too_few"][0]), "a", "b", "c", "classes")
    assert caught.value.params == {"name": "y", "count": 1, "minimum": 2}
    with pytest.raises(TableError) as caught:
        to_plane_data(read_table(REFUSALS["table_too_many_classes"][0]), "a", "b", "c", "classes")
    assert caught.value.params == {"column": "c", "count": 6, "limit": 5}


def test_the_size_is_checked_before_anything_is_decoded():
    with pytest.raises(TableError) as caught:
        read_table(b"\xff" * (plane_table.MAX_BYTES + 1))
    assert caught.value.key == "table_too_large"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(alphabet='ab1.,;\t\n\r"- e', max_size=300).map(str.encode)))
def test_any_bytes_either_make_a_table_and_data_or_are_refused_with_a_table_error(raw):
    try:
        table = read_table(raw)
        guess = suggest(table)
        if None not in (guess.x1, guess.x2, guess.label, guess.task):
            data = to_plane_data(table, guess.x1, guess.x2, guess.label, guess.task)
            assert np.abs(np.concatenate([data.x_train, data.x_test])).max() <= 6.0001
    except TableError as error:
        assert error.message("zh")
