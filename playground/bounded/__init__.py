"""Bounded reading of untrusted bytes: zip archives and their members, .npy/.npz arrays, PNG and JPEG images.

Whatever a header claims, nothing here holds more than its stated bound: zip members come out in 64 KiB chunks
and are refused the moment they pass their cap (zips), every array header is checked before its data is read
(arrays), and an image is refused by its pixel count (and by what decoding it would cost) before a pixel is
decoded, then decoded at the size needed (images). Every refusal is a BoundedError, a ValueError whose str() is
one short English line with any name or value from the input cut to CUT characters; callers turn it into their
own message. This module holds those errors and the running Budget the readers share.
No TensorFlow and no Streamlit here: the hostile-input suite runs these functions under RLIMIT_AS.
"""

CHUNK = 64 * 1024  # zip members and arrays are read in pieces of this size
CUT = 80  # names and values from the input are cut to this many characters in messages


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


# ---------------------------------------------------------------- running totals


class Budget:
    """A running total that refuses once it passes its limit: bytes unpacked from an archive, pixels decoded."""

    def __init__(self, limit: int, what: str = "the archive", unit: str = "bytes"):
        self.limit, self.what, self.unit, self.used = int(limit), what, unit, 0

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
