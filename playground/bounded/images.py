"""PNG and JPEG images read within bounds: refused by pixel count (and by what decoding would cost) from the
header, before a pixel is decoded, then decoded at the size needed, never as a full-size copy or floats."""

import io
import math
import struct
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFile, PngImagePlugin

from playground.bounded import ImageTooLarge, NotAnImage, cut

PHOTO_PIXELS = 4096 * 4096  # a 12-megapixel phone photo fits; what the Draw page and image sets allow
DECODE_BYTES = 64 * 2**20  # the full-size buffers one image decode may allocate (pixels, JPEG coefficients)
MAX_JPEG_SCANS = 64  # encoders write 1 (baseline) to about 12 (progressive); each scan re-reads the whole image
IMAGE_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a phone's multi-picture JPEG, read as its first picture

# Pillow keeps up to 64 MB of PNG text chunks (zTXt, iTXt) per image; the playground reads none of them.
PngImagePlugin.MAX_TEXT_MEMORY = min(PngImagePlugin.MAX_TEXT_MEMORY, 4 * 2**20)


class ImageInfo(NamedTuple):
    """What an image's header says: format ('PNG' or 'JPEG'), size in pixels and Pillow mode."""

    format: str
    width: int
    height: int
    mode: str


class DecodeCost(NamedTuple):
    """What decoding an image at a given side costs: pixels decoded (before reduction) and full-size bytes."""

    pixels: int
    bytes: int


def _open_image(data: bytes) -> Image.Image:
    """The image opened lazily (header only); NotAnImage or ImageTooLarge otherwise."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise NotAnImage("the file is empty" if not data else "the data is not bytes")
    try:
        image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))  # the JPEG plugin also opens MPO
    except Image.DecompressionBombError:  # over 2 × Image.MAX_IMAGE_PIXELS: Pillow refuses before we can look
        width, height = _declared_size(data)
        raise ImageTooLarge(
            f"the image is {width:,}×{height:,} pixels" if width else "the image has too many pixels",
            width=width,
            height=height,
            limit=2 * Image.MAX_IMAGE_PIXELS,
        ) from None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds for hostile headers
        raise NotAnImage(_not_an_image(data, error)) from None
    if image.format not in IMAGE_FORMATS:
        raise NotAnImage(f"it is a {cut(image.format, 20)} image; only PNG and JPEG are read")
    return image


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}  # JPEG frame headers


def _declared_size(data: bytes) -> tuple[int | None, int | None]:
    """(width, height) from a PNG's IHDR or a JPEG's frame header, read by hand; (None, None) if not found."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">2L", data[16:24])
    position = 2 if data.startswith(b"\xff\xd8") else len(data)
    while position + 9 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if marker == 0xFF or 0xD0 <= marker <= 0xD8 or marker == 0x01:  # fill byte or a marker without length
            position += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return None, None


def _not_an_image(data: bytes, error: Exception) -> str:
    for magic, kind in (
        (b"GIF8", "GIF"),
        (b"BM", "BMP"),
        (b"RIFF", "WebP"),
        (b"%PDF", "PDF"),
        (b"II*\0", "TIFF"),
        (b"MM\0*", "TIFF"),
    ):
        if data.startswith(magic):
            return f"it is a {kind} file; only PNG and JPEG are read"
    if data.startswith((b"\x89PNG", b"\xff\xd8")):
        return f"damaged image data: {cut(error, 60) or type(error).__name__}"
    return "not a PNG or JPEG image"


def image_info(data: bytes) -> ImageInfo:
    """The image's format, width, height and mode from its header, without decoding a pixel.

    Memory: Pillow's header parse only (PNG text chunks are capped at 4 MiB)."""
    image = _open_image(data)
    return ImageInfo("JPEG" if image.format == "MPO" else image.format, image.width, image.height, image.mode)


# Bytes per pixel of Pillow's storage of a decoded image.
_STORAGE = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}  # every other mode: 4
# Modes Image.reduce cannot average (palette indices, bits, 16-bit): converted first, a strip at a time.
_CONVERT_FIRST = {"1": "L", "I;16": "L", "I;16B": "L", "I;16L": "L", "I;16N": "L", "P": "RGBA", "PA": "RGBA"}


def _draft(image: Image.Image, side: int, mode: str) -> None:
    """Let a JPEG decode at 1/2, 1/4 or 1/8 scale when that still leaves at least `side` pixels (and only its
    luminance when grey is wanted): the size and mode change now, nothing is decoded."""
    if image.format in ("JPEG", "MPO") and image.mode in ("L", "RGB", "CMYK"):
        wanted = "L" if mode == "L" and image.mode in ("L", "RGB") else image.mode
        image.draft(wanted, (side, side))


def _jpeg_scans(data: bytes) -> int:
    # Entropy-coded data stuffs every 0xFF with 0x00, so FF DA only ever starts a scan (or one inside an
    # embedded thumbnail): an upper bound on the scans the decoder runs.
    return data.count(b"\xff\xda")


def _cost(image: Image.Image, data: bytes, full_size: tuple[int, int]) -> DecodeCost:
    """What decoding the (drafted) image costs: its pixels, and the bytes of every full-size buffer."""
    width, height = image.size
    total = width * height * _STORAGE.get(image.mode, 4)  # conversions and reductions go a strip at a time
    if image.format in ("JPEG", "MPO") and (image.info.get("progressive") or _jpeg_scans(data) > 1):
        # A multi-scan JPEG keeps every DCT coefficient of the full-size image (2 bytes each) whatever the scale.
        layers = getattr(image, "layer", None) or [(None, 1, 1, None)] * len(image.getbands())
        h_max = max(layer[1] for layer in layers) or 1
        v_max = max(layer[2] for layer in layers) or 1
        for _, h, v, _ in layers:
            blocks_w = math.ceil(math.ceil(full_size[0] * h / h_max) / 8)
            blocks_h = math.ceil(math.ceil(full_size[1] * v / v_max) / 8)
            total += blocks_w * blocks_h * 64 * 2
    return DecodeCost(width * height, total)


def _opened_for_decoding(data: bytes, max_pixels: int, side: int, mode: str, max_bytes: int) -> Image.Image:
    """The image opened and drafted for decoding at `side`, after every check that needs no pixel."""
    image = _open_image(data)
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"the image is {width:,}×{height:,} pixels; at most {max_pixels / 1e6:.1f} million pixels are allowed",
            width=width,
            height=height,
            limit=max_pixels,
        )
    if image.format in ("JPEG", "MPO") and (scans := _jpeg_scans(data)) > MAX_JPEG_SCANS:
        raise NotAnImage(f"the JPEG has {scans:,} scans; at most {MAX_JPEG_SCANS} are decoded")
    _draft(image, side, mode)
    cost = _cost(image, data, (width, height))
    if cost.bytes > max_bytes:
        # Refused by pixel count all the same, at the limit this kind of image (mode, progressive JPEG) has.
        limit = int(width * height * max_bytes / cost.bytes)
        raise ImageTooLarge(
            f"the image is {width:,}×{height:,} pixels; an image of this kind may have at most "
            f"{limit / 1e6:.1f} million pixels",
            width=width,
            height=height,
            limit=limit,
        )
    return image


def decode_cost(data: bytes, *, side: int, mode: str = "L") -> DecodeCost:
    """The pixels decode_image would decode for this side (a JPEG's reduced scale counted) and the bytes of its
    full-size buffers, from the header alone; NotAnImage when the header cannot be read.

    Memory: Pillow's header parse only."""
    image = _open_image(data)
    full_size = image.size
    _draft(image, side, mode)
    return _cost(image, data, full_size)


_TRANSPOSE = {  # EXIF orientation → the transposition that shows the picture upright (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a damaged EXIF block only loses the rotation
        return 1


STRIP_BYTES = 4 * 2**20  # images converted or reduced a strip at a time: strips of about this size


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """The image box-averaged by `factor` (1: as it is), in a mode Image.reduce can average.

    Pillow averages an image with alpha premultiplied, through a full-size copy, and a palette, bit or 16-bit
    image must be converted first: those are done strip by strip, so that no copy is larger than a strip."""
    first = _CONVERT_FIRST.get(image.mode)
    if first == "RGBA" and image.mode == "P" and "transparency" not in image.info:
        first = "RGB"
    if first is None and (factor == 1 or image.mode not in ("LA", "RGBA")):
        return image.reduce(factor) if factor > 1 else image
    width, height = image.size
    rows = max(1, STRIP_BYTES // (4 * width * factor)) * factor
    reduced = Image.new(first or image.mode, (math.ceil(width / factor), math.ceil(height / factor)))
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        strip = strip.convert(first) if first else strip
        reduced.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return reduced


def decode_image(
    data: bytes, *, max_pixels: int = PHOTO_PIXELS, side: int, mode: str = "L", max_bytes: int = DECODE_BYTES
) -> np.ndarray:
    """The PNG or JPEG as a uint8 array in `mode` ('L', 'LA', 'RGB' or 'RGBA'), upright (EXIF orientation), its
    longer side at most `side` (box-averaged by a whole factor; never enlarged). Refused before decoding with
    ImageTooLarge over max_pixels or when its full-size buffers would pass max_bytes, NotAnImage for anything
    else that is not a cleanly decoding PNG or JPEG (other formats, truncated or corrupt data, over
    MAX_JPEG_SCANS scans).

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still leaves `side` pixels (in grey only when grey
    is wanted); a PNG at full size in its own mode, then reduced, converted a strip at a time where Pillow cannot
    average its mode (palette, 1-bit, 16-bit) or would premultiply a full-size copy (alpha).
    Memory: peak ≈ the decoded image and a multi-scan JPEG's coefficients (at most max_bytes, checked against
    the header before decoding) + two strips of STRIP_BYTES + the result; never a full-size copy or float."""
    if mode not in ("L", "LA", "RGB", "RGBA"):
        raise ValueError(f"mode must be L, LA, RGB or RGBA, not {mode!r}")
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # would let a truncated upload decode as grey instead of being refused
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    image = _opened_for_decoding(data, max_pixels, side, mode, max_bytes)
    try:
        image.load()
        orientation = _orientation(image)
        image = _reduce(image, math.ceil(max(image.size) / side)).convert(mode)
        if orientation in _TRANSPOSE:
            image = image.transpose(_TRANSPOSE[orientation])
        return np.asarray(image)
    except Image.DecompressionBombError:
        raise ImageTooLarge(
            "the image has more pixels than Pillow allows", width=None, height=None, limit=max_pixels
        ) from None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds for hostile data
        raise NotAnImage(f"damaged or truncated image data: {cut(error, 60) or type(error).__name__}") from None
