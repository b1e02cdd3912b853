"""One image pipeline for drawings, uploaded photos and own image sets, and a drawing's MNIST-style input.

The shared steps, with one set of thresholds: decode a PNG or JPEG within bounds (bounded.images), read its ink
(alpha → ink when the background is transparent, else grey levels), decide dark-on-light vs light-on-dark from
the border and invert the former, so that ink is light on dark as on the Draw page's canvas. Own image sets
(data.own) then pad and resize to their set's size; a drawing or photo of a digit goes on here.

MNIST's digits were cropped to their ink, scaled so the longer side is 20 pixels (aspect ratio kept,
anti-aliased), and placed in a 28×28 field with their centre of mass at the centre. Doing the same
to a drawing is what lets a model trained on MNIST read a digit drawn small, off-centre or thin.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from playground import bounded
from playground.bounded.images import PHOTO_PIXELS, decode_image

SIZE = 28  # the model's input side
BOX = 20  # the longer side of the digit inside it, as in MNIST
WORK_SIDE = 560  # huge images are first reduced to this longer side: plenty for a 20-pixel result
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_UPLOAD_PIXELS = PHOTO_PIXELS  # 4096 × 4096, from the header before decoding: a 12 MP photo fits
TRANSPARENT = 0.5  # alpha below this anywhere: the alpha channel is the drawing, not the colours
LIGHT_PAPER = 0.5  # a border whose median level (grey or alpha) is above this is paper under ink: inverted
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 grey levels, as Pillow's convert("L")
MIN_CONTRAST = 0.12  # ink must differ from the background by this much (0..1) to count
NOISE_FLOOR = 0.25  # fraction of the contrast below which a pixel is background (paper grain, JPEG noise)
MIN_EXTENT = 0.05  # the ink's longer side must span this fraction of the image's longer side
MIN_MASS = 0.0003  # and hold this fraction of the image's area in full-ink pixels
MIN_STROKE = 2.2  # thinner pens are widened to this many output pixels, about MNIST's thinnest strokes
MAX_STROKE = 4.0  # thicker pens are thinned to about this many, MNIST's thickest (a 95th percentile)


class ImageError(ValueError):
    """An upload that is not a usable image; the message says why."""


# ---------------------------------------------------------------- the shared steps


def decode(data: bytes, *, side: int, max_pixels: int = MAX_UPLOAD_PIXELS) -> np.ndarray:
    """A PNG or JPEG as an RGBA uint8 array, upright, its longer side at most `side`; a bounded.BoundedError
    (ImageTooLarge, NotAnImage) otherwise.

    Refused by pixel count before decoding and decoded at the size needed (bounded.images.decode_image: memory
    at most bounded.images.DECODE_BYTES above the upload, never a full-size float copy)."""
    return decode_image(data, max_pixels=max_pixels, side=side, mode="RGBA")


def load_image(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> np.ndarray:
    """An uploaded PNG or JPEG as an RGBA uint8 array, upright, its longer side at most WORK_SIDE; raises
    ImageError with a clear message."""
    if len(data) > max_bytes:
        raise ImageError(f"the file is larger than {max_bytes / 2**20:.0f} MB.")
    try:
        return decode(data, side=WORK_SIDE)
    except bounded.ImageTooLarge as error:
        width, height, limit = (error.params.get(key) for key in ("width", "height", "limit"))
        size = f"is {width:,}×{height:,} pixels" if width and height else "is too large"
        raise ImageError(f"the image {size}; at most {limit / 1e6:.1f} million pixels are allowed.") from None
    except bounded.BoundedError as error:
        raise ImageError(f"the file is not an image Pillow can read ({error}).") from None


def _as_float(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if np.issubdtype(array.dtype, np.integer):
        return array.astype(np.float32) / max(1, int(np.iinfo(array.dtype).max))
    array = np.nan_to_num(array.astype(np.float32))
    return np.clip(array / 255.0 if array.max(initial=0) > 1.0 else array, 0.0, 1.0)


def border(image: np.ndarray) -> np.ndarray:
    """The pixels along the edges of a 2-D image (corners twice), where the paper shows."""
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


@dataclass(frozen=True)
class Ink:
    """An image read as ink, and how it was read."""

    strength: np.ndarray  # (H, W) float32 in [0, 1], 1 = full ink, light on dark
    from_alpha: bool  # read from the alpha channel: a drawing on a transparent background (or a stencil)
    inverted: bool  # dark ink on light paper (or transparent strokes on opaque paper), turned round


def read_ink(image: np.ndarray) -> Ink:
    """The ink of a grey, RGB or RGBA image of any size, value type and polarity; ImageError for other shapes."""
    array = _as_float(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        grey, alpha = array, None
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        grey = array[..., :3] @ LUMA
        alpha = array[..., 3] if array.shape[2] == 4 else None
    else:
        raise ImageError(f"expected a grey, RGB or RGBA image, got an array of shape {array.shape}.")
    # A transparent background: what was drawn is what is opaque, whatever its colour (or, on opaque paper,
    # what is transparent: the border says which, as it says for grey levels).
    from_alpha = alpha is not None and bool(alpha.min() < TRANSPARENT)
    level = alpha if from_alpha else grey
    inverted = bool(np.median(border(level)) > LIGHT_PAPER)
    strength = 1.0 - level if inverted else level
    return Ink(np.ascontiguousarray(strength, dtype=np.float32), from_alpha=from_alpha, inverted=inverted)


# ---------------------------------------------------------------- a drawing or photo of a digit → MNIST's input


def _reduce(image: np.ndarray) -> np.ndarray:
    height, width = image.shape
    factor = max(height, width) / WORK_SIDE
    if factor <= 1:
        return image
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BOX))


def _normalise(grey: np.ndarray) -> np.ndarray | None:
    background = float(np.median(grey))
    # The peak of a lightly blurred copy ignores single hot pixels (sensor noise, JPEG artefacts).
    padded = np.pad(grey, 1, mode="edge")
    blurred = sum(padded[i : i + grey.shape[0], j : j + grey.shape[1]] for i in range(3) for j in range(3)) / 9
    peak = max(float(blurred.max()), float(np.percentile(grey, 99.9)))
    contrast = peak - background
    if contrast < MIN_CONTRAST:
        return None
    floor = background + NOISE_FLOOR * contrast
    return np.clip((grey - floor) / (peak - floor), 0.0, 1.0)


def is_blank(strength: np.ndarray) -> bool:
    """True when normalised ink is too little or too small to be a digit (an empty canvas, a dot)."""
    rows, cols = np.nonzero(strength > 0.5)
    if rows.size == 0:
        return True
    extent = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
    longer = max(strength.shape)
    return extent < MIN_EXTENT * longer or float(strength.sum()) < MIN_MASS * strength.size


def _crop(strength: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(strength > 0.05)
    return strength[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def stroke_width(strength: np.ndarray) -> float:
    """The typical stroke width in pixels: twice the ink area over its boundary length."""
    mask = strength > 0.5
    padded = np.pad(mask, 1)
    interior = mask & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    boundary = int(mask.sum() - interior.sum())
    return 2.0 * float(mask.sum()) / max(boundary, 1)


def _dilate(image: np.ndarray, size: int) -> np.ndarray:
    # A square maximum filter, separable: rows, then columns.
    half = size // 2
    padded = np.pad(image, half)
    rows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=0).max(axis=-1)
    return np.lib.stride_tricks.sliding_window_view(rows, size, axis=1).max(axis=-1)


def _restroke(digit: np.ndarray, box: int) -> np.ndarray:
    """The cropped digit with its strokes widened or thinned when they would come out outside MNIST's range.

    A thick pen on a small drawing gives strokes twice MNIST's width once fitted, which fills the loops
    of a 6, 8 or 9; thinning them (a grey erosion) opens the loops again. It never takes more than half
    the typical width, so the thinner parts of an uneven stroke (a photo, a marker) survive.
    """
    scale = box / max(digit.shape)
    width = stroke_width(digit)
    missing = MIN_STROKE / scale - width
    size = int(np.ceil(missing)) | 1  # an odd window widens a stroke by size - 1
    if size >= 3:
        return _dilate(digit, size)
    size = int(min(width - MAX_STROKE / scale, width / 2)) | 1  # and thins it by size - 1
    if size < 3:
        return digit
    thinned = -_dilate(-digit, size)
    return _crop(thinned) if (thinned > 0.5).any() else digit


def _fit(digit: np.ndarray, box: int) -> np.ndarray:
    height, width = digit.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Area averaging is the anti-aliasing MNIST used when shrinking; bilinear when a tiny drawing grows.
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    fitted = np.asarray(Image.fromarray(np.ascontiguousarray(digit, dtype=np.float32)).resize(size, method))
    peak = fitted.max()
    return np.clip(fitted / peak, 0.0, 1.0) if peak > 0 else fitted


def _centre(digit: np.ndarray, size: int) -> np.ndarray:
    height, width = digit.shape
    mass = digit.sum()
    com_y = float((digit.sum(axis=1) * np.arange(height)).sum() / mass)
    com_x = float((digit.sum(axis=0) * np.arange(width)).sum() / mass)
    middle = (size - 1) / 2
    # Put the centre of mass on the field's centre, keeping the whole digit inside the field.
    top = int(np.clip(round(middle - com_y), 0, size - height))
    left = int(np.clip(round(middle - com_x), 0, size - width))
    field = np.zeros((size, size), dtype=np.float32)
    field[top : top + height, left : left + width] = digit
    return field


def prepare(image: np.ndarray, size: int = SIZE, box: int = BOX) -> np.ndarray | None:
    """The MNIST-style (size, size) float32 input in [0, 1] for a drawing or photo, or None when it is blank."""
    strength = _normalise(_reduce(read_ink(image).strength))
    if strength is None or is_blank(strength):
        return None
    return _centre(_fit(_restroke(_crop(strength), box), box), size)


def enlarge(image: np.ndarray, factor: int = 6) -> np.ndarray:
    """A [0, 1] image as uint8, each pixel a factor×factor block, to show what the model sees."""
    pixels = np.clip(np.asarray(image, dtype=np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((factor, factor), dtype=np.uint8))
