"""Bounded reading of untrusted bytes: zip archives and their members, .npy/.npz arrays, PNG and JPEG images.

Whatever a header claims, nothing here holds more than its stated bound: zip members come out in 64 KiB chunks
and are refused the moment they pass their cap, every array header is checked before its data is read, and an
image is refused by its pixel count (and by what decoding it would cost) before a pixel is decoded, then decoded
at the size needed. Every refusal is a BoundedError, a ValueError whose str() is one short English line with any
name or value from the input cut to CUT characters; callers turn it into their own message.
No TensorFlow and no Streamlit here: the hostile-input suite runs these functions under RLIMIT_AS.
"""

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFile, PngImagePlugin

CHUNK = 64 * 1024  # zip members and arrays are read in pieces of this size
CUT = 80  # names and values from the input are cut to this many characters in messages
PHOTO_PIXELS = 4096 * 4096  # a 12-megapixel phone photo fits; what the Draw page and image sets allow
DECODE_BYTES = 64 * 2**20  # the full-size buffers one image decode may allocate (pixels, JPEG coefficients)
MAX_JPEG_SCANS = 64  # encoders write 1 (baseline) to about 12 (progressive); each scan re-reads the whole image
NPY_HEADER_MAX = 64 * 1024  # numpy itself refuses .npy headers over 10,000 bytes
IMAGE_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a phone's multi-picture JPEG, read as its first picture
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # bzip2 and lzma inflate without an output bound

# Pillow keeps up to 64 MB of PNG text chunks (zTXt, iTXt) per image; the playground reads none of them.
PngImagePlugin.MAX_TEXT_MEMORY = min(PngImagePlugin.MAX_TEXT_MEMORY, 4 * 2**20)

_EOCD, _EOCD64, _LOCATOR64, _CENTRAL = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"PK\x01\x02"


def cut(value: object, limit: int = CUT) -> str:
    """str(value) on one line, at most `limit` characters (the end replaced by '…')."""
    text = "".join(c if c.isprintable() else "?" for c in str(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def size_text(count: int) -> str:
    """A byte count for a message: '64 KiB', '16 MiB', '3.6 TiB'."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"


# ---------------------------------------------------------------- errors


class BoundedError(ValueError):
    """Untrusted bytes refused: str() is one short English line; `params` holds its values for translation."""

    def __init__(self, message: str, **params: object):
        self.params = params
        super().__init__(message)


class NotAZip(BoundedError):
    """The bytes are not a readable zip archive."""


class UnsafeZip(BoundedError):
    """A zip that is readable but refused: encrypted members, other compressions, absolute or '..' names."""


class TooManyMembers(BoundedError):
    """More zip members than allowed (params: count, limit)."""


class TooLarge(BoundedError):
    """A member that unpacks, or claims to unpack, past its cap (params: name, limit in bytes)."""


class OverBudget(TooLarge):
    """A running total (bytes unpacked, pixels decoded) past its budget (params: name, limit, unit)."""


class Damaged(BoundedError):
    """A member whose data does not match its header: checksum, length, truncated or corrupt stream."""


class NotAnImage(BoundedError):
    """Not a PNG or JPEG image that decodes cleanly."""


class ImageTooLarge(BoundedError):
    """An image refused for its size before decoding (params: width, height, limit in pixels)."""


class ArrayError(BoundedError):
    """An .npy/.npz refused; params carry the archive's name and the array's index where there is one."""


class BadArray(ArrayError):
    """Not an .npy array (bad magic, header or version)."""


class NotArrays(ArrayError):
    """An .npz that is not a numbered list arr_0.npy, arr_1.npy, …"""


class PickledArray(ArrayError):
    """An array of Python objects: loading it would unpickle."""


class ArrayDtype(ArrayError):
    """An array of a type that is not allowed (params: index, dtype)."""


class ArrayCount(ArrayError):
    """Another number of arrays than expected (params: found, expected)."""


class ArrayShape(ArrayError):
    """An array of another shape than expected (params: index, shape, expected)."""


class ArraysTooLarge(ArrayError):
    """Array headers that declare more bytes than allowed (params: nbytes, limit)."""


# ---------------------------------------------------------------- zip archives


class Budget:
    """A running total that refuses once it passes its limit: bytes unpacked from an archive, pixels decoded."""

    def __init__(self, limit: int, what: str = "the archive", unit: str = "bytes"):
        self.limit, self.what, self.unit, self.used = int(limit), what, unit, 0

    @property
    def left(self) -> int:
        """How much is left to charge."""
        return self.limit - self.used

    def check(self, amount: int, name: str = "") -> None:
        """Raise OverBudget if charging `amount` more would pass the limit; charges nothing."""
        if self.used + amount > self.limit:
            limit = size_text(self.limit) if self.unit == "bytes" else f"{self.limit:,} {self.unit}"
            where = f" (at {cut(name)})" if name else ""
            raise OverBudget(
                f"{self.what} unpacks to more than {limit}{where}", name=name, limit=self.limit, unit=self.unit
            )

    def charge(self, amount: int, name: str = "") -> None:
        """Add `amount` to the total; OverBudget (and nothing added) when that would pass the limit."""
        self.check(amount, name)
        self.used += amount


def _central_entries(data: bytes, limit: int) -> int:
    """An upper bound on the entries zipfile will parse, counted before it builds one ZipInfo per entry.

    Each entry zipfile parses starts with the central-directory signature, so the signatures in the whole file
    bound them. Only when that count passes `limit` (a stored member may hold signatures too) is the central
    directory located as zipfile locates it (end record, zip64 record) and the signatures counted there."""
    count = data.count(_CENTRAL)
    if count <= limit:
        return count
    if len(data) >= 22 and data[-22:-18] == _EOCD and data[-2:] == b"\0\0":
        end = len(data) - 22
    else:
        end = data.rfind(_EOCD, max(0, len(data) - 65536 - 22))
        if end < 0 or len(data) - end < 22:
            return 0  # zipfile refuses it before parsing any entry
    (size,) = struct.unpack_from("<L", data, end + 12)
    start = end - size
    record = end - 20 - 56
    if record >= 0 and data[end - 20 : end - 16] == _LOCATOR64 and data[record : record + 4] == _EOCD64:
        (size64,) = struct.unpack_from("<Q", data, record + 40)
        start = min(start, record - size64)
    return data.count(_CENTRAL, max(0, start), end)


def _unsafe_name(name: str) -> bool:
    path = name.replace("\\", "/")
    return path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in path.split("/")


def open_zip(data: bytes, *, max_members: int, what: str = "the archive") -> zipfile.ZipFile:
    """The archive, opened for bounded reading; NotAZip, TooManyMembers or UnsafeZip (encrypted members, a
    compression other than stored/deflate, absolute or '..' names) otherwise.

    Memory: the members are counted before zipfile parses them, so at most about max_members × 0.5 KiB of
    ZipInfo objects; `data` is shared, not copied."""
    if not isinstance(data, bytes | bytearray):
        raise NotAZip(f"{what} is not a zip archive")
    count = _central_entries(data, max_members)
    if count > max_members:
        raise TooManyMembers(
            f"{what} holds {count:,} files; at most {max_members:,} are allowed", count=count, limit=max_members
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as error:
        raise NotAZip(f"{what} is not a zip archive", detail=cut(error, 60)) from None
    except NotImplementedError as error:
        raise UnsafeZip(f"{what} uses a zip feature that is not supported ({cut(error, 60)})") from None
    infos = archive.infolist()
    if len(infos) > max_members:  # defence in depth: the count above is an upper bound
        raise TooManyMembers(
            f"{what} holds {len(infos):,} files; at most {max_members:,} are allowed",
            count=len(infos),
            limit=max_members,
        )
    for info in infos:
        name = cut(info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeZip(f"{name} in {what} is encrypted", name=info.filename, reason="encrypted")
        if info.compress_type not in ZIP_METHODS:
            raise UnsafeZip(
                f"{name} in {what} uses compression method {info.compress_type}; only stored and deflate are read",
                name=info.filename,
                reason="compression",
            )
        if _unsafe_name(info.filename):
            raise UnsafeZip(
                f"{what} holds a file named {name!r} (an absolute path or '..')", name=info.filename, reason="name"
            )
    return archive


def _info(archive: zipfile.ZipFile, member: zipfile.ZipInfo | str) -> zipfile.ZipInfo:
    if isinstance(member, zipfile.ZipInfo):
        return member
    try:
        return archive.getinfo(member)
    except KeyError:
        raise Damaged(f"the archive has no member {cut(member)}", name=member) from None


def _stream_errors(error: Exception, name: str) -> BoundedError:
    if isinstance(error, RuntimeError | NotImplementedError):
        return UnsafeZip(f"{cut(name)} cannot be read ({cut(error, 60)})", name=name)
    if "CRC" in str(error):
        return Damaged(f"{cut(name)} does not match its CRC checksum: its headers misstate it", name=name)
    return Damaged(f"{cut(name)} is damaged: {cut(error, 60)}", name=name)


_STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, struct.error)


def read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo | str, cap: int, *, budget: Budget | None = None
) -> bytes:
    """The member's bytes, read in CHUNK pieces: TooLarge the moment more than `cap` bytes come out (or when its
    header claims more), OverBudget when the budget's total would pass its limit, Damaged when the data does
    not match its header (checksum, or a length other than the header's) or the stream is corrupt.

    Memory: peak ≈ 2 × cap + CHUNK (the pieces, then the one bytes object they are joined into)."""
    info = _info(archive, member)
    name = info.filename
    if info.file_size > cap:
        raise TooLarge(
            f"{cut(name)} claims to unpack to {size_text(info.file_size)}; at most {size_text(cap)} is allowed",
            name=name,
            limit=cap,
        )
    if budget is not None:
        budget.check(info.file_size, name)
    pieces, total = [], 0
    try:
        with archive.open(info) as stream:
            while piece := stream.read(CHUNK):
                total += len(piece)
                if total > cap:
                    raise TooLarge(f"{cut(name)} unpacks to more than {size_text(cap)}", name=name, limit=cap)
                if budget is not None:
                    budget.charge(len(piece), name)
                pieces.append(piece)
    except _STREAM_ERRORS as error:
        raise _stream_errors(error, name) from None
    if total != info.file_size:
        raise Damaged(f"{cut(name)} unpacks to {total:,} bytes, not the {info.file_size:,} its header says", name=name)
    return b"".join(pieces)


def read_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo | str, size: int) -> bytes:
    """At most the first `size` bytes of a member (nothing is verified: the checksum covers the whole member).

    Memory: peak ≈ size + CHUNK."""
    info = _info(archive, member)
    pieces, total = [], 0
    try:
        with archive.open(info) as stream:
            while total < size and (piece := stream.read(min(CHUNK, size - total))):
                pieces.append(piece)
                total += len(piece)
    except _STREAM_ERRORS as error:
        raise _stream_errors(error, info.filename) from None
    return b"".join(pieces)


# ---------------------------------------------------------------- images


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


# ---------------------------------------------------------------- .npy and .npz arrays


@dataclass(frozen=True)
class ArrayHeader:
    """What an .npy header declares, and where its data starts."""

    index: int
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int

    @property
    def nbytes(self) -> int:
        """The bytes its data takes: prod(shape) × itemsize (Python integers: no overflow)."""
        return math.prod(self.shape) * self.dtype.itemsize


def _parse_npy_header(head: bytes, name: str = "the array") -> tuple[tuple[int, ...], np.dtype, bool, int]:
    """(shape, dtype, fortran_order, data offset) from the first bytes of an .npy; BadArray otherwise."""
    stream = io.BytesIO(head)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f".npy version {version} is not read")
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - numpy raises ValueError, SyntaxError, TypeError … for bad headers
        raise BadArray(
            f"{cut(name)} is not an .npy array ({cut(error, 60) or type(error).__name__})", name=name
        ) from None
    if not isinstance(shape, tuple) or len(shape) > 32 or any(not isinstance(d, int) or d < 0 for d in shape):
        raise BadArray(f"{cut(name)} declares the shape {cut(shape)}", name=name)
    return tuple(shape), dtype, bool(fortran), stream.tell()


def npy_header(source: bytes | io.IOBase) -> tuple[tuple[int, ...], np.dtype, bool]:
    """(shape, dtype, fortran_order) of an .npy given as bytes or a stream, without reading its data (at most
    NPY_HEADER_MAX bytes are read from a stream); BadArray otherwise.

    Memory: peak ≈ NPY_HEADER_MAX."""
    head = (
        bytes(source[:NPY_HEADER_MAX])
        if isinstance(source, bytes | bytearray | memoryview)
        else source.read(NPY_HEADER_MAX)
    )
    shape, dtype, fortran, _ = _parse_npy_header(head)
    return shape, dtype, fortran


_KINDS = {"f": "floats", "i": "integers", "u": "unsigned integers", "b": "booleans"}


def _check_dtype(header: ArrayHeader, what: str, kinds: str) -> None:
    dtype, index = header.dtype, header.index
    if dtype.hasobject:
        raise PickledArray(f"array {index} of {cut(what)} holds Python objects (pickled data)", name=what, index=index)
    plain = dtype.fields is None and dtype.subdtype is None and dtype.itemsize <= 8
    if dtype.kind not in kinds or not plain or not dtype.isnative or dtype.byteorder == ">":
        allowed = " or ".join(_KINDS.get(kind, kind) for kind in kinds)
        raise ArrayDtype(
            f"array {index} of {cut(what)} holds {cut(dtype.str, 20)} values; only little-endian "
            f"{allowed} of at most 8 bytes are read",
            name=what,
            index=index,
            dtype=cut(dtype.str, 20),
        )


def read_npz(
    data: bytes,
    expected: Sequence[tuple[int, ...]] | None = None,
    *,
    cap_bytes: int,
    what: str = "arrays.npz",
    kinds: str = "f",
    max_arrays: int = 1024,
    check: Callable[[list[ArrayHeader]], None] | None = None,
) -> tuple[np.ndarray, ...]:
    """The arrays of an .npz written by np.savez (arr_0.npy, arr_1.npy, … in that order), never unpickled.

    Before any array's data is read, every header is checked: the archive (open_zip), the numbering
    (NotArrays), the dtype (PickledArray for objects; ArrayDtype unless its kind is in `kinds`, its item is at
    most 8 bytes and it is little-endian or single-byte), the count and shapes against `expected` (ArrayCount,
    ArrayShape), then `check(headers)` if given, then the total prod(shape) × itemsize against cap_bytes
    (ArraysTooLarge). Then each array is read, exactly the bytes its header declares (Damaged otherwise).

    Memory: peak ≈ cap_bytes (the arrays) + NPY_HEADER_MAX (one header at a time) + CHUNK."""
    archive = open_zip(data, max_members=max_arrays, what=what)
    with archive:
        infos = archive.infolist()
        by_name = {info.filename: info for info in infos}
        names = [f"arr_{index}.npy" for index in range(len(infos))]
        if len(by_name) != len(infos) or set(by_name) != set(names):
            raise NotArrays(f"{cut(what)} does not hold a numbered list of arrays (arr_0, arr_1, …)", name=what)
        ordered = [by_name[name] for name in names]
        declared = sum(info.file_size for info in ordered)
        if declared > cap_bytes + len(ordered) * NPY_HEADER_MAX:
            raise TooLarge(
                f"{cut(what)} claims to unpack to {size_text(declared)}; at most "
                f"{size_text(cap_bytes)} of arrays is allowed",
                name=what,
                limit=cap_bytes,
            )
        headers = []
        for index, info in enumerate(ordered):
            shape, dtype, fortran, offset = _parse_npy_header(
                read_head(archive, info, NPY_HEADER_MAX), f"array {index} of {what}"
            )
            header = ArrayHeader(index, shape, dtype, fortran, offset)
            _check_dtype(header, what, kinds)
            headers.append(header)
        if expected is not None:
            if len(headers) != len(expected):
                raise ArrayCount(
                    f"{cut(what)} holds {len(headers)} arrays; {len(expected)} are needed",
                    name=what,
                    found=len(headers),
                    expected=len(expected),
                )
            for header, shape in zip(headers, expected, strict=True):
                if header.shape != tuple(shape):
                    raise ArrayShape(
                        f"array {header.index} of {cut(what)} has shape {cut(header.shape)}; {tuple(shape)} is needed",
                        name=what,
                        index=header.index,
                        shape=header.shape,
                        expected=tuple(shape),
                    )
        if check is not None:
            check(headers)
        total = sum(header.nbytes for header in headers)
        if total > cap_bytes:
            raise ArraysTooLarge(
                f"{cut(what)} declares {size_text(total)} of arrays; at most {size_text(cap_bytes)} is allowed",
                name=what,
                nbytes=total,
                limit=cap_bytes,
            )
        return tuple(_read_array(archive, info, header, what) for info, header in zip(ordered, headers, strict=True))


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: ArrayHeader, what: str) -> np.ndarray:
    """Exactly the bytes the header declares, read in CHUNK pieces into the array's own buffer."""
    if info.file_size != header.offset + header.nbytes:
        raise Damaged(
            f"array {header.index} of {cut(what)} holds {info.file_size - header.offset:,} bytes of data, "
            f"not the {header.nbytes:,} its header declares",
            name=what,
        )
    buffer = np.empty(header.nbytes, dtype=np.uint8)
    view = memoryview(buffer)
    try:
        with archive.open(info) as stream:
            skipped = len(stream.read(header.offset))
            position = 0
            while position < header.nbytes:
                got = stream.readinto(view[position : position + CHUNK])
                if not got:
                    break
                position += got
            if skipped != header.offset or position != header.nbytes or stream.read(1):
                raise Damaged(f"array {header.index} of {cut(what)} is truncated", name=what)
    except _STREAM_ERRORS as error:
        raise _stream_errors(error, f"array {header.index} of {what}") from None
    return buffer.view(header.dtype).reshape(header.shape, order="F" if header.fortran_order else "C")
