"""A drawing or photo of a digit → the 28×28 float input MNIST models expect, made the way MNIST was made.

MNIST's digits were cropped to their ink, scaled so the longer side is 20 pixels (aspect ratio kept,
anti-aliased), and placed in a 28×28 field with their centre of mass at the centre. Doing the same
to a drawing is what lets a model trained on MNIST read a digit drawn small, off-centre or thin.
"""

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

SIZE = 28  # the model's input side
BOX = 20  # the longer side of the digit inside it, as in MNIST
WORK_SIDE = 560  # huge images are first reduced to this longer side: plenty for a 20-pixel result
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_UPLOAD_PIXELS = 50_000_000
MIN_CONTRAST = 0.12  # ink must differ from the background by this much (0..1) to count
NOISE_FLOOR = 0.25  # fraction of the contrast below which a pixel is background (paper grain, JPEG noise)
MIN_EXTENT = 0.05  # the ink's longer side must span this fraction of the image's longer side
MIN_MASS = 0.0003  # and hold this fraction of the image's area in full-ink pixels
MIN_STROKE = 2.2  # thinner pens are widened to this many output pixels, about MNIST's thinnest strokes
MAX_STROKE = 4.0  # thicker pens are thinned to about this many, MNIST's thickest (a 95th percentile)


class ImageError(ValueError):
    """An upload that is not a usable image; the message says why."""


def load_image(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> np.ndarray:
    """An uploaded PNG/JPEG/… as an RGBA uint8 array, upright; raises ImageError with a clear message."""
    if len(data) > max_bytes:
        raise ImageError(f"the file is larger than {max_bytes / 2**20:.0f} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_UPLOAD_PIXELS:
                raise ImageError(f"the image has more than {MAX_UPLOAD_PIXELS // 1_000_000} million pixels.")
            image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(f"the image has more than {MAX_UPLOAD_PIXELS // 1_000_000} million pixels.") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(f"the file is not an image Pillow can read ({type(error).__name__}).") from None
    image = ImageOps.exif_transpose(image)  # phone photos store their rotation apart from the pixels
    return np.asarray(image.convert("RGBA"))


def _as_float(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if np.issubdtype(array.dtype, np.integer):
        return array.astype(np.float32) / max(1, int(np.iinfo(array.dtype).max))
    array = np.nan_to_num(array.astype(np.float32))
    return np.clip(array / 255.0 if array.max(initial=0) > 1.0 else array, 0.0, 1.0)


def _reduce(image: np.ndarray) -> np.ndarray:
    height, width = image.shape
    factor = max(height, width) / WORK_SIDE
    if factor <= 1:
        return image
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BOX))


def ink(image: np.ndarray) -> np.ndarray:
    """Ink intensity in [0, 1] (1 = full ink) of a grey, RGB or RGBA image of any size and polarity."""
    array = _as_float(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        grey, alpha = array, None
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        grey = array[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        alpha = array[..., 3] if array.shape[2] == 4 else None
    else:
        raise ImageError(f"expected a grey, RGB or RGBA image, got an array of shape {array.shape}.")
    if alpha is not None and alpha.min() < 0.5:
        # A transparent background: what was drawn is what is opaque, whatever its colour.
        grey = alpha
    else:
        border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
        if np.median(border) > 0.5:  # dark ink on light paper: invert
            grey = 1.0 - grey
    return _reduce(np.ascontiguousarray(grey, dtype=np.float32))


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
    strength = _normalise(ink(image))
    if strength is None or is_blank(strength):
        return None
    return _centre(_fit(_restroke(_crop(strength), box), box), size)


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the image's centre of mass, in pixel-index coordinates."""
    mass = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / mass), float((cols * image).sum() / mass)


def enlarge(image: np.ndarray, factor: int = 6) -> np.ndarray:
    """A [0, 1] image as uint8, each pixel a factor×factor block, to show what the model sees."""
    pixels = np.clip(np.asarray(image, dtype=np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((factor, factor), dtype=np.uint8))
