"""Zip archives read within bounds: members counted before zipfile parses them, read in CHUNK pieces, refused
the moment they pass their cap whatever their headers claim."""

import io
import struct
import zipfile
import zlib

from playground.bounded import (
    CHUNK,
    BoundedError,
    Budget,
    Damaged,
    NotAZip,
    TooLarge,
    TooManyMembers,
    UnsafeZip,
    cut,
    size_text,
)

ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # bzip2 and lzma inflate without an output bound

_EOCD, _EOCD64, _LOCATOR64, _CENTRAL = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"PK\x01\x02"


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


def stream_error(error: Exception, name: str) -> BoundedError:
    """The BoundedError for an error raised while inflating a member (one of STREAM_ERRORS)."""
    if isinstance(error, RuntimeError | NotImplementedError):
        return UnsafeZip(f"{cut(name)} cannot be read ({cut(error, 60)})", name=name)
    if "CRC" in str(error):
        return Damaged(f"{cut(name)} does not match its CRC checksum: its headers misstate it", name=name)
    return Damaged(f"{cut(name)} is damaged: {cut(error, 60)}", name=name)


# What zipfile and zlib raise for a damaged or hostile stream.
STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, struct.error)


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
    except STREAM_ERRORS as error:
        raise stream_error(error, name) from None
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
    except STREAM_ERRORS as error:
        raise stream_error(error, info.filename) from None
    return b"".join(pieces)
