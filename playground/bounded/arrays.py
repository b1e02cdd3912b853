""".npy and .npz arrays read within bounds: every header checked (kind, count, shapes, total bytes) before any
array's data is read, and never unpickled."""

import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from playground.bounded import (
    CHUNK,
    ArrayCount,
    ArrayDtype,
    ArrayShape,
    ArraysTooLarge,
    BadArray,
    Damaged,
    NotArrays,
    PickledArray,
    TooLarge,
    cut,
    size_text,
)
from playground.bounded.zips import STREAM_ERRORS, open_zip, read_head, stream_error

NPY_HEADER_MAX = 64 * 1024  # numpy itself refuses .npy headers over 10,000 bytes


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
    except STREAM_ERRORS as error:
        raise stream_error(error, f"array {header.index} of {what}") from None
    return buffer.view(header.dtype).reshape(header.shape, order="F" if header.fortran_order else "C")
