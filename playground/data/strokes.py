"""Synthetic handwritten digits as pen strokes: drawn the ways people draw, for checks and benchmarks."""

from dataclasses import dataclass

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
