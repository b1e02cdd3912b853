""".npy/.npz arrays read within bounds (playground.bounded.arrays): compared with np.savez/np.load on valid input,
and every header checked before any array is read."""

import io
import zipfile

import numpy as np
import pytest
from hostile import inputs as make

from playground import bounded
from playground.bounded import arrays


def savez(*arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def test_arrays_come_back_as_np_load_gives_them_in_savez_order():
    saved = [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
        np.float32(0.5),
        np.zeros((0, 5), np.float16),
        np.arange(3, dtype=np.int64),
        *[np.full(2, index, np.uint8) for index in range(10)],  # arr_10 … sorts before arr_2 as text
    ]
    data = savez(*saved)
    loaded = arrays.read_npz(data, [a.shape for a in saved], cap_bytes=10_000, kinds="fiu")
    with np.load(io.BytesIO(data)) as reference:
        expected = [reference[f"arr_{index}"] for index in range(len(saved))]
    for got, want in zip(loaded, expected, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and got.shape == want.shape and got.flags.writeable
    assert loaded[1].flags.f_contiguous


def test_every_header_is_checked_before_any_array_is_read(monkeypatch):
    monkeypatch.setattr(arrays, "_read_array", lambda *args: pytest.fail("an array was read"))
    data = savez(np.zeros(3, np.float32), np.zeros((2, 2), np.float32))
    with pytest.raises(bounded.ArrayCount, match="holds 2 arrays; 3 are needed"):
        arrays.read_npz(data, [(3,), (2, 2), (1,)], cap_bytes=1000)
    with pytest.raises(bounded.ArrayShape, match=r"array 1 of arrays.npz has shape \(2, 2\); \(4,\) is needed"):
        arrays.read_npz(data, [(3,), (4,)], cap_bytes=1000)
    seen = []

    def check(headers):
        seen.extend(header.shape for header in headers)
        raise ValueError("refused by the caller")

    with pytest.raises(ValueError, match="refused by the caller"):
        arrays.read_npz(data, cap_bytes=1000, check=check)
    assert seen == [(3,), (2, 2)]
    with pytest.raises(bounded.ArraysTooLarge, match="declares 3.6 TiB of arrays; at most 1000 bytes"):
        arrays.read_npz(make.npz(make.npy((10**12,))), cap_bytes=1000)


@pytest.mark.parametrize(
    ("member", "error"),
    [
        (make.npy((2,), "|O"), bounded.PickledArray),
        (make.npy((2,), ">f4", bytes(8)), bounded.ArrayDtype),
        (make.npy((2,), "<c8", bytes(16)), bounded.ArrayDtype),
        (make.npy((2,), "<f16", bytes(32)), bounded.ArrayDtype),
        (make.npy((2,), "<i4", bytes(8)), bounded.ArrayDtype),
        (make.npy((2,), [("a", "<f4")], bytes(8)), bounded.ArrayDtype),
        (make.npy((1000,), "<f4", bytes(100)), bounded.Damaged),
        (make.npy((1,), "<f4", bytes(100)), bounded.Damaged),
        (b"\x93NUMPY\x02\x00" + (2**32 - 1).to_bytes(4, "little"), bounded.BadArray),
        (b"\x93NUMPY\x03\x00", bounded.BadArray),
    ],
    ids=[
        "objects",
        "big-endian",
        "complex",
        "float128",
        "integers",
        "structured",
        "short",
        "long",
        "4 GB header",
        "version 3",
    ],  # fmt: skip
)
def test_arrays_of_the_wrong_kind_or_size_are_refused(member, error):
    with pytest.raises(error):
        arrays.read_npz(make.npz(member), cap_bytes=10_000, kinds="f")


def test_an_npz_must_be_a_numbered_list():
    named = make.make_zip({"kernel.npy": make.npy((1,), data=bytes(4))}, zipfile.ZIP_STORED)
    gap = make.make_zip({"arr_0.npy": make.npy((1,), data=bytes(4)), "arr_2.npy": make.npy((1,), data=bytes(4))})
    for data in (named, gap):
        with pytest.raises(bounded.NotArrays, match="numbered list of arrays"):
            arrays.read_npz(data, cap_bytes=1000)
