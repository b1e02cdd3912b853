"""Upload a table: CSV or TSV bytes become 2-D data, two feature columns and a label (classes) or value column.

Only the standard library's csv module reads the file (pandas stays out: importing it in a script thread raced
in this app). The file is checked for size before it is decoded, rows are checked as they are read, and every
refusal is a TableError with a catalogue key and the row and column to fix; rows are numbered as in the file,
so the header is row 1.

Feature columns are scaled min–max onto the plane's [−6, 6] square and a regression value onto [−1, 1] (the
tanh output's range); the Axis objects kept with the data map plane coordinates back to the original units.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass

import numpy as np

from playground.plane.data import MAX_CLASSES
from playground.plane.own import MIN_PER_CLASS, Axis, OwnPlaneData, PlaneDataError, split

MAX_BYTES = 2**20  # 1 MB
MAX_ROWS = 2000  # data rows, the header not counted
MAX_COLUMNS = 100
MIN_ROWS = 4  # a regression set needs some points to train on and some to test
MAX_VALUE = 1e15  # largest size of a number in the table (keeps max − min finite)
DELIMITERS = (",", "\t", ";")
SNIFF_RECORDS = 50  # records read to choose the delimiter
# Column names that suggest the label, compared in lower case.
LABEL_NAMES = ("label", "class", "target", "y", "value", "category", "species", "kind", "type", "group", "标签", "类别")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # ASCII decimals only: no nan, inf, 1_000 or ١٢


class TableError(PlaneDataError):
    """A file or a choice of columns that cannot make a data set; `key` and `params` name the message."""


@dataclass(frozen=True)
class Table:
    """A table read from a file: column names and rows of stripped strings, with each row's number in the file."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]  # each data row's number in the file, counting the header as row 1 (blank rows too)
    delimiter: str

    def column(self, name: str) -> list[str]:
        """The values of the named column, top to bottom."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class Suggestion:
    """The columns the page proposes: two features, a label, and 'classes' or 'regression' (None: no fit)."""

    x1: str | None
    x2: str | None
    label: str | None
    task: str | None


# ---------------------------------------------------------------- reading


def read_table(raw: bytes) -> Table:
    """The table in CSV, TSV or semicolon-separated UTF-8 bytes, or a TableError saying what is wrong."""
    if len(raw) > MAX_BYTES:
        raise TableError("table_too_large", mb=MAX_BYTES // 2**20)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TableError("table_not_utf8", row=raw[: error.start].count(b"\n") + 1) from None
    if not text.strip():
        raise TableError("table_empty")
    if "\x00" in text:
        raise TableError("table_not_table", row=text[: text.index("\x00")].count("\n") + 1)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows, lines = [], []
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                continue  # blank lines, and rows of empty cells that spreadsheets write
            if header is None:
                header = _header(record)
                continue
            if len(record) > len(header) and not any(field.strip() for field in record[len(header) :]):
                record = record[: len(header)]  # trailing empty cells
            if len(record) != len(header):
                raise TableError("table_ragged", row=reader.line_num, found=len(record), expected=len(header))
            if len(rows) == MAX_ROWS:
                raise TableError("table_too_many_rows", limit=MAX_ROWS)
            rows.append(tuple(field.strip() for field in record))
            lines.append(reader.line_num)
    except csv.Error:
        raise TableError("table_not_table", row=reader.line_num) from None
    if not rows:
        raise TableError("table_no_rows")
    return Table(tuple(header), tuple(rows), tuple(lines), delimiter)


def _delimiter(text: str) -> str:
    """The delimiter that splits the first records into the same number (more than one) of columns, most first."""
    best, best_score = ",", (-1, 0, 0)
    for delimiter in DELIMITERS:
        counts = []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                if any(field.strip() for field in record):
                    counts.append(len(record))
                if len(counts) == SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        agreeing = sum(count == counts[0] for count in counts)
        score = (int(agreeing == len(counts)), agreeing, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header(record: list[str]) -> list[str]:
    names = [field.strip() for field in record]
    while names and not names[-1]:
        names.pop()  # trailing empty header cells
    if len(names) < 3:
        raise TableError("table_few_columns", count=len(names))
    if len(names) > MAX_COLUMNS:
        raise TableError("table_too_many_columns", count=len(names), limit=MAX_COLUMNS)
    for number, name in enumerate(names, start=1):
        if not name:
            raise TableError("table_blank_header", number=number)
    seen = set()
    for name in names:
        if name in seen:
            raise TableError("table_duplicate_header", name=_short(name))
        seen.add(name)
    if all(_number(name, ",") is not None for name in names):
        raise TableError("table_no_header")
    return names


def _number(text: str, delimiter: str) -> float | None:
    """The decimal number in text, or None; a decimal comma counts when commas do not separate the columns."""
    if delimiter != "," and "," in text and "." not in text:
        text = text.replace(",", ".", 1)
    return float(text) if NUMBER.fullmatch(text) else None


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- suggesting columns


def label_task(table: Table, column: str) -> str | None:
    """'classes' for 2–5 distinct strings or repeated integers, 'regression' for other numbers, None for neither."""
    values = [value for value in table.column(column) if value]
    numbers = [_number(value, table.delimiter) for value in values]
    if values and all(number is not None for number in numbers):
        distinct = set(numbers)
        # A few whole numbers, each repeated, look like class codes (0/1, 1–5); anything else like a value.
        if (
            2 <= len(distinct) <= MAX_CLASSES
            and all(number.is_integer() for number in distinct)
            and len(numbers) >= MIN_PER_CLASS * len(distinct)
            and min(numbers.count(number) for number in distinct) >= MIN_PER_CLASS
        ):
            return "classes"
        return "regression" if len(distinct) > 1 else None
    return "classes" if 2 <= len(set(values)) <= MAX_CLASSES else None


def suggest(table: Table) -> Suggestion:
    """A label column (named like label, class, y, … or else the last one) and the first two numeric others."""
    named = [name for name in table.columns if name.lower() in LABEL_NAMES]
    label = named[0] if named else table.columns[-1]
    numeric = [
        name
        for name in table.columns
        if name != label and all(_number(value, table.delimiter) is not None for value in table.column(name))
    ]
    x1, x2 = (numeric + [None, None])[:2]
    return Suggestion(x1, x2, label, label_task(table, label))


# ---------------------------------------------------------------- the data set


def to_plane_data(
    table: Table, x1: str, x2: str, label: str, task: str, seed: int = 0, train_fraction: float = 0.5
) -> OwnPlaneData:
    """The chosen columns as plane data: features scaled onto [−6, 6]², split into train and test with `seed`.

    task 'classes' (2–5 distinct labels, at least MIN_PER_CLASS rows each; the split keeps at least one of each
    class in training and in test) or 'regression' (numeric values scaled onto [−1, 1]).
    """
    if task not in ("classes", "regression"):
        raise ValueError("task must be 'classes' or 'regression'")
    for name in (x1, x2, label):
        if name not in table.columns:
            raise TableError("table_unknown_column", name=_short(str(name)))
    if len({x1, x2, label}) < 3:
        raise TableError("table_same_column")
    if len(table.rows) < MIN_ROWS:
        raise TableError("table_too_few_rows", count=len(table.rows), minimum=MIN_ROWS)
    numeric = (x1, x2) if task == "classes" else (x1, x2, label)
    values = _numbers(table, numeric)
    axes = []
    for name, column in zip(numeric, values.T, strict=True):
        low, high = float(column.min()), float(column.max())
        if low == high:
            raise TableError("table_constant", column=_short(name), value=f"{low:g}")
        axes.append(Axis(name, low, high) if name != label else Axis(name, low, high, 1.0))
    points = np.stack([axes[0].to_plane(values[:, 0]), axes[1].to_plane(values[:, 1])], axis=1)
    rng = np.random.default_rng(seed)
    if task == "regression":
        targets = np.clip(axes[2].to_plane(values[:, 2]), -1.0, 1.0).astype(np.float32)
        parts = split(points, targets, train_fraction, rng, stratify=False)
        return OwnPlaneData("table", "regression", 0, *parts, axes=(axes[0], axes[1]), value=axes[2])
    labels, names = _classes(table, label)
    parts = split(points, labels, train_fraction, rng, stratify=True)
    task_name = "binary" if len(names) == 2 else "multiclass"
    return OwnPlaneData("table", task_name, len(names), *parts, axes=(axes[0], axes[1]), class_names=names)


def _numbers(table: Table, names: tuple[str, ...]) -> np.ndarray:
    """The named columns as a float64 (rows, columns) array; the first bad cell, row by row, raises."""
    indices = [table.columns.index(name) for name in names]
    values = np.empty((len(table.rows), len(names)))
    for r, (row, line) in enumerate(zip(table.rows, table.lines, strict=True)):
        for c, (index, name) in enumerate(zip(indices, names, strict=True)):
            text = row[index]
            if not text:
                raise TableError("table_missing", row=line, column=_short(name))
            number = _number(text, table.delimiter)
            if number is None:
                raise TableError("table_not_number", row=line, column=_short(name), value=_short(text, 20))
            if not abs(number) <= MAX_VALUE:
                raise TableError("table_value_too_large", row=line, column=_short(name), limit=f"{MAX_VALUE:.0e}")
            values[r, c] = number
    return values


def _classes(table: Table, label: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(class index per row, class names): numeric labels in numeric order (1 and 1.0 are one class), else sorted."""
    texts = table.column(label)
    for text, line in zip(texts, table.lines, strict=True):
        if not text:
            raise TableError("table_missing", row=line, column=_short(label))
    numbers = [_number(text, table.delimiter) for text in texts]
    if all(number is not None for number in numbers):
        keys = numbers
        names = {number: (str(int(number)) if number.is_integer() else f"{number:g}") for number in numbers}
    else:
        keys, names = texts, {text: text for text in texts}
    order = sorted(set(keys))
    if len(order) < 2:
        raise TableError("table_one_class", column=_short(label), name=_short(names[order[0]]))
    if len(order) > MAX_CLASSES:
        raise TableError("table_too_many_classes", column=_short(label), count=len(order), limit=MAX_CLASSES)
    index = {key: position for position, key in enumerate(order)}
    labels = np.array([index[key] for key in keys], np.int64)
    counts = np.bincount(labels, minlength=len(order))
    for position, key in enumerate(order):
        if counts[position] < MIN_PER_CLASS:
            name = _short(names[key])
            raise TableError("table_too_few", name=name, count=int(counts[position]), minimum=MIN_PER_CLASS)
    return labels, tuple(names[key] for key in order)
