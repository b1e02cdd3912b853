"""Data augmentation in numpy: small random shifts, rotations and stroke-width changes of grey images, as a learner
would see them."""

import numpy as np


def transform(images: np.ndarray, angles: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Images (N, H, W) rotated by angles (degrees, counter-clockwise) about the centre, then shifted by (dy, dx).

    Bilinear sampling; pixels that come from outside the image are 0 (background). Returns float32.
    """
    images = np.asarray(images, dtype=np.float32)
    count, height, width = images.shape
    theta = np.deg2rad(np.asarray(angles, dtype=np.float32)).reshape(count, 1, 1)
    dy = np.asarray(shifts, dtype=np.float32)[:, 0].reshape(count, 1, 1)
    dx = np.asarray(shifts, dtype=np.float32)[:, 1].reshape(count, 1, 1)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    cy, cx = (height - 1) / 2, (width - 1) / 2
    # Inverse mapping: for every output pixel, where in the source image does it come from?
    y, x = rows[None] - cy - dy, cols[None] - cx - dx
    cos, sin = np.cos(theta), np.sin(theta)
    source_y = cos * y + sin * x + cy
    source_x = -sin * y + cos * x + cx
    return _bilinear(images, source_y, source_x)


def _bilinear(images: np.ndarray, source_y: np.ndarray, source_x: np.ndarray) -> np.ndarray:
    count, height, width = images.shape
    padded = np.zeros((count, height + 2, width + 2), dtype=np.float32)  # a zero border for outside samples
    padded[:, 1:-1, 1:-1] = images
    source_y = np.clip(source_y + 1, 0, height + 1 - 1e-4)
    source_x = np.clip(source_x + 1, 0, width + 1 - 1e-4)
    y0, x0 = np.floor(source_y).astype(np.int32), np.floor(source_x).astype(np.int32)
    y1, x1 = np.minimum(y0 + 1, height + 1), np.minimum(x0 + 1, width + 1)
    wy, wx = source_y - y0, source_x - x0
    index = np.arange(count)[:, None, None]
    top = padded[index, y0, x0] * (1 - wx) + padded[index, y0, x1] * wx
    bottom = padded[index, y1, x0] * (1 - wx) + padded[index, y1, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def restroke(images: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Images (N, H, W) with each one's strokes widened (width > 0) or thinned (< 0) by that many whole pixels.

    A grey dilation (erosion) with a (|width| + 1)-pixel square window: the largest (smallest) value under it, so a
    stroke gains (loses) |width| pixels across and its soft edge keeps its grey levels. An image that thinning
    would wipe out (no pixel left at half its brightest) is kept as it was. Returns float32.
    """
    images = np.asarray(images, dtype=np.float32)
    widths = np.asarray(widths, dtype=np.int64).reshape(len(images))
    out = images.copy()
    for width in np.unique(widths[widths != 0]):
        chosen = widths == width
        if width > 0:
            out[chosen] = _max_filter(images[chosen], int(width) + 1)
        else:
            thinned = -_max_filter(-images[chosen], int(-width) + 1)
            # Thinning a 1-2 pixel stroke can leave nothing: such a digit is better kept than erased.
            kept = thinned.max(axis=(1, 2)) >= 0.5 * images[chosen].max(axis=(1, 2))
            out[np.flatnonzero(chosen)[kept]] = thinned[kept]
    return out


def _max_filter(images: np.ndarray, size: int) -> np.ndarray:
    # A square maximum filter over each image, separable (rows, then columns). An even window covers the pixel and
    # those above and to its left, as scipy.ndimage's does.
    before, after = size // 2, (size - 1) // 2
    padded = np.pad(images, ((0, 0), (before, after), (before, after)), constant_values=-np.inf)
    rows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=1).max(axis=-1)
    return np.lib.stride_tricks.sliding_window_view(rows, size, axis=2).max(axis=-1)


def random_augment(
    images: np.ndarray, rng: np.random.Generator, max_shift: float, max_rotation: float, max_width: int = 0
) -> np.ndarray:
    """Images (N, H, W) each shifted by up to max_shift pixels and rotated by up to max_rotation degrees, at random;
    with max_width, first each one's strokes widened or thinned by a whole number of pixels up to max_width."""
    count = len(images)
    if max_width > 0:  # drawn only when asked: the same seed gives the same shifts and rotations as before
        images = restroke(images, rng.integers(-max_width, max_width + 1, size=count))
    angles = rng.uniform(-max_rotation, max_rotation, size=count) if max_rotation > 0 else np.zeros(count)
    shifts = rng.uniform(-max_shift, max_shift, size=(count, 2)) if max_shift > 0 else np.zeros((count, 2))
    return transform(images, angles, shifts)


def preview_sheet(
    images: np.ndarray, max_shift: float, max_rotation: float, seed: int = 0, scale: int = 3, max_width: int = 0
) -> np.ndarray:
    """A uint8 picture: the images in the top row, randomly augmented copies below, enlarged `scale` times."""
    originals = np.asarray(images, dtype=np.float32) / 255.0
    augmented = random_augment(originals, np.random.default_rng(seed), max_shift, max_rotation, max_width)
    count, height, width = originals.shape
    sheet = np.full((2 * height + 2, count * (width + 2)), 0.35, dtype=np.float32)  # grey gutters between digits
    for index in range(count):
        left = index * (width + 2)
        sheet[:height, left : left + width] = originals[index]
        sheet[height + 2 :, left : left + width] = augmented[index]
    sheet = np.kron(sheet, np.ones((scale, scale), dtype=np.float32))
    return (np.clip(sheet, 0, 1) * 255).astype(np.uint8)
