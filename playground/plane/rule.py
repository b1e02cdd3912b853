"""Write a rule: a 2-D data set from a formula over x1 and x2, such as `x1**2 + x2**2 < 4` or `x1 * x2`.

The formula is parsed with Python's `ast` and walked by a small evaluator with an explicit whitelist of names,
functions and operators; the text is never given to eval, exec or compile. Every value is a float64 (or bool)
numpy array with one entry per point, so the work is bounded by (number of nodes) × (number of points), and the
caps below keep both small: no Python integer arithmetic ever happens, so `9**9**9` cannot hang.

A rule whose top is a comparison, `and`, `or` or `not` is true or false at each point: two classes (class 1 where
it holds). Any other rule gives a number at each point: a regression target, divided by its largest size so that
the values lie in [−1, 1] (the tanh output's range) with 0 kept at 0. `a if condition else b` is allowed and picks
per point; like Python, `and`, `or` and `if` look at a side only where it decides the result, so
`x1 > 0 and log(x1) > 1` is defined everywhere.
"""

import ast
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np

from playground.plane.data import EXTENT
from playground.plane.own import MIN_PER_CLASS, Axis, OwnPlaneData, PlaneDataError, split

MAX_LENGTH = 200  # characters: a formula a learner can read at a glance and a link can carry
MAX_DEPTH = 20  # nesting levels of the formula's tree (a 20-term sum is 20 levels deep)
MAX_NODES = 100  # names, numbers, operators and calls together
MAX_EXPONENT = 10  # |constant exponent|; the exponent must be a number written in the rule
MAX_NUMBER = 1e6  # largest size of a number written in the rule
MIN_POINTS, MAX_POINTS = 10, 2000  # points a rule makes
MAX_EVAL_POINTS = 10_000  # points evaluate() takes at once, e.g. a 100 × 100 grid
MAX_JITTER = MAX_FLIP = MAX_NOISE = 0.5

NUMBER, CONDITION = "number", "condition"
CONSTANTS = {"pi": math.pi, "e": math.e}
COORDINATES = ("x1", "x2")
# name: (number of arguments, numpy function)
FUNCTIONS = {
    "sin": (1, np.sin),
    "cos": (1, np.cos),
    "tan": (1, np.tan),
    "atan": (1, np.arctan),
    "tanh": (1, np.tanh),
    "exp": (1, np.exp),
    "log": (1, np.log),
    "sqrt": (1, np.sqrt),
    "abs": (1, np.abs),
    "sign": (1, np.sign),
    "floor": (1, np.floor),
    "ceil": (1, np.ceil),
    "min": (2, np.minimum),
    "max": (2, np.maximum),
    "atan2": (2, np.arctan2),
    "hypot": (2, np.hypot),
}
ARITHMETIC = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide,
    ast.Mod: np.mod,
    ast.Pow: np.power,
}
COMPARISONS = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
ALLOWED = "x1 x2 pi e, + - * / // % **, < <= > >= == !=, and or not, … if … else …, " + " ".join(FUNCTIONS) + ", ( )"
TYPESET = str.maketrans({"₁": "1", "₂": "2", "−": "-", "×": "*"})
QUOTES = set("'\"")
SINGLE_EQUALS = re.compile(r"(?<![<>=!:])=(?!=)")


class RuleError(PlaneDataError):
    """A rule that cannot make a data set; `key` and `params` name the plane catalogue's message."""


@dataclass(frozen=True)
class Rule:
    """A checked formula: its text, its tree, and whether it makes 'classes' or a 'regression' target."""

    text: str
    body: ast.expr
    task: str


# ---------------------------------------------------------------- reading and checking


def parse_rule(text: str) -> Rule:
    """The formula checked against the whitelist and the caps, or a RuleError saying what is wrong."""
    if not isinstance(text, str):
        raise RuleError("rule_empty")
    if len(text) > MAX_LENGTH:
        raise RuleError("rule_too_long", limit=MAX_LENGTH, length=len(text))
    # Line breaks and tabs (from a pasted link) become spaces, and x₁, x₂, − and × as the page writes them
    # become x1, x2, - and *; the length, and so the columns, stay.
    text = re.sub(r"\s", " ", text).translate(TYPESET)
    stripped = text.strip()
    if not stripped:
        raise RuleError("rule_empty")
    for column, char in enumerate(text, start=1):
        if not char.isprintable():  # null bytes and other control characters
            raise RuleError("rule_syntax", column=column)
    _check_brackets(text)
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        if SINGLE_EQUALS.search(stripped):
            raise RuleError("rule_single_equals") from None
        if not error.offset:  # Python points nowhere when the text ends too early: `x1 +`
            raise RuleError("rule_incomplete") from None
        raise RuleError("rule_syntax", column=min(lead + error.offset, len(text))) from None
    except (ValueError, RecursionError, MemoryError):  # the parser's own limits; the caps above come first
        raise RuleError("rule_too_deep", limit=MAX_DEPTH) from None
    checker = _Checker(stripped)
    kind = checker.check(tree.body, 1)
    return Rule(stripped, tree.body, "classes" if kind == CONDITION else "regression")


def _check_brackets(text: str) -> None:
    """Refuses brackets nested deeper than MAX_DEPTH, and (outside quotes, which are refused later) unpaired ones."""
    opened: list[int] = []
    for column, char in enumerate(text, start=1):
        if char in "([{":
            opened.append(column)
            if len(opened) > MAX_DEPTH:
                raise RuleError("rule_too_deep", limit=MAX_DEPTH)
        elif char in ")]}":
            if not opened and not QUOTES.intersection(text):
                raise RuleError("rule_unopened", column=column)
            if opened:
                opened.pop()
    if opened and not QUOTES.intersection(text):
        raise RuleError("rule_unclosed", column=opened[-1])


class _Checker:
    """Walks the tree once: refuses anything outside the whitelist and caps, and infers number or condition."""

    def __init__(self, text: str):
        self.text, self.nodes = text, 0

    def what(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or type(node).__name__
        segment = segment.replace("`", "'")
        return segment if len(segment) <= 40 else segment[:39] + "…"

    def refuse(self, node: ast.AST) -> RuleError:
        return RuleError("rule_not_allowed", what=self.what(node), allowed=ALLOWED)

    def expect(self, node: ast.expr, depth: int, kind: str, parent: ast.AST) -> None:
        if self.check(node, depth) != kind:
            key = "rule_needs_number" if kind == NUMBER else "rule_needs_condition"
            raise RuleError(key, what=self.what(parent))

    def check(self, node: ast.expr, depth: int) -> str:
        """NUMBER or CONDITION: what the node gives at each point."""
        if depth > MAX_DEPTH:
            raise RuleError("rule_too_deep", limit=MAX_DEPTH)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise RuleError("rule_too_big", limit=MAX_NODES)
        deeper = depth + 1
        if isinstance(node, ast.Constant):
            self.number(node)
            return NUMBER
        if isinstance(node, ast.Name):
            if node.id in COORDINATES or node.id in CONSTANTS:
                return NUMBER
            if node.id in FUNCTIONS:
                raise RuleError("rule_function_name", name=node.id)
            if node.id.startswith("_"):
                raise self.refuse(node)
            raise RuleError("rule_unknown_name", name=self.what(node))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                self.expect(node.operand, deeper, CONDITION, node)
                return CONDITION
            if isinstance(node.op, ast.USub | ast.UAdd):
                self.expect(node.operand, deeper, NUMBER, node)
                return NUMBER
            raise self.refuse(node)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                raise RuleError("rule_caret")
            if type(node.op) not in ARITHMETIC:
                raise self.refuse(node)
            self.expect(node.left, deeper, NUMBER, node)
            if isinstance(node.op, ast.Pow):
                self.exponent(node.right)
            self.expect(node.right, deeper, NUMBER, node)
            return NUMBER
        if isinstance(node, ast.Compare):
            if any(type(op) not in COMPARISONS for op in node.ops):
                raise self.refuse(node)
            for part in (node.left, *node.comparators):
                self.expect(part, deeper, NUMBER, node)
            return CONDITION
        if isinstance(node, ast.BoolOp):
            for part in node.values:
                self.expect(part, deeper, CONDITION, node)
            return CONDITION
        if isinstance(node, ast.IfExp):
            self.expect(node.test, deeper, CONDITION, node)
            kind = self.check(node.body, deeper)
            if self.check(node.orelse, deeper) != kind:
                raise RuleError("rule_if_mixed")
            return kind
        if isinstance(node, ast.Call):
            self.call(node, deeper)
            return NUMBER
        raise self.refuse(node)  # attribute, subscript, lambda, comprehension, f-string, walrus, …

    def number(self, node: ast.Constant) -> None:
        if type(node.value) not in (int, float):  # not bool, str, bytes, complex, None or …
            raise self.refuse(node)
        if not abs(node.value) <= MAX_NUMBER:  # also refuses inf and nan
            raise RuleError("rule_number_too_large", number=self.what(node), limit=f"{MAX_NUMBER:,.0f}")

    def exponent(self, node: ast.expr) -> None:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            node = node.operand  # x1**-2: only the exponent's size is capped
        if not isinstance(node, ast.Constant) or type(node.value) not in (int, float):
            raise RuleError("rule_exponent_not_number")
        self.number(node)
        if abs(node.value) > MAX_EXPONENT:
            raise RuleError("rule_exponent_too_large", exponent=self.what(node), limit=MAX_EXPONENT)

    def call(self, node: ast.Call, deeper: int) -> None:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func)
        name = node.func.id
        if name not in FUNCTIONS:
            if name.startswith("_"):
                raise self.refuse(node.func)
            raise RuleError("rule_unknown_function", name=self.what(node.func), functions=" ".join(FUNCTIONS))
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.refuse(node)
        count = FUNCTIONS[name][0]
        if len(node.args) != count:
            example = f"{name}(x1)" if count == 1 else f"{name}(x1, x2)"
            raise RuleError("rule_arity", name=name, count=count, example=example)
        for arg in node.args:
            self.expect(arg, deeper, NUMBER, node)


# ---------------------------------------------------------------- evaluating


def evaluate(rule: Rule, points: np.ndarray) -> np.ndarray:
    """The rule at each (x1, x2) row: bool for classes, float64 for regression; a RuleError where undefined."""
    points = np.asarray(points, np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) > MAX_EVAL_POINTS:
        raise ValueError(f"points must be an (n, 2) array with n ≤ {MAX_EVAL_POINTS}")
    with np.errstate(all="ignore"):
        values, bad = _evaluate(rule.body, points[:, 0], points[:, 1])
    if bad.all():
        raise RuleError("rule_nowhere")
    if bad.any():
        where = points[np.flatnonzero(bad)[0]]
        raise RuleError("rule_undefined", x1=f"{where[0]:.2f}", x2=f"{where[1]:.2f}")
    return values


def _evaluate(node: ast.expr, x1: np.ndarray, x2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, undefined) at each point; the tree has passed the checker, so every node is whitelisted."""
    if isinstance(node, ast.Constant):
        return np.full(len(x1), float(node.value)), np.zeros(len(x1), bool)
    if isinstance(node, ast.Name):
        values = {"x1": x1, "x2": x2}.get(node.id)
        values = np.full(len(x1), CONSTANTS[node.id]) if values is None else values
        return values, np.zeros(len(x1), bool)
    if isinstance(node, ast.UnaryOp):
        values, bad = _evaluate(node.operand, x1, x2)
        return {ast.Not: np.logical_not, ast.USub: np.negative, ast.UAdd: np.positive}[type(node.op)](values), bad
    if isinstance(node, ast.BinOp):
        (left, bad_left), (right, bad_right) = _evaluate(node.left, x1, x2), _evaluate(node.right, x1, x2)
        return _finite(ARITHMETIC[type(node.op)](left, right), bad_left | bad_right)
    if isinstance(node, ast.Compare):
        left, bad = _evaluate(node.left, x1, x2)
        holds = np.ones(len(x1), bool)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right, bad_right = _evaluate(comparator, x1, x2)
            bad |= holds & bad_right  # like Python, a later part counts only where the earlier ones hold
            holds &= COMPARISONS[type(op)](left, right)
            left = right
        return holds, bad
    if isinstance(node, ast.BoolOp):
        result, bad = _evaluate(node.values[0], x1, x2)
        for part in node.values[1:]:
            values, bad_part = _evaluate(part, x1, x2)
            if isinstance(node.op, ast.And):
                bad = bad | (result & bad_part)
                result = result & values
            else:
                bad = bad | (~result & bad_part)
                result = result | values
        return result, bad
    if isinstance(node, ast.IfExp):
        (test, bad_test), (yes, bad_yes) = _evaluate(node.test, x1, x2), _evaluate(node.body, x1, x2)
        no, bad_no = _evaluate(node.orelse, x1, x2)
        return np.where(test, yes, no), bad_test | np.where(test, bad_yes, bad_no)
    if isinstance(node, ast.Call):
        args = [_evaluate(arg, x1, x2) for arg in node.args]
        bad = np.logical_or.reduce([arg_bad for _, arg_bad in args])
        return _finite(FUNCTIONS[node.func.id][1](*(values for values, _ in args)), bad)
    raise AssertionError(f"unchecked node {type(node).__name__}")  # the checker refuses everything else


def _finite(values: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marks NaN and ±inf as undefined and replaces them by 0, so later steps stay quiet and finite."""
    broken = ~np.isfinite(values)
    if broken.any():
        values = np.where(broken, 0.0, values)
    return values, bad | broken


# ---------------------------------------------------------------- the data set


def make_rule_data(
    formula: str,
    count: int = 200,
    seed: int = 0,
    jitter: float = 0.0,
    flip: float = 0.0,
    noise: float = 0.0,
    train_fraction: float = 0.5,
) -> OwnPlaneData:
    """`count` points spread evenly over the plane and labelled by the formula, split into train and test.

    jitter (0–0.5): each point is labelled where it would be after a shift of up to jitter × 6 along each axis,
    like the built-in sets' noise. flip (0–0.5, classes only): the share of labels swapped. noise (0–0.5,
    regression only): the standard deviation of Gaussian noise added to the values on their ±1 scale.
    The same formula, count, seed, jitter, flip, noise and train fraction always give the same points;
    the points themselves depend only on count and seed.
    """
    rule = parse_rule(formula)
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or not MIN_POINTS <= count <= MAX_POINTS:
        raise RuleError("rule_count", low=MIN_POINTS, high=MAX_POINTS)
    if not (0 <= jitter <= MAX_JITTER and 0 <= flip <= MAX_FLIP and 0 <= noise <= MAX_NOISE):
        raise ValueError(f"jitter, flip and noise must be from 0 to {MAX_JITTER}")
    rng = np.random.default_rng(seed)
    # Every draw happens whatever the settings, so changing one setting never moves the points.
    points = rng.uniform(-EXTENT, EXTENT, (count, 2))
    shifted = points + rng.uniform(-EXTENT, EXTENT, (count, 2)) * jitter
    flipped = rng.random(count) < flip
    wobble = rng.normal(0.0, 1.0, count) * noise
    values = evaluate(rule, shifted)
    if rule.task == "classes":
        labels = (values ^ flipped).astype(np.int64)
        true = int(labels.sum())
        if true < MIN_PER_CLASS:
            raise RuleError("rule_rarely_true", count=true, total=count, minimum=MIN_PER_CLASS)
        if count - true < MIN_PER_CLASS:
            raise RuleError("rule_rarely_false", count=count - true, total=count, minimum=MIN_PER_CLASS)
        parts = split(points, labels, train_fraction, rng, stratify=True)
        return OwnPlaneData("rule", "binary", 2, *parts)
    if values.max() == values.min():
        raise RuleError("rule_constant", value=f"{values[0]:.4g}")
    size = float(np.abs(values).max())
    targets = np.clip(values / size + wobble, -1.0, 1.0).astype(np.float32)
    parts = split(points, targets, train_fraction, rng, stratify=False)
    return OwnPlaneData("rule", "regression", 0, *parts, value=Axis(rule.text, -size, size, 1.0))
