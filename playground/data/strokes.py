"""Synthetic handwritten digits as pen strokes: drawn the ways people draw, for checks and benchmarks.

Two layers: DIGITS and STYLES are a few fixed drawings (one shape per digit, six ways to place it);
VARIANTS, GROUPS and generate() make the project's drawn-digit set, a seeded sample of natural
variation (several shapes per digit, jittered, placed, slanted and drawn with varied pens) in fixed
counts per style group, split half for tuning and half held out (scripts/make_drawn_digits.py).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, points: int = 24) -> Stroke:
    # Angles in degrees, screen coordinates (y down): 0° is right, 90° is down.
    angles = np.radians(np.linspace(start, stop, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


# Each digit as pen strokes in a unit box (x right, y down), shaped like common handwriting.
DIGITS: dict[int, list[Stroke]] = {
    0: [_arc(0.5, 0.5, 0.32, 0.46, -100, 265, 40)],
    1: [[(0.42, 0.16), (0.56, 0.03), (0.53, 0.97)]],
    2: [_arc(0.5, 0.3, 0.3, 0.26, 190, 370) + [(0.72, 0.5), (0.18, 0.95), (0.86, 0.95)]],
    3: [_arc(0.46, 0.27, 0.28, 0.23, -160, 95) + _arc(0.46, 0.73, 0.3, 0.23, -90, 155)],
    4: [[(0.62, 0.03), (0.14, 0.64), (0.88, 0.64)], [(0.66, 0.3), (0.64, 0.97)]],
    5: [[(0.82, 0.04), (0.28, 0.04), (0.23, 0.45)], _arc(0.48, 0.68, 0.3, 0.27, -125, 150)],
    6: [[(0.68, 0.03), (0.42, 0.25), (0.26, 0.52)] + _arc(0.5, 0.72, 0.25, 0.24, 185, 545, 36)],
    7: [[(0.14, 0.06), (0.86, 0.06), (0.42, 0.97)]],
    8: [_arc(0.5, 0.27, 0.23, 0.23, 90, 450, 32), _arc(0.5, 0.72, 0.27, 0.25, -90, 270, 32)],
    9: [_arc(0.48, 0.3, 0.26, 0.25, 0, 360, 32), [(0.74, 0.3), (0.72, 0.97)]],
}


@dataclass(frozen=True)
class Style:
    """How a digit is drawn on the canvas: where, how big, how slanted, with what pen."""

    name: str
    centre: tuple[float, float] = (0.5, 0.5)  # as fractions of the canvas
    height: float = 0.7  # as a fraction of the canvas height
    slant: float = 0.0  # horizontal shift per unit of height, to the right going up
    pen: float = 18.0  # pen width in pixels on a 280-pixel canvas
    aspect: float = 0.75  # width / height of the digit box


STYLES = (
    Style("centred"),
    Style("small in a corner", centre=(0.2, 0.22), height=0.28, pen=9),
    Style("slanted", slant=0.3),
    Style("thick", pen=34),
    Style("thin", pen=5),
    Style("wide, low right", centre=(0.62, 0.66), height=0.55, aspect=1.0, pen=14),
)


def canvas_strokes(digit: int, style: Style, size: tuple[int, int] = (280, 280)) -> list[Stroke]:
    """The digit's strokes in canvas pixel coordinates for the given style and canvas (width, height)."""
    width, height = size
    box_h = style.height * height
    box_w = box_h * style.aspect
    cx, cy = style.centre[0] * width, style.centre[1] * height
    placed = []
    for stroke in DIGITS[digit]:
        points = []
        for x, y in stroke:
            px = cx + (x - 0.5) * box_w + style.slant * (0.5 - y) * box_h
            points.append((px, cy + (y - 0.5) * box_h))
        placed.append(points)
    return placed


def render(strokes: list[Stroke], pen: float, size: tuple[int, int] = (280, 280)) -> np.ndarray:
    """RGBA uint8 canvas (height, width, 4): white strokes with round ends on an opaque black background."""
    image = Image.new("RGBA", size, (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    radius = pen / 2
    for stroke in strokes:
        draw.line(stroke, fill=(255, 255, 255, 255), width=max(1, round(pen)), joint="curve")
        for x, y in (stroke[0], stroke[-1]):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 255))
    return np.asarray(image)


def drawing(digit: int, style: Style = STYLES[0], size: tuple[int, int] = (280, 280)) -> np.ndarray:
    """The digit drawn in this style on a black canvas, as the Draw page's canvas returns it (RGBA)."""
    scale = min(size) / 280
    return render(canvas_strokes(digit, style, size), style.pen * scale, size)


# ---------------------------------------------------------------- the drawn-digit set


class Hand:
    """One sample's random draws: j() jitters a nominal value, u() draws uniformly; amount 0 gives the nominal."""

    def __init__(self, rng: np.random.Generator, amount: float = 1.0):
        self.rng, self.amount = rng, amount

    def j(self, value: float, spread: float = 0.03) -> float:
        """The value moved by a normal draw of the given spread (scaled by amount)."""
        return value + self.amount * spread * float(self.rng.standard_normal())

    def u(self, low: float, high: float) -> float:
        """A uniform draw in [low, high); their mean when amount is 0."""
        return float(self.rng.uniform(low, high)) if self.amount else (low + high) / 2


def _curve(p0, p1, p2, points: int = 12) -> Stroke:
    # A quadratic Bézier from p0 to p2 pulled towards p1.
    t = np.linspace(0, 1, points)[:, None]
    curve = (1 - t) ** 2 * np.array(p0) + 2 * (1 - t) * t * np.array(p1) + t**2 * np.array(p2)
    return [(float(x), float(y)) for x, y in curve]


def _onward(stroke: Stroke, control, end) -> Stroke:
    # The stroke carried on by a curve from where it ends.
    return stroke + _curve(stroke[-1], control, end)[1:]


def _eight(h: Hand) -> list[Stroke]:
    # One stroke: down the top loop's left side, across, round the bottom loop, and back up (a Gerono-like 8).
    start, width, top, bottom = h.j(0, 0.3), h.j(0.27, 0.03), h.j(0.04, 0.02), h.j(0.96, 0.02)
    t = np.linspace(start, start + 2 * np.pi + h.u(0, 0.4), 40)
    ys = (top + bottom) / 2 - (bottom - top) / 2 * np.cos(t)
    return [[(float(0.5 - width * np.sin(2 * a)), float(y)) for a, y in zip(t, ys, strict=True)]]


def _one(h: Hand, flag: float, base: bool) -> list[Stroke]:
    # flag: how far left of the stem the flag starts (0: a plain stroke).
    top, bottom = (h.j(0.54, 0.02), h.j(0.03, 0.015)), (h.j(0.53, 0.02), h.j(0.97, 0.01))
    stroke = [top, bottom] if flag == 0 else [(top[0] - flag, top[1] + h.j(0.6, 0.15) * flag), top, bottom]
    if not base:
        return [stroke]
    half = h.j(0.26, 0.04)
    return [stroke, [(bottom[0] - half, bottom[1]), (bottom[0] + half, h.j(bottom[1], 0.01))]]


def _seven(h: Hand, crossed: bool, serif: bool) -> list[Stroke]:
    corner = (h.j(0.86, 0.03), h.j(0.06, 0.02))
    stroke = [(h.j(0.14, 0.03), h.j(0.06, 0.02)), corner, (h.j(0.42, 0.05), h.j(0.97, 0.01))]
    if serif:
        stroke.insert(0, (stroke[0][0] + h.j(0, 0.02), h.j(0.2, 0.04)))
    if not crossed:
        return [stroke]
    middle = h.j(0.52, 0.04)
    return [stroke, [(h.j(0.36, 0.04), middle), (h.j(0.82, 0.04), h.j(middle, 0.02))]]


def _four(h: Hand, closed: bool) -> list[Stroke]:
    bar, right = h.j(0.63, 0.04), h.j(0.67, 0.03)
    stem = [(right, h.j(0.03, 0.02) if closed else h.j(0.12, 0.05)), (h.j(right, 0.02), h.j(0.97, 0.01))]
    start = stem[0] if closed else (h.j(0.24, 0.04), h.j(0.03, 0.02))
    corner = (h.j(0.12, 0.03), bar) if closed else (h.j(0.15, 0.03), bar)
    return [[start, corner, (h.j(0.9, 0.03), h.j(bar, 0.015))], stem]


# Each digit's shape variants as functions of a Hand, in a unit box (x right, y down), with the weight each
# has when a group draws "any shape" of the digit: the common ways people write it.
VARIANTS: dict[int, dict[str, tuple[float, Callable[[Hand], list[Stroke]]]]] = {
    0: {
        "oval": (
            3,
            lambda h: [_arc(h.j(0.5, 0.02), 0.5, h.j(0.32, 0.04), h.j(0.46, 0.02), h.j(-100, 25), h.j(268, 20), 32)],
        ),
        "overlapping": (
            1,
            lambda h: [_arc(h.j(0.5, 0.02), 0.5, h.j(0.3, 0.04), h.j(0.46, 0.02), -80, h.j(310, 15), 36)],
        ),
    },
    1: {
        "plain": (4, lambda h: _one(h, 0, False)),
        "small flag": (3, lambda h: _one(h, h.u(0.08, 0.16), False)),
        "flag": (2, lambda h: _one(h, h.u(0.2, 0.42), False)),
        "flag and base": (1, lambda h: _one(h, h.u(0.14, 0.4), True)),
    },
    2: {
        "plain": (
            2,
            lambda h: [
                _arc(0.5, h.j(0.3, 0.02), h.j(0.3, 0.03), h.j(0.26, 0.02), h.j(190, 12), 370, 16)
                + [(h.j(0.72, 0.03), h.j(0.5, 0.04)), (h.j(0.18, 0.03), 0.95), (h.j(0.86, 0.04), h.j(0.95, 0.02))]
            ],
        ),
        "round": (
            1,
            lambda h: [
                _onward(
                    _arc(0.5, 0.28, h.j(0.32, 0.03), 0.25, h.j(180, 10), 375, 16),
                    (h.j(0.6, 0.05), h.j(0.72, 0.05)),
                    (0.16, 0.95),
                )
                + [(h.j(0.86, 0.04), h.j(0.93, 0.02))]
            ],
        ),
    },
    3: {
        "two arcs": (
            3,
            lambda h: [
                _arc(h.j(0.46, 0.02), 0.27, h.j(0.28, 0.03), h.j(0.23, 0.02), h.j(-160, 12), 95, 16)
                + _arc(h.j(0.46, 0.02), 0.73, h.j(0.3, 0.03), h.j(0.23, 0.02), -90, h.j(155, 12), 16)
            ],
        ),
        "flat top": (
            1,
            lambda h: [
                [(h.j(0.2, 0.03), h.j(0.05, 0.02)), (h.j(0.8, 0.03), 0.04), (h.j(0.45, 0.03), h.j(0.44, 0.03))]
                + _arc(0.46, 0.7, h.j(0.31, 0.03), h.j(0.26, 0.02), -90, h.j(155, 12), 16)
            ],
        ),
    },
    4: {"open": (1, lambda h: _four(h, False)), "closed": (1, lambda h: _four(h, True))},
    5: {
        "plain": (
            1,
            lambda h: [
                [(h.j(0.82, 0.04), h.j(0.04, 0.02)), (h.j(0.28, 0.03), 0.04), (h.j(0.23, 0.03), h.j(0.45, 0.03))],
                _arc(0.48, h.j(0.68, 0.02), h.j(0.3, 0.03), h.j(0.27, 0.02), h.j(-125, 10), h.j(150, 12), 18),
            ],
        ),
    },
    6: {
        "straight top": (
            2,
            lambda h: [
                [(h.j(0.68, 0.04), 0.03), (h.j(0.42, 0.04), h.j(0.25, 0.03)), (0.26, 0.52)]
                + _arc(0.5, 0.72, h.j(0.25, 0.02), h.j(0.24, 0.02), 185, h.j(545, 15), 24)
            ],
        ),
        "curved top": (
            1,
            lambda h: [
                _curve((h.j(0.72, 0.04), 0.03), (h.j(0.22, 0.05), h.j(0.12, 0.05)), (0.25, 0.72))
                + _arc(0.5, 0.72, h.j(0.25, 0.02), h.j(0.24, 0.02), 180, h.j(535, 15), 24)[1:]
            ],
        ),
    },
    7: {
        "plain": (4, lambda h: _seven(h, False, False)),
        "serif": (1, lambda h: _seven(h, False, True)),
        "crossed": (2, lambda h: _seven(h, True, h.rng.random() < 0.3 * h.amount)),
    },
    8: {
        "two loops": (
            2,
            lambda h: [
                _arc(0.5, h.j(0.27, 0.02), h.j(0.23, 0.03), h.j(0.23, 0.02), h.j(90, 30), h.j(450, 15), 24),
                _arc(0.5, 0.72, h.j(0.27, 0.03), h.j(0.25, 0.02), h.j(-90, 30), h.j(270, 15), 24),
            ],
        ),
        "one stroke": (1, _eight),
    },
    9: {
        "straight stem": (
            2,
            lambda h: [
                _arc(h.j(0.48, 0.02), 0.3, h.j(0.26, 0.03), h.j(0.25, 0.02), h.j(0, 20), 360, 24),
                [(0.74, 0.3), (h.j(0.72, 0.04), 0.97)],
            ],
        ),
        "curved stem": (
            1,
            lambda h: [
                _onward(
                    _arc(0.48, 0.3, h.j(0.26, 0.03), h.j(0.25, 0.02), 10, h.j(-350, 15), 24),
                    (h.j(0.76, 0.03), 0.95),
                    (h.j(0.45, 0.05), h.j(0.93, 0.02)),
                )
            ],
        ),
    },
}


@dataclass(frozen=True)
class Group:
    """A style group of the drawn set: how big, where, how slanted and with what pen its digits are drawn."""

    name: str
    height: tuple[float, float]  # the digit's height as a fraction of the canvas height, drawn uniformly
    pen: tuple[float, float]  # pen width in pixels on a 280-pixel canvas, drawn uniformly
    place: str = "centre"  # centre | anywhere | top-left | top-right | bottom-left | bottom-right
    slant: tuple[float, float] = (-8.0, 8.0)  # degrees, positive leaning right, drawn uniformly
    digits: tuple[int, ...] = tuple(range(10))
    variants: tuple[str, ...] = ()  # the shapes drawn (among the digits' VARIANTS); empty: any, by weight
    count: int = 10  # samples per digit
    max_pen: float = 0.3  # the pen is at most this fraction of the digit's height
    rotation: float = 5.0  # degrees either way, besides the slant


CORNER = dict(height=(0.2, 0.4), pen=(12.0, 30.0), max_pen=0.33)
ANY = dict(height=(0.22, 0.8), pen=(5.0, 36.0), place="anywhere", slant=(-10.0, 10.0), count=40)
GROUPS = (
    Group("regular", height=(0.55, 0.8), pen=(14.0, 26.0)),
    Group("thin pen", height=(0.45, 0.8), pen=(4.0, 7.0)),
    Group("thick pen", height=(0.5, 0.85), pen=(28.0, 40.0)),
    Group("small", height=(0.14, 0.3), pen=(6.0, 18.0), place="anywhere"),
    *(
        Group(f"corner {where}", place=where, **CORNER)
        for where in ("top-left", "top-right", "bottom-left", "bottom-right")
    ),
    Group("slant +20°", height=(0.5, 0.8), pen=(12.0, 26.0), slant=(18.0, 22.0)),
    Group("slant −20°", height=(0.5, 0.8), pen=(12.0, 26.0), slant=(-22.0, -18.0)),
    Group("1 with a flag", digits=(1,), variants=("flag",), **ANY),
    Group("1 with a flag and base", digits=(1,), variants=("flag and base",), **ANY),
    Group("crossed 7", digits=(7,), variants=("crossed",), **ANY),
    Group("closed 4", digits=(4,), variants=("closed",), **ANY),
    Group("open 4", digits=(4,), variants=("open",), **ANY),
)
SPLITS = ("tuning", "held-out")


@dataclass(frozen=True)
class Sample:
    """One drawn digit of the set: its strokes on a canvas of the given (width, height), drawn with a pen."""

    digit: int
    group: str
    split: str
    pen: float
    strokes: list[Stroke] = field(repr=False)
    canvas: tuple[int, int] = (280, 280)
    variant: str = ""

    def image(self) -> np.ndarray:
        """The sample drawn by the project's renderer (RGBA, as the Draw page's canvas returns it)."""
        return render(self.strokes, self.pen, self.canvas)


def _wobble(strokes: list[Stroke], h: Hand, amount: float = 0.025) -> list[Stroke]:
    # A smooth random displacement of the whole drawing: strokes bend but keep meeting where they met.
    k = [h.u(2, 5) * (1 if h.u(0, 1) < 0.5 else -1) for _ in range(4)]
    phase = [h.u(0, 2 * math.pi) for _ in range(2)]
    a = h.u(0, amount)
    return [
        [
            (x + a * math.sin(k[0] * x + k[1] * y + phase[0]), y + a * math.sin(k[2] * x + k[3] * y + phase[1]))
            for x, y in s
        ]
        for s in strokes
    ]


def _variant(digit: int, group: Group, h: Hand) -> str:
    names = group.variants or tuple(VARIANTS[digit])
    weights = np.array([VARIANTS[digit][name][0] for name in names], dtype=float)
    return str(names[h.rng.choice(len(names), p=weights / weights.sum())])


def _place(points: np.ndarray, margin: float, place: str, size: tuple[int, int], h: Hand) -> np.ndarray:
    # Moves the drawing's ink box (grown by the pen's radius) to where the group puts it, inside the canvas.
    low, high = points.min(axis=0) - margin, points.max(axis=0) + margin
    room = np.maximum(np.array(size, dtype=float) - (high - low), 0)
    if place == "centre":
        target = room / 2 + np.array([h.j(0, 0.06), h.j(0, 0.06)]) * size
    elif place == "anywhere":
        target = np.array([h.u(0, room[0]), h.u(0, room[1])])
    else:
        vertical, horizontal = place.split("-")
        gap = np.array([h.u(2, 24), h.u(2, 24)])
        target = np.where([horizontal == "left", vertical == "top"], gap, room - gap)
    return points + (np.clip(target, 0, room) - low)


def sample(digit: int, group: Group, h: Hand, size: tuple[int, int] = (280, 280)) -> Sample:
    """One digit drawn in the group's style: a shape variant, jittered, slanted, scaled, placed (split unset)."""
    variant = _variant(digit, group, h)
    unit = _wobble(VARIANTS[digit][variant][1](h), h)
    height = h.u(*group.height) * size[1]
    width = height * h.u(0.62, 0.9)
    shear = math.tan(math.radians(h.u(*group.slant)))
    turn = math.radians(h.u(-group.rotation, group.rotation))
    rotate = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    pen = min(h.u(*group.pen), group.max_pen * height) * min(size) / 280
    lengths = [len(s) for s in unit]
    points = np.concatenate([np.array(s, dtype=float) for s in unit]) - 0.5
    points = np.stack([points[:, 0] * width + shear * -points[:, 1] * height, points[:, 1] * height], axis=1)
    points = _place(points @ rotate.T, pen / 2 + 1, group.place, size, h)
    parts = np.split(np.round(points, 1), np.cumsum(lengths)[:-1])
    placed = [[(float(x), float(y)) for x, y in part] for part in parts]
    return Sample(digit, group.name, "", round(pen, 1), placed, size, variant)


def generate(seed: int, groups: tuple[Group, ...] = GROUPS, size: tuple[int, int] = (280, 280)) -> list[Sample]:
    """The drawn set: group.count samples per digit and group, half of each (group, digit) tuning, half held out."""
    rng = np.random.default_rng(seed)
    samples = []
    for group in groups:
        for digit in group.digits:
            drawn = [sample(digit, group, Hand(rng), size) for _ in range(group.count)]
            held_out = set(rng.permutation(group.count)[: group.count // 2].tolist())
            samples += [
                Sample(s.digit, s.group, SPLITS[i in held_out], s.pen, s.strokes, s.canvas, s.variant)
                for i, s in enumerate(drawn)
            ]
    return samples
