"""The 2-D playground's live frames as plain PNG pictures: the network diagram, the output plane, the loss curves.

Why not Plotly while training plays: Streamlit gives a Plotly chart a new element id whenever its figure changes,
so every frame remounts the chart and it is blank while Plotly redraws it (measured in chromium: blank in about
half of the screenshots taken while playing). A picture updates in place. When paused, the page shows the Plotly
figures of plane_figures instead, whose hover reads out every weight and point.
"""

import functools
import io
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.plane import data as plane
from playground.plane.figures import (
    CLASS_COLOURS,
    LINE_WIDTHS,
    NEGATIVE,
    NODE_WIDTH,
    POSITIVE,
    TEST_LOSS_COLOUR,
    TRAIN_LOSS_COLOUR,
    WIDTH_BINS,
    diverging_rgb,
)

SCALE = 2  # drawn at twice the size shown, so that lines and text stay sharp on high-density screens
FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")
ASCII_SYMBOLS = {
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1^2",
    "x2sq": "x2^2",
    "x1x2": "x1*x2",
    "sinx1": "sin x1",
    "sinx2": "sin x2",
}
JPEG_QUALITY = 85  # the two large pictures: ~10 ms to encode at twice the size, against ~100 ms for PNG
GRID_GREY = (220, 220, 220)
NODE_BORDER = (170, 170, 170)
TEXT_GREY = (90, 90, 90)


@functools.lru_cache(maxsize=8)
def font(size: int) -> tuple[ImageFont.FreeTypeFont, bool]:
    """A font of this pixel size, and whether it has subscripts (DejaVu Sans where installed, else Pillow's own)."""
    for path in FONT_PATHS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def feature_label(name: str, size: int) -> tuple[str, ImageFont.FreeTypeFont]:
    """The feature's symbol (x₁², sin(x₁)) when the font can write it, else its ASCII spelling."""
    face, unicode_ok = font(size)
    return (plane.FEATURE_SYMBOLS[name] if unicode_ok else ASCII_SYMBOLS[name]), face


def encoded(picture: Image.Image, photo: bool = True) -> bytes:
    """The picture as JPEG (photo-like pictures: fast to encode) or PNG bytes, ready for st.image."""
    buffer = io.BytesIO()
    if photo:
        picture.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    else:
        picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _resized(rgb: np.ndarray, side: int) -> Image.Image:
    return Image.fromarray(rgb, "RGB").resize((side, side), Image.BILINEAR)


# ---------------------------------------------------------------- the output over the plane


def output_picture(image: np.ndarray, data: plane.PlaneData, show_test: bool = False, side: int = 330) -> Image.Image:
    """The output heatmap (rows from the top of the plane) with the points on it and ticks at −5, 0 and 5."""
    margin_left, margin_bottom = 26 * SCALE, 20 * SCALE
    plot = side * SCALE
    picture = Image.new("RGB", (plot + margin_left + 4 * SCALE, plot + margin_bottom + 4 * SCALE), "white")
    picture.paste(_resized(image, plot), (margin_left, 2 * SCALE))
    draw = ImageDraw.Draw(picture)

    def to_pixel(points: np.ndarray) -> np.ndarray:
        scaled = (points + plane.EXTENT) / (2 * plane.EXTENT) * plot
        return np.stack([margin_left + scaled[:, 0], 2 * SCALE + plot - scaled[:, 1]], axis=1)

    radius = 3.5 * SCALE
    sets = [(data.x_train, data.y_train, (255, 255, 255), 1 * SCALE)]
    if show_test:
        sets.append((data.x_test, data.y_test, (0, 0, 0), int(1.5 * SCALE)))
    for points, labels, edge, width in sets:
        inside = np.all(np.abs(points) <= plane.EXTENT, axis=1)  # noisy points beyond the plane are not drawn
        points, labels = points[inside], labels[inside]
        if data.task == "regression":
            fills = [tuple(c) for c in diverging_rgb(labels)]
        else:
            fills = [_rgb(CLASS_COLOURS[int(label)]) for label in labels]
        for (x, y), fill in zip(to_pixel(points), fills, strict=True):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill, outline=edge, width=width)
    face, _ = font(11 * SCALE)
    for value in (-5, 0, 5):
        x, y = to_pixel(np.array([[value, value]], np.float32))[0]
        text = str(value).replace("-", "−") if font(11 * SCALE)[1] else str(value)
        draw.text((x, 2 * SCALE + plot + 3 * SCALE), text, fill=TEXT_GREY, font=face, anchor="mt")
        draw.text((margin_left - 4 * SCALE, y), text, fill=TEXT_GREY, font=face, anchor="rm")
    return picture


# ---------------------------------------------------------------- the network


def network_picture(
    feature_names: Sequence[str],
    input_images: Sequence[np.ndarray],
    hidden_images: Sequence[Sequence[np.ndarray]],
    output_images: Sequence[np.ndarray],
    weights: Sequence[tuple[np.ndarray, np.ndarray]],
    width: int = 560,
) -> Image.Image:
    """The network as the Plotly diagram draws it (same columns, so the controls above line up), as a picture."""
    sizes = [len(feature_names), *(len(layer) for layer in hidden_images), len(output_images)]
    rows = max(sizes)
    height = int(np.clip(44 * rows + 20, 320, 640))
    picture_width, picture_height = width * SCALE, height * SCALE
    # The Plotly diagram's axes: x from −0.9 to columns − 0.6, y from −rows + 0.45 to 0.55.
    x_low, x_high = -0.9, len(sizes) - 0.6
    y_low, y_high = -rows + 0.45, 0.55

    def to_pixel(x: float, y: float) -> tuple[float, float]:
        return (
            (x - x_low) / (x_high - x_low) * picture_width,
            (y_high - y) / (y_high - y_low) * picture_height,
        )

    unit_x, unit_y = picture_width / (x_high - x_low), picture_height / (y_high - y_low)
    node = int(min(NODE_WIDTH * unit_x, 0.8 * unit_y))  # "contain": square thumbnails that fit the cell
    picture = Image.new("RGBA", (picture_width, picture_height), (255, 255, 255, 255))
    lines = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(lines)
    for layer, (kernel, _bias) in enumerate(weights):
        for i in range(kernel.shape[0]):
            for j in range(kernel.shape[1]):
                w = float(kernel[i, j])
                start = to_pixel(layer, -i)
                end = to_pixel(layer + 1, -j)
                colour = _rgb(POSITIVE if w >= 0 else NEGATIVE)
                line_width = LINE_WIDTHS[int(np.searchsorted(WIDTH_BINS, abs(w)))] if np.isfinite(w) else 0.5
                draw.line(
                    ((start[0] + node / 2, start[1]), (end[0] - node / 2, end[1])),
                    fill=(*colour, 190), width=max(1, round(line_width * SCALE)),
                )  # fmt: skip
    picture.alpha_composite(lines)
    columns = [list(input_images), *(list(layer) for layer in hidden_images), list(output_images)]
    for column, images in enumerate(columns):
        for row, rgb in enumerate(images):
            x, y = to_pixel(column, -row)
            corner = (round(x - node / 2), round(y - node / 2))
            picture.paste(_resized(rgb, node), corner)
            # A thin frame, so that a neuron whose picture is mostly white still shows where it is.
            frame = (corner[0] - 1, corner[1] - 1, corner[0] + node, corner[1] + node)
            ImageDraw.Draw(picture).rectangle(frame, outline=NODE_BORDER, width=SCALE)
    draw = ImageDraw.Draw(picture)
    for row, name in enumerate(feature_names):
        text, face = feature_label(name, 13 * SCALE)
        x, y = to_pixel(0, -row)
        draw.text((x - node / 2 - 6 * SCALE, y), text, fill=TEXT_GREY, font=face, anchor="rm")
    return picture.convert("RGB")


# ---------------------------------------------------------------- loss curves


def loss_picture(history: dict, width: int = 330, height: int = 170) -> Image.Image:
    """Training (grey) and test (black) loss per epoch, with the axis from 0 to the largest loss."""
    margin_left, margin_bottom, top = 34 * SCALE, 18 * SCALE, 10 * SCALE
    picture = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(picture)
    plot_width, plot_height = width * SCALE - margin_left - 6 * SCALE, height * SCALE - margin_bottom - top
    epochs = np.asarray(history["epoch"], float)
    curves = [np.asarray(history[key], float) for key in ("train", "test")]
    finite = np.concatenate([c[np.isfinite(c)] for c in curves]) if len(epochs) else np.array([1.0])
    top_loss = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    last_epoch = max(float(epochs.max()) if epochs.size else 1.0, 1.0)
    face, _ = font(10 * SCALE)
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_height * (1 - fraction)
        draw.line(((margin_left, y), (margin_left + plot_width, y)), fill=GRID_GREY, width=SCALE)
        draw.text((margin_left - 4 * SCALE, y), f"{top_loss * fraction:.2g}", fill=TEXT_GREY, font=face, anchor="rm")
    for fraction, anchor in ((0.0, "lt"), (0.5, "mt"), (1.0, "rt")):  # the outer labels stay inside the picture
        x, y = margin_left + plot_width * fraction, top + plot_height + 3 * SCALE
        draw.text((x, y), f"{last_epoch * fraction:.0f}", fill=TEXT_GREY, font=face, anchor=anchor)
    for values, colour in zip(curves, (TRAIN_LOSS_COLOUR, TEST_LOSS_COLOUR), strict=True):
        keep = np.isfinite(values)
        if keep.sum() < 2:
            continue
        xs = margin_left + epochs[keep] / last_epoch * plot_width
        ys = top + plot_height * (1 - np.clip(values[keep] / top_loss, 0, 1))
        draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=_rgb(colour), width=2 * SCALE)
    return picture
