"""Helpers for tests: small zips of labelled images drawn with Pillow (shapes a tiny CNN learns in seconds)."""

import io
import zipfile

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "cross", "square")


def shape_image(kind: str, size: int, rng: np.random.Generator, light: bool = True, mode: str = "L") -> Image.Image:
    """A shape drawn in dark ink on a light background (or light on dark), with random position and size."""
    background, ink = (235, 20) if light else (0, 255)
    image = Image.new("L", (size, size), background)
    draw = ImageDraw.Draw(image)
    half = size * rng.uniform(0.25, 0.38)
    cx, cy = size / 2 + rng.uniform(-2, 2), size / 2 + rng.uniform(-2, 2)
    width = max(2, size // 10)
    box = (cx - half, cy - half, cx + half, cy + half)
    if kind == "circle":
        draw.ellipse(box, outline=ink, width=width)
    elif kind == "square":
        draw.rectangle(box, outline=ink, width=width)
    else:
        draw.line((box[0], box[1], box[2], box[3]), fill=ink, width=width)
        draw.line((box[0], box[3], box[2], box[1]), fill=ink, width=width)
    return image.convert(mode)


def encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    """The image as PNG or JPEG bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def make_zip(files: dict[str, bytes]) -> bytes:
    """A zip archive holding these files (path -> bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()


def shapes_files(per_class: int = 12, size: int = 40, root: str = "", classes=SHAPES, seed: int = 0,
                 light: bool = True, fmt: str = "PNG") -> dict[str, bytes]:  # fmt: skip
    """{path: image bytes} of per_class drawings of each shape, in a folder per class (under root, if given)."""
    rng = np.random.default_rng(seed)
    suffix = "png" if fmt == "PNG" else "jpg"
    prefix = f"{root}/" if root else ""
    return {
        f"{prefix}{kind}/{kind}_{index:03d}.{suffix}": encode(shape_image(kind, size, rng, light), fmt)
        for kind in classes
        for index in range(per_class)
    }


def shapes_zip(**options) -> bytes:
    """A zip of shapes_files(**options)."""
    return make_zip(shapes_files(**options))
