"""Bounded reading of untrusted bytes (playground.bounded): zips, members, .npy/.npz arrays, PNG and JPEG images.

Each reader is compared with the plain library call it replaces (zipfile, np.savez/np.load, Pillow) on valid
input, and shown to refuse, with one line, what the plain call would have spent memory on."""

import io
import zipfile
import zlib

import numpy as np
import pytest
from hostile import inputs as make
from PIL import Image, ImageFile

from playground import bounded

# ---------------------------------------------------------------- zips


def test_cut_keeps_messages_to_one_short_line():
    assert bounded.cut("short") == "short"
    long = bounded.cut("x" * 10_000_000)
    assert len(long) == bounded.CUT and long.endswith("…")
    assert bounded.cut("a\nb\x00c") == "a?b?c"


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04 truncated", make.make_zip({"a": b"x"})[:30]])
def test_what_is_not_a_zip_is_refused(data):
    with pytest.raises(bounded.NotAZip, match="is not a zip archive"):
        bounded.open_zip(data, max_members=10, what="the upload")


def test_members_are_counted_before_zipfile_builds_an_entry_for_each(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("zipfile parsed the central directory")

    monkeypatch.setattr(bounded.zipfile, "ZipFile", refuse)
    with pytest.raises(bounded.TooManyMembers, match="100,000 files; at most 1,000") as caught:
        bounded.open_zip(make.many_members(100_000), max_members=1000)  # its end record claims 65,535
    assert caught.value.params == {"count": 100_000, "limit": 1000}


def test_signatures_inside_a_stored_member_are_not_taken_for_members():
    data = make.make_zip({"inner.bin": b"PK\x01\x02" * 50, "a": b"x"}, zipfile.ZIP_STORED)
    with bounded.open_zip(data, max_members=10) as archive:
        assert archive.namelist() == ["inner.bin", "a"]


@pytest.mark.parametrize("name", ["../x.png", "a/../../x.png", "/etc/passwd", "C:/x.png", "a\\..\\..\\x.png"])
def test_absolute_and_parent_names_are_refused(name):
    with pytest.raises(bounded.UnsafeZip, match="absolute path or '..'"):
        bounded.open_zip(make.make_zip({"ok.png": b"x", name: b"x"}), max_members=10)


def test_ordinary_names_with_dots_are_fine():
    data = make.make_zip({"a/b..c.png": b"x", ".hidden/x": b"y", "x.": b"z"})
    assert bounded.open_zip(data, max_members=10).namelist() == ["a/b..c.png", ".hidden/x", "x."]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (make.encrypted(make.make_zip({"a": b"x"})), "encrypted"),
        (make.make_zip({"a": b"x" * 1000}, zipfile.ZIP_BZIP2), "compression method 12"),
        (make.make_zip({"a": b"x" * 1000}, zipfile.ZIP_LZMA), "compression method 14"),
    ],
    ids=["encrypted", "bzip2", "lzma"],
)
def test_encrypted_members_and_unbounded_compressions_are_refused(data, words):
    with pytest.raises(bounded.UnsafeZip, match=words):
        bounded.open_zip(data, max_members=10)


def test_a_member_reads_as_zipfile_reads_it():
    content = bytes(range(256)) * 1000
    archive = bounded.open_zip(make.make_zip({"a": content, "b": b""}), max_members=10)
    assert bounded.read_member(archive, "a", len(content)) == content == archive.read("a")
    assert bounded.read_member(archive, archive.getinfo("b"), 0) == b""
    assert bounded.read_head(archive, "a", 1000) == content[:1000]


def test_a_member_whose_headers_understate_it_is_refused_without_inflating_it():
    bomb = make.zeros(256)  # 256 MB of zeros, 0.26 MB deflated
    archive = bounded.open_zip(make.raw_zip({"big": make.claiming(bomb, 1000)}), max_members=10)
    with pytest.raises(bounded.Damaged, match="CRC checksum: its headers misstate it"):
        bounded.read_member(archive, "big", 2**20)
    # With the CRC of what the headers claim, the member is what they describe: 1,000 bytes, the rest ignored.
    honest_crc = make.claiming(bomb, 1000, zlib.crc32(bytes(1000)))
    archive = bounded.open_zip(make.raw_zip({"big": honest_crc}), max_members=10)
    assert bounded.read_member(archive, "big", 2**20) == bytes(1000)


def test_a_member_whose_headers_overstate_it_is_refused():
    data = make.patch_sizes(make.make_zip({"a": b"a" * 100}), "a", 150)
    with pytest.raises(bounded.Damaged, match="unpacks to 100 bytes, not the 150 its header says"):
        bounded.read_member(bounded.open_zip(data, max_members=10), "a", 1000)


def test_a_member_claiming_more_than_its_cap_is_refused_before_it_is_read():
    archive = bounded.open_zip(make.raw_zip({"big": make.zeros(256)}), max_members=10)
    opened = []
    archive.open = lambda *args, **kwargs: opened.append(args)  # reading would record a call
    with pytest.raises(bounded.TooLarge, match="claims to unpack to 256 MiB; at most 16 MiB") as caught:
        bounded.read_member(archive, "big", 16 * 2**20)
    assert opened == [] and caught.value.params == {"name": "big", "limit": 16 * 2**20}


class EndlessArchive:
    """An archive whose one member's header says 10 bytes but whose stream never ends (no zipfile would let
    this happen; the cap must hold whatever the library below does)."""

    def __init__(self):
        self.reads = 0
        self.info = zipfile.ZipInfo("endless")
        self.info.file_size = 10

    def open(self, info):
        archive = self

        class Stream(io.RawIOBase):
            def read(self, size=-1):
                archive.reads += 1
                return b"\0" * (bounded.CHUNK if size is None or size < 0 else size)

        return Stream()


def test_the_cap_holds_whatever_the_stream_below_returns():
    archive = EndlessArchive()
    with pytest.raises(bounded.TooLarge, match="unpacks to more than 1 MiB"):
        bounded.read_member(archive, archive.info, 2**20)
    assert archive.reads == 2**20 // bounded.CHUNK + 1  # refused at the first chunk past the cap


def test_a_budget_refuses_once_the_members_together_pass_it():
    data = make.repeated_zip([f"{index}" for index in range(10)], bytes(1000))
    archive = bounded.open_zip(data, max_members=10)
    budget = bounded.Budget(3500, "the upload")
    for name in ("0", "1", "2"):
        bounded.read_member(archive, name, 1000, budget=budget)
    with pytest.raises(bounded.OverBudget, match=r"the upload unpacks to more than 3.4 KiB \(at 3\)"):
        bounded.read_member(archive, "3", 1000, budget=budget)
    assert budget.used == 3000 and budget.left == 500


# ---------------------------------------------------------------- arrays


def savez(*arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def test_arrays_come_back_as_np_load_gives_them_in_savez_order():
    arrays = [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)),
        np.float32(0.5),
        np.zeros((0, 5), np.float16),
        np.arange(3, dtype=np.int64),
        *[np.full(2, index, np.uint8) for index in range(10)],  # arr_10 … sorts before arr_2 as text
    ]
    data = savez(*arrays)
    loaded = bounded.read_npz(data, [a.shape for a in arrays], cap_bytes=10_000, kinds="fiu")
    with np.load(io.BytesIO(data)) as reference:
        expected = [reference[f"arr_{index}"] for index in range(len(arrays))]
    for got, want in zip(loaded, expected, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype and got.shape == want.shape and got.flags.writeable
    assert loaded[1].flags.f_contiguous


def test_npy_headers_are_read_without_the_data():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((1000, 3), np.float32))
    buffer.seek(0)
    assert bounded.npy_header(buffer) == ((1000, 3), np.dtype("<f4"), False)
    assert buffer.tell() <= bounded.NPY_HEADER_MAX
    assert bounded.npy_header(make.npy((10**12,))) == ((10**12,), np.dtype("<f4"), False)
    with pytest.raises(bounded.BadArray, match="not an .npy array"):
        bounded.npy_header(b"\x80\x04 a pickle")


def test_every_header_is_checked_before_any_array_is_read(monkeypatch):
    monkeypatch.setattr(bounded, "_read_array", lambda *args: pytest.fail("an array was read"))
    data = savez(np.zeros(3, np.float32), np.zeros((2, 2), np.float32))
    with pytest.raises(bounded.ArrayCount, match="holds 2 arrays; 3 are needed"):
        bounded.read_npz(data, [(3,), (2, 2), (1,)], cap_bytes=1000)
    with pytest.raises(bounded.ArrayShape, match=r"array 1 of arrays.npz has shape \(2, 2\); \(4,\) is needed"):
        bounded.read_npz(data, [(3,), (4,)], cap_bytes=1000)
    seen = []

    def check(headers):
        seen.extend(header.shape for header in headers)
        raise ValueError("refused by the caller")

    with pytest.raises(ValueError, match="refused by the caller"):
        bounded.read_npz(data, cap_bytes=1000, check=check)
    assert seen == [(3,), (2, 2)]
    with pytest.raises(bounded.ArraysTooLarge, match="declares 3.6 TiB of arrays; at most 1000 bytes"):
        bounded.read_npz(make.npz(make.npy((10**12,))), cap_bytes=1000)


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
        bounded.read_npz(make.npz(member), cap_bytes=10_000, kinds="f")


def test_an_npz_must_be_a_numbered_list():
    named = make.make_zip({"kernel.npy": make.npy((1,), data=bytes(4))}, zipfile.ZIP_STORED)
    gap = make.make_zip({"arr_0.npy": make.npy((1,), data=bytes(4)), "arr_2.npy": make.npy((1,), data=bytes(4))})
    for data in (named, gap):
        with pytest.raises(bounded.NotArrays, match="numbered list of arrays"):
            bounded.read_npz(data, cap_bytes=1000)


# ---------------------------------------------------------------- images


def test_image_info_reads_the_header_only():
    assert bounded.image_info(make.png_claiming(10_000, 5_000)) == ("PNG", 10_000, 5_000, "RGB")
    assert bounded.image_info(make.jpeg_claiming(8_000, 6_000)) == ("JPEG", 8_000, 6_000, "RGB")
    with pytest.raises(bounded.ImageTooLarge, match="60,000×40,000 pixels"):  # Pillow refuses to open it at all
        bounded.image_info(make.jpeg_claiming(60_000, 40_000))


def test_a_png_is_reduced_by_a_whole_factor_exactly_as_pillow_reduces_it():
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (2000, 3000, 3), dtype=np.uint8))
    decoded = bounded.decode_image(make.encode(image), side=560, mode="RGB")
    np.testing.assert_array_equal(decoded, np.asarray(image.reduce(6)))  # 3000 / 560 → 6
    assert decoded.shape == (334, 500, 3)


def test_an_image_with_alpha_is_reduced_strip_by_strip_as_pillow_reduces_it_whole(monkeypatch):
    rng = np.random.default_rng(1)
    image = Image.fromarray(rng.integers(0, 255, (1001, 777, 4), dtype=np.uint8), "RGBA")
    monkeypatch.setattr(bounded, "STRIP_BYTES", 50_000)
    decoded = bounded.decode_image(make.encode(image), side=300, mode="RGBA")
    np.testing.assert_array_equal(decoded, np.asarray(image.reduce(4)))


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_close_to_a_full_decode():
    data = make.noisy_photo(4000, 3000)
    assert bounded.decode_cost(data, side=560, mode="RGB") == (1000 * 750, 1000 * 750 * 4)  # 1/4 scale
    decoded = bounded.decode_image(data, side=560, mode="RGB")
    assert decoded.shape == (375, 500, 3)
    full = Image.open(io.BytesIO(data))
    reference = np.asarray(full.resize((500, 375), Image.Resampling.BOX), dtype=np.float32)
    assert np.abs(decoded - reference).mean() < 3
    grey = bounded.decode_image(data, side=560, mode="L")
    assert grey.shape == (375, 500)
    reference = np.asarray(full.convert("L").resize((500, 375), Image.Resampling.BOX), dtype=np.float32)
    assert np.abs(grey - reference).mean() < 3


def test_small_images_are_never_enlarged_and_keep_their_values():
    array = np.arange(40 * 30, dtype=np.uint8).reshape(30, 40)
    np.testing.assert_array_equal(bounded.decode_image(make.encode(Image.fromarray(array)), side=560), array)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_exif_orientation_is_applied_after_the_reduction_as_imageops_would(orientation):
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = Image.fromarray(rng.integers(0, 255, (1200, 2400, 3), dtype=np.uint8))
    data = make.encode(image, "PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).reduce(5))
    np.testing.assert_array_equal(bounded.decode_image(data, side=500, mode="RGB"), expected)


@pytest.mark.parametrize("side", [100, 7])
@pytest.mark.parametrize(
    ("image", "mode"),
    [
        (Image.new("1", (50, 40), 1), "L"),
        (Image.new("I;16", (50, 40), 200), "L"),
        (Image.new("LA", (50, 40), (100, 30)), "LA"),
        (Image.new("P", (50, 40), 3), "RGB"),
        (Image.effect_noise((50, 40), 60).convert("P"), "RGBA"),
    ],
    ids=["1-bit", "16-bit", "grey+alpha", "palette", "noisy palette"],
)
def test_every_png_mode_decodes_as_pillow_converts_and_reduces_it(image, mode, side):
    opened = Image.open(io.BytesIO(make.encode(image)))
    converted = opened.convert({"LA": "LA", "P": "RGB", "1": "L", "I;16": "L"}[opened.mode])
    expected = np.asarray((converted.reduce(8) if side == 7 else converted).convert(mode))
    np.testing.assert_array_equal(bounded.decode_image(make.encode(image), side=side, mode=mode), expected)


def test_a_palette_with_transparency_keeps_its_alpha():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))
    decoded = bounded.decode_image(make.encode(image, transparency=0), side=100, mode="RGBA")
    assert decoded[0, 0, 3] == 0 and tuple(decoded[10, 10]) == (255, 255, 255, 255)


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (make.png_claiming(5000, 5000), bounded.ImageTooLarge, "5,000×5,000 pixels; at most 16.8 million"),
        (make.png_claiming(20000, 20000), bounded.ImageTooLarge, "20,000×20,000 pixels"),
        (make.jpeg_claiming(4096, 4096, "CMYK", progressive=True), bounded.ImageTooLarge, "of this kind"),
        (make.many_scan_jpeg(100), bounded.NotAnImage, "110 scans; at most 64"),
        (make.plain_png(300, 200)[:-40], bounded.NotAnImage, "truncated"),
        (make.plain_png(8, 8, text_chunks=10), bounded.NotAnImage, "text chunks"),
        (make.encode(Image.new("L", (8, 8)), "GIF"), bounded.NotAnImage, "GIF file; only PNG and JPEG"),
        (make.encode(Image.new("RGB", (8, 8)), "BMP"), bounded.NotAnImage, "BMP file"),
        (b"hello", bounded.NotAnImage, "not a PNG or JPEG image"),
        (b"", bounded.NotAnImage, "empty"),
    ],
    ids=["pixels", "pillow limit", "cmyk cost", "scans", "truncated", "text", "gif", "bmp", "text file", "empty"],
)
def test_images_are_refused_before_decoding_with_one_line(data, error, words):
    with pytest.raises(error, match=words) as caught:
        bounded.decode_image(data, side=560)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_a_progressive_jpeg_is_costed_by_its_full_size_coefficients():
    data = make.jpeg_claiming(4096, 4096, progressive=True)  # YCbCr 4:2:0: 1.5 components of 2-byte coefficients
    assert bounded.decode_cost(data, side=560).bytes >= 4096 * 4096 * 3
    assert bounded.decode_cost(make.jpeg_claiming(4096, 4096), side=560) == (1024 * 1024,) * 2  # baseline, 1/4, grey


def test_truncated_images_stay_refused_only_while_pillow_refuses_them(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        bounded.decode_image(make.plain_png(8, 8), side=10)
