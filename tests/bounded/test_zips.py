"""Zip archives read within bounds (playground.bounded.zips), and the one-line messages and budget they share.

Each reader is compared with the plain zipfile call it replaces on valid input, and shown to refuse, with one line,
what the plain call would have spent memory on."""

import io
import zipfile
import zlib

import pytest
from hostile import inputs as make

from playground import bounded
from playground.bounded import zips


def test_cut_keeps_messages_to_one_short_line():
    assert bounded.cut("short") == "short"
    long = bounded.cut("x" * 10_000_000)
    assert len(long) == bounded.CUT and long.endswith("…")
    assert bounded.cut("a\nb\x00c") == "a?b?c"


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04 truncated", make.make_zip({"a": b"x"})[:30]])
def test_what_is_not_a_zip_is_refused(data):
    with pytest.raises(bounded.NotAZip, match="is not a zip archive"):
        zips.open_zip(data, max_members=10, what="the upload")


def test_members_are_counted_before_zipfile_builds_an_entry_for_each(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("zipfile parsed the central directory")

    monkeypatch.setattr(zips.zipfile, "ZipFile", refuse)
    with pytest.raises(bounded.TooManyMembers, match="100,000 files; at most 1,000") as caught:
        zips.open_zip(make.many_members(100_000), max_members=1000)  # its end record claims 65,535
    assert caught.value.params == {"count": 100_000, "limit": 1000}


def test_signatures_inside_a_stored_member_are_not_taken_for_members():
    data = make.make_zip({"inner.bin": b"PK\x01\x02" * 50, "a": b"x"}, zipfile.ZIP_STORED)
    with zips.open_zip(data, max_members=10) as archive:
        assert archive.namelist() == ["inner.bin", "a"]


@pytest.mark.parametrize("name", ["../x.png", "a/../../x.png", "/etc/passwd", "C:/x.png", "a\\..\\..\\x.png"])
def test_absolute_and_parent_names_are_refused(name):
    with pytest.raises(bounded.UnsafeZip, match="absolute path or '..'"):
        zips.open_zip(make.make_zip({"ok.png": b"x", name: b"x"}), max_members=10)


def test_ordinary_names_with_dots_are_fine():
    data = make.make_zip({"a/b..c.png": b"x", ".hidden/x": b"y", "x.": b"z"})
    assert zips.open_zip(data, max_members=10).namelist() == ["a/b..c.png", ".hidden/x", "x."]


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
        zips.open_zip(data, max_members=10)


def test_a_member_reads_as_zipfile_reads_it():
    content = bytes(range(256)) * 1000
    archive = zips.open_zip(make.make_zip({"a": content, "b": b""}), max_members=10)
    assert zips.read_member(archive, "a", len(content)) == content == archive.read("a")
    assert zips.read_member(archive, archive.getinfo("b"), 0) == b""
    assert zips.read_head(archive, "a", 1000) == content[:1000]


def test_a_member_whose_headers_understate_it_is_refused_without_inflating_it():
    bomb = make.zeros(256)  # 256 MB of zeros, 0.26 MB deflated
    archive = zips.open_zip(make.raw_zip({"big": make.claiming(bomb, 1000)}), max_members=10)
    with pytest.raises(bounded.Damaged, match="CRC checksum: its headers misstate it"):
        zips.read_member(archive, "big", 2**20)
    # With the CRC of what the headers claim, the member is what they describe: 1,000 bytes, the rest ignored.
    honest_crc = make.claiming(bomb, 1000, zlib.crc32(bytes(1000)))
    archive = zips.open_zip(make.raw_zip({"big": honest_crc}), max_members=10)
    assert zips.read_member(archive, "big", 2**20) == bytes(1000)


def test_a_member_whose_headers_overstate_it_is_refused():
    data = make.patch_sizes(make.make_zip({"a": b"a" * 100}), "a", 150)
    with pytest.raises(bounded.Damaged, match="unpacks to 100 bytes, not the 150 its header says"):
        zips.read_member(zips.open_zip(data, max_members=10), "a", 1000)


def test_a_member_claiming_more_than_its_cap_is_refused_before_it_is_read():
    archive = zips.open_zip(make.raw_zip({"big": make.zeros(256)}), max_members=10)
    opened = []
    archive.open = lambda *args, **kwargs: opened.append(args)  # reading would record a call
    with pytest.raises(bounded.TooLarge, match="claims to unpack to 256 MiB; at most 16 MiB") as caught:
        zips.read_member(archive, "big", 16 * 2**20)
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
        zips.read_member(archive, archive.info, 2**20)
    assert archive.reads == 2**20 // bounded.CHUNK + 1  # refused at the first chunk past the cap


def test_a_budget_refuses_once_the_members_together_pass_it():
    data = make.repeated_zip([f"{index}" for index in range(10)], bytes(1000))
    archive = zips.open_zip(data, max_members=10)
    budget = bounded.Budget(3500, "the upload")
    for name in ("0", "1", "2"):
        zips.read_member(archive, name, 1000, budget=budget)
    with pytest.raises(bounded.OverBudget, match=r"the upload unpacks to more than 3.4 KiB \(at 3\)"):
        zips.read_member(archive, "3", 1000, budget=budget)
    assert budget.used == 3000
