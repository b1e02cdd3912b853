"""Hostile inputs built in memory, in seconds: zips, bundles, image sets and images that cost a careless reader
gigabytes or minutes, and realistic valid inputs beside them. No TensorFlow: a bundle's weights are random arrays
of the shapes its spec implies. Used by the hostile suite (tests/hostile) and benchmarks/hostile.py."""

import functools
import io
import json
import pathlib
import pickle
import struct
import zipfile
import zlib
from typing import NamedTuple

import numpy as np
from PIL import Image

from playground import bundle
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.training.runs import History

# ---------------------------------------------------------------- zips


def make_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED, level: int | None = None) -> bytes:
    """A zip archive of these files (name → bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=level) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class Member(NamedTuple):
    """A zip member as stored: its compressed bytes, method, CRC and the uncompressed size its headers state."""

    payload: bytes
    method: int
    crc: int
    size: int


def deflated(content: bytes) -> Member:
    """The content as a deflated member whose headers tell the truth."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Member(compressor.compress(content) + compressor.flush(), zipfile.ZIP_DEFLATED, zlib.crc32(content),
                  len(content))  # fmt: skip


@functools.cache
def zeros(mb: int) -> Member:
    """`mb` MB of zero bytes as a deflated member (about 1 KB per MB), compressed piece by piece."""
    compressor, crc, piece, out = zlib.compressobj(9, zlib.DEFLATED, -15), 0, bytes(2**20), []
    for _ in range(mb):
        out.append(compressor.compress(piece))
        crc = zlib.crc32(piece, crc)
    out.append(compressor.flush())
    return Member(b"".join(out), zipfile.ZIP_DEFLATED, crc, mb * 2**20)


def claiming(member: Member, size: int, crc: int | None = None) -> Member:
    """The member with headers that state another uncompressed size (and CRC): an understated or overstated one."""
    return member._replace(size=size, crc=member.crc if crc is None else crc)


def raw_zip(members: dict[str, "Member | bytes"]) -> bytes:
    """A zip written by hand from stored members (bytes are deflated): whatever sizes their headers state."""
    body, directory, offset = [], [], 0
    for name, member in members.items():
        member = deflated(member) if isinstance(member, bytes) else member
        encoded = name.encode()
        fields = (member.method, 0, 0, member.crc, len(member.payload), member.size, len(encoded), 0)
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields) + encoded
        directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, offset) + encoded)
        body += [local, member.payload]
        offset += len(local) + len(member.payload)
    central = b"".join(directory)
    count = min(len(members), 0xFFFF)  # a zip of more members states 65,535 (it would need zip64)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), offset, 0)
    return b"".join(body) + central + end


def _entries(data: bytes):
    """(offset of the local header, offset of the central entry, name) of every member."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    central = data.rfind(b"PK\x05\x06")
    (size,) = struct.unpack_from("<L", data, central + 12)
    position = central - size
    for info in infos:
        assert data[position : position + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, position + 28)
        yield info.header_offset, position, info.filename
        position += 46 + name_length + extra_length + comment_length


def patch_sizes(data: bytes, name: str, size: int, crc: int | None = None) -> bytes:
    """The zip with the uncompressed size (and optionally the CRC) of `name` rewritten in both its local header and
    its central-directory entry: a header that understates or overstates what the member unpacks to."""
    patched = bytearray(data)
    for local, central, member in _entries(data):
        if member == name:
            struct.pack_into("<L", patched, local + 22, size)
            struct.pack_into("<L", patched, central + 24, size)
            if crc is not None:
                struct.pack_into("<L", patched, local + 14, crc)
                struct.pack_into("<L", patched, central + 16, crc)
    return bytes(patched)


def encrypted(data: bytes) -> bytes:
    """The zip with every member flagged as encrypted (general-purpose bit 0)."""
    patched = bytearray(data)
    for local, central, _ in _entries(data):
        patched[local + 6] |= 1
        patched[central + 8] |= 1
    return bytes(patched)


def repeated_zip(names: list[str], content: bytes) -> bytes:
    """A zip in which every name holds the same content, deflated once (thousands of members in milliseconds)."""
    member = deflated(content) if content else Member(b"", zipfile.ZIP_STORED, 0, 0)
    return raw_zip(dict.fromkeys(names, member))


def many_members(count: int) -> bytes:
    """A zip of `count` empty files named 0, 1, 2, …"""
    return repeated_zip([str(index) for index in range(count)], b"")


# ---------------------------------------------------------------- images


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">L", len(payload)) + kind + payload + struct.pack(">L", zlib.crc32(kind + payload))


def plain_png(width: int, height: int, colour=(200, 30, 30), extra_zeros: int = 0, text_chunks: int = 0) -> bytes:
    """A plain-colour PNG (RGB, or RGBA for a colour of four values) written row by row, never a full image in
    memory: a 6300×6300 RGB one is 131 KB and decodes to 159 MB. extra_zeros: that many more zero bytes
    compressed after the rows (an IDAT bomb); text_chunks: that many zTXt chunks of 1,000,000 characters each."""
    compressor = zlib.compressobj(9)
    channels = len(colour)
    first = b"\x01" + bytes(colour) + bytes(channels * (width - 1))  # Sub filter: the colour, then no change
    rest = b"\x02" + bytes(channels * width)  # Up filter: the same as the row above
    idat = [compressor.compress(first)] + [compressor.compress(rest) for _ in range(height - 1)]
    for _ in range(extra_zeros // 2**20):
        idat.append(compressor.compress(bytes(2**20)))
    idat.append(compressor.flush())
    header = struct.pack(">2L5B", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    text = _chunk(b"zTXt", b"comment\0\0" + zlib.compress(b"x" * 1_000_000, 9)) * text_chunks
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + text + _chunk(b"IDAT", b"".join(idat)) + _chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header claims width × height (the data is never decoded)."""
    data = bytearray(plain_png(1, 1))
    struct.pack_into(">2L", data, 16, width, height)
    struct.pack_into(">L", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    """The image as PNG or JPEG bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg_claiming(width: int, height: int, mode: str = "RGB", **options) -> bytes:
    """A small JPEG whose frame header claims width × height (the data is for 16×16: never decoded)."""
    data = bytearray(encode(Image.new(mode, (16, 16)), "JPEG", **options))
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at >= 0:
            struct.pack_into(">HH", data, at + 5, height, width)
    return bytes(data)


def many_scan_jpeg(extra_scans: int = 5000) -> bytes:
    """A 4-megapixel progressive JPEG of 94 KB whose last scan is repeated: each scan re-reads the whole image
    (12 s of CPU for 5,000 scans when decoded)."""
    data = encode(Image.new("RGB", (2000, 2000), (50, 100, 150)), "JPEG", progressive=True)
    last = data[data.rfind(b"\xff\xda") : -2]
    return data[:-2] + last * extra_scans + b"\xff\xd9"


def noisy_photo(width: int = 4000, height: int = 3000, seed: int = 0) -> bytes:
    """A realistic phone-sized JPEG: smooth gradients and sensor-like noise (quality 90, 4:2:0)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 64 + 1, width // 64 + 1, 3), dtype=np.uint8)
    base = Image.fromarray(small).resize((width, height), Image.Resampling.BILINEAR)
    noise = rng.integers(0, 12, (height, width, 3), dtype=np.uint8)
    return encode(Image.fromarray(np.asarray(base) + noise), "JPEG", quality=90)


def drawing_png(side: int = 2000) -> bytes:
    """A realistic large drawing: dark strokes on a white RGBA canvas."""
    image = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    from PIL import ImageDraw

    ImageDraw.Draw(image).ellipse((side // 4, side // 6, 3 * side // 4, 5 * side // 6), outline=(0, 0, 0, 255),
                                  width=side // 30)  # fmt: skip
    return encode(image)


# ---------------------------------------------------------------- bundles

SMALL_SPEC = ModelSpec(
    (28, 28, 1),
    10,
    (
        LayerSpec("Conv2D", {"filters": 4, "kernel_size": (3, 3), "activation": "relu"}),
        LayerSpec("MaxPooling2D", {"pool_size": (2, 2)}),
        LayerSpec("Flatten"),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
    ),
    optimizer=OptimizerSpec("Adam", {"learning_rate": 0.003}),
)

# About 2.1 million parameters with Adam: 8.5 MB of weights and 17 MB of optimizer state (a 24 MB bundle).
LARGE_SPEC = ModelSpec(
    (28, 28, 1),
    10,
    (
        LayerSpec("Flatten"),
        LayerSpec("Dense", {"units": 2048, "activation": "relu"}),
        LayerSpec("Dense", {"units": 256, "activation": "relu"}),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
    ),
    optimizer=OptimizerSpec("Adam", {"learning_rate": 0.001}),
)


def trained(spec: ModelSpec = SMALL_SPEC, seed: int = 0) -> bundle.TrainedModel:
    """A model with random weights and Adam state of the shapes its spec implies (no Keras)."""
    rng = np.random.default_rng(seed)

    def arrays(shapes):
        return tuple((rng.standard_normal(shape) * 0.05).astype(np.float32) for shape in shapes)

    weights = arrays(bundle.expected_weight_shapes(spec))
    slots = arrays([shape for shape in bundle.expected_optimizer_shapes(spec) if shape != ()])
    state = (np.float64(10), np.float32(0.003), *slots)
    history = History.from_dict({"loss": [0.5, 0.3], "accuracy": [0.8, 0.9]})
    return bundle.TrainedModel(spec, weights, state, history, "mnist-sample", {"run_id": 1})


@functools.cache
def valid_bundle(size: str = "small") -> bytes:
    """A valid bundle of SMALL_SPEC or LARGE_SPEC."""
    return bundle.to_bytes(trained(LARGE_SPEC if size == "large" else SMALL_SPEC))


def bundle_members(raw: bytes) -> dict[str, bytes]:
    """{name: bytes} of a bundle."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def npy(shape: tuple[int, ...], descr: str = "<f4", data: bytes = b"") -> bytes:
    """An .npy whose header declares this shape and dtype, followed by `data` (however little)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + data


def npy_header(text: str) -> bytes:
    """The start of an .npy (version 1.0) whose header is this text, whatever it holds."""
    body = text.encode("latin1")
    body += b" " * (63 - (10 + len(body)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body


def npz(*members: bytes) -> bytes:
    """An .npz (a stored zip) of these .npy members, as arr_0.npy, arr_1.npy, …"""
    return make_zip({f"arr_{index}.npy": member for index, member in enumerate(members)}, zipfile.ZIP_STORED)


def with_members(raw: bytes, **changes: bytes) -> bytes:
    """The bundle with these members replaced or added (dots in names written as __, e.g. weights__npz)."""
    files = bundle_members(raw)
    files.update({name.replace("__", "."): content for name, content in changes.items()})
    return make_zip(files)


class Touch:
    """Unpickling this creates a marker file: proof that a loader unpickled what it was given."""

    def __init__(self, marker: pathlib.Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def object_npy(marker: pathlib.Path) -> bytes:
    """An .npy of one Python object that creates `marker` when unpickled."""
    array = np.empty(1, dtype=object)
    array[0] = Touch(marker)
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def understated_bundle(inflated_mb: int = 256, crc_matches: bool = False) -> bytes:
    """A 0.3 MB bundle whose weights.npz headers (central directory and local header) claim 20,000 bytes, but
    whose data inflates to `inflated_mb` MB; with crc_matches, their CRC is that of the first 20,000 bytes."""
    files: dict = bundle_members(valid_bundle())
    declared = 20_000
    files["weights.npz"] = claiming(zeros(inflated_mb), declared, zlib.crc32(bytes(declared)) if crc_matches else None)
    return raw_zip(files)


def json_bomb(size: int) -> bytes:
    """`size` bytes of JSON that parse into about 25 × size bytes of empty lists: {"loss": [[], [], …]}."""
    count = (size - 20) // 3
    return b'{"loss": [' + b"[]," * count + b"[]]}"


def pickle_bytes(marker: pathlib.Path) -> bytes:
    """A pickle that creates `marker` when loaded."""
    return pickle.dumps(Touch(marker))


def deep_json(depth: int = 100_000) -> bytes:
    """JSON nested `depth` deep (RecursionError for a recursive parser)."""
    return b"[" * depth + b"]" * depth


def spec_json(spec: ModelSpec) -> bytes:
    """The spec as JSON bytes."""
    return json.dumps(json.loads(spec.to_json())).encode()
