"""A learner's own image set: a zip with one folder per class becomes a Dataset like MNIST's.

Every image goes through the one image pipeline (data.images: alpha, grey levels, light strokes on dark), then is
padded to a square and resized to the set's size (28×28 by default). Reading is bounded (playground.bounded):
members are read in chunks whatever their headers claim, every image is refused by its pixel count before it is
decoded and decoded at four times the input size, and the whole set may decode at most MAX_TOTAL_PIXELS, checked
from the images' headers first. The set is split into training and test images per class and named by a hash of
its content, so the name is unguessable and the same upload gets the same name (data.kept keeps it by that name).
"""

import collections
import hashlib
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from playground import bounded, layers
from playground import spec as specs
from playground.bounded.images import PHOTO_PIXELS, decode_cost, image_info
from playground.bounded.zips import open_zip, read_head, read_member
from playground.data import images
from playground.data.dataset import Dataset
from playground.spec import ModelSpec
from playground.text.files import CATALOGUE as MESSAGES

PREFIX = "own-"
NAME_PATTERN = re.compile(r"own-[0-9a-f]{24}")
MAX_ZIP_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20  # images hardly compress: only a zip bomb unpacks to much more than its size
MAX_MEMBER_BYTES = 16 * 2**20
MAX_IMAGES = 5000
MAX_FILES = 2 * MAX_IMAGES  # images and other files together
MAX_CLASSES = 20
MIN_PER_CLASS = 2  # one to train on, one to test
MAX_PIXELS = PHOTO_PIXELS  # per image, from its header before decoding: a 12-megapixel photo fits
MAX_TOTAL_PIXELS = 100_000_000  # decoded for the whole set (a big JPEG at its reduced scale): about 2 s of CPU
HEAD_BYTES = 128 * 1024  # enough of a member to read its image header (a JPEG's EXIF block is at most 64 KiB)
TEST_SHARE = 0.2
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
IGNORED_PARTS = ("__MACOSX",)
IGNORED_NAMES = ("thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class Issue:
    """Something found in an upload: a message key of the files catalogue and its values."""

    key: str
    params: dict

    def message(self, language: str = "en") -> str:
        """The issue as one sentence in the given language."""
        return MESSAGES.text(language, "own_" + self.key, **self.params)


class OwnDataError(ValueError):
    """An upload that cannot become a dataset; carries the Issue saying why."""

    def __init__(self, key: str, **params: object):
        self.issue = Issue(key, params)
        super().__init__(self.issue.message("en"))


@dataclass(frozen=True, eq=False)
class OwnData:
    """An uploaded image set made into a Dataset, with its title and what was adjusted on the way."""

    dataset: Dataset
    title: str
    warnings: tuple[Issue, ...]

    def preview(self, per_class: int = 8) -> dict[str, np.ndarray]:
        """Up to per_class training images of every class, by class name."""
        return {
            name: self.dataset.x_train[np.flatnonzero(self.dataset.y_train == label)[:per_class]]
            for label, name in enumerate(self.dataset.class_names)
        }


# ---------------------------------------------------------------- reading the zip


def _listing(archive: zipfile.ZipFile) -> tuple[dict[str, list[zipfile.ZipInfo]], list[str], set[str]]:
    """(images by class folder, skipped file names, every class folder seen), with a common top folder removed."""
    entries = []
    for info in archive.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        parts = [part for part in path.parts if part not in ("", ".")]
        if not parts or any(part in IGNORED_PARTS or part.startswith(".") for part in parts):
            continue
        if parts[-1].lower() in IGNORED_NAMES or ".." in parts:
            continue
        entries.append((parts, info))
    # A zipped folder "animals/cats/1.png": drop "animals" when everything sits inside it.
    while (
        entries
        and len({parts[0] for parts, _ in entries}) == 1
        and all(len(parts) > 2 for parts, info in entries if not info.is_dir())
    ):
        entries = [(parts[1:], info) for parts, info in entries if len(parts) > 1]
    classes: dict[str, list[zipfile.ZipInfo]] = collections.defaultdict(list)
    folders, skipped, loose = set(), [], []
    for parts, info in entries:
        if info.is_dir():
            folders.add(parts[0])
            continue
        if len(parts) > 1:
            folders.add(parts[0])
        if not parts[-1].lower().endswith(IMAGE_SUFFIXES):
            skipped.append("/".join(parts))
        elif len(parts) == 1:
            loose.append(parts[0])
        else:
            classes[parts[0]].append(info)
    if loose:
        raise OwnDataError("loose_files", names=_some(loose))
    return classes, skipped, folders


def _some(names: list[str], count: int = 3) -> str:
    shown = ", ".join(sorted(names)[:count])
    return shown + (", …" if len(names) > count else "")


def _open_zip(raw: bytes) -> zipfile.ZipFile:
    if len(raw) > MAX_ZIP_BYTES:
        raise OwnDataError("too_large", mb=MAX_ZIP_BYTES // 2**20)
    try:
        archive = open_zip(raw, max_members=MAX_FILES, what="the zip")
    except bounded.NotAZip:
        raise OwnDataError("not_zip") from None
    except bounded.TooManyMembers as error:
        raise OwnDataError("too_many_files", count=f"{error.params['count']:,}", limit=MAX_IMAGES) from None
    except bounded.BoundedError as error:  # encrypted, another compression, absolute or '..' names
        raise OwnDataError("unsafe_zip", detail=str(error)) from None
    infos = archive.infolist()
    # What the headers claim, for an early refusal; every read below is bounded whatever they claim.
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES or any(
        info.file_size > MAX_MEMBER_BYTES for info in infos
    ):
        raise OwnDataError("zip_bomb", mb=MAX_UNPACKED_BYTES // 2**20)
    return archive


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: bounded.Budget) -> bytes:
    try:
        return read_member(archive, info, MAX_MEMBER_BYTES, budget=budget)
    except bounded.TooLarge:
        raise OwnDataError("zip_bomb", mb=MAX_UNPACKED_BYTES // 2**20) from None
    except bounded.BoundedError as error:  # a checksum or length that does not match the header
        raise OwnDataError("unsafe_zip", detail=str(error)) from None


def _refusal(name: str, error: bounded.BoundedError) -> OwnDataError:
    """The OwnDataError for an image the bounded reader refused: too large, or not a PNG or JPEG."""
    if not isinstance(error, bounded.ImageTooLarge):
        return OwnDataError("not_image", name=bounded.cut(name), detail=str(error))
    width, height, limit = (error.params.get(key) for key in ("width", "height", "limit"))
    return OwnDataError("image_too_large", name=bounded.cut(name), width=width or "?", height=height or "?",
                        limit=min(limit, MAX_PIXELS) // 10**6)  # fmt: skip


def _check_pixels(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], side: int
) -> tuple[set[str], bounded.Budget]:
    """Refuse, from the images' headers alone, an image over MAX_PIXELS or a set that would decode more than
    MAX_TOTAL_PIXELS; returns the members counted and the pixel budget (a header not found in the first
    HEAD_BYTES is left to the decoding pass, which counts it then)."""
    pixels = bounded.Budget(MAX_TOTAL_PIXELS, "the images", unit="pixels")
    counted = set()
    for info in members:
        try:
            head = read_head(archive, info, HEAD_BYTES)
            found = image_info(head)
            cost = decode_cost(head, side=side, mode="RGBA")
        except bounded.ImageTooLarge as error:
            raise _refusal(info.filename, error) from None
        except bounded.BoundedError:
            continue
        if found.width * found.height > MAX_PIXELS:
            raise _refusal(info.filename, bounded.ImageTooLarge("", width=found.width, height=found.height,
                                                                  limit=MAX_PIXELS))  # fmt: skip
        _charge(pixels, cost.pixels)
        counted.add(info.filename)
    return counted, pixels


def _charge(pixels: bounded.Budget, amount: int) -> None:
    try:
        pixels.charge(amount)
    except bounded.OverBudget:
        raise OwnDataError("too_many_pixels", limit=MAX_TOTAL_PIXELS // 10**6) from None


def _check_classes(classes: dict[str, list], folders: set[str]) -> list[str]:
    """The class names, sorted; OwnDataError for empty classes, too few or too many classes or images."""
    empty = sorted(folders - {name for name, members in classes.items() if members})
    if empty and classes:
        raise OwnDataError("empty_class", names=_some(empty, 5))
    if not classes:
        raise OwnDataError("no_classes")
    if len(classes) == 1:
        raise OwnDataError("one_class", name=next(iter(classes)))
    if len(classes) > MAX_CLASSES:
        raise OwnDataError("too_many_classes", count=len(classes), limit=MAX_CLASSES)
    count = sum(len(members) for members in classes.values())
    if count > MAX_IMAGES:
        raise OwnDataError("too_many_files", count=count, limit=MAX_IMAGES)
    for name in sorted(classes):
        if len(classes[name]) < MIN_PER_CLASS:
            raise OwnDataError("too_few", name=name, count=len(classes[name]), minimum=MIN_PER_CLASS)
    return sorted(classes)


# ---------------------------------------------------------------- one image


@dataclass(frozen=True)
class Prepared:
    """One image as the model sees it, and what was done to it."""

    pixels: np.ndarray  # (size, size) uint8, light strokes on dark
    original_size: tuple[int, int]
    colour: bool
    inverted: bool


def _is_colour(rgba: np.ndarray) -> bool:
    """True when the picture has colour: an RGB file holding a grey picture has not."""
    values = rgba[..., :3].astype(np.int16)
    return bool(values.size and np.abs(values - values.mean(axis=2, keepdims=True)).max() > 8)


def _fit(strength: np.ndarray, size: int) -> np.ndarray:
    """The ink padded to a square with its background level, resized to (size, size) and stretched so that the
    background is black and the strongest ink white, as the canvas draws; uint8."""
    height, width = strength.shape
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    square = np.full((side, side), np.median(images.border(strength)), dtype=np.float32)
    square[top : top + height, left : left + width] = strength
    resized = np.asarray(Image.fromarray(square, "F").resize((size, size), Image.Resampling.LANCZOS))
    resized = np.clip(resized, 0.0, 1.0)
    low, high = float(np.median(images.border(resized))), float(resized.max())
    if high > low:
        resized = np.clip((resized - low) / (high - low), 0.0, 1.0)
    return (resized * 255 + 0.5).astype(np.uint8)


def prepare_image(raw: bytes, size: int = 28, name: str = "image") -> Prepared:
    """A PNG or JPEG as a (size, size) uint8 image, light strokes on dark; OwnDataError when it cannot be.

    Read through the one image pipeline (data.images: alpha, grey levels, inversion), refused over MAX_PIXELS
    before decoding and decoded with its longer side at most 4 × size."""
    try:
        found = image_info(raw)
        rgba = images.decode(raw, side=4 * size, max_pixels=MAX_PIXELS)
    except bounded.BoundedError as error:
        raise _refusal(name, error) from None
    ink = images.read_ink(rgba)
    colour = not ink.from_alpha and _is_colour(rgba)
    return Prepared(_fit(ink.strength, size), (found.width, found.height), colour, ink.inverted)


# ---------------------------------------------------------------- the dataset


def _split(labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows): per class, a seeded TEST_SHARE (at least one image) goes to the test set."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        held = max(1, int(round(len(rows) * TEST_SHARE)))
        test.extend(rows[:held])
        train.extend(rows[held:])
    return np.sort(np.array(train, dtype=np.int64)), np.sort(np.array(test, dtype=np.int64))


def _name(x: np.ndarray, y: np.ndarray, class_names: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(digest_size=12)
    digest.update(x.tobytes())
    digest.update(y.astype(np.int64).tobytes())
    digest.update("\n".join(class_names).encode())
    return PREFIX + digest.hexdigest()


def _title(file_name: str) -> str:
    return Path(file_name or "images").stem.strip()[:40] or "images"


def _warnings(sizes: collections.Counter, colour: int, inverted: int, skipped: list[str], size: int) -> list[Issue]:
    found = []
    examples = ", ".join(f"{w}×{h}" for (w, h), _ in sizes.most_common(3))
    if len(sizes) > 1:
        found.append(Issue("mixed_sizes", {"count": len(sizes), "examples": examples, "size": size}))
    elif sizes and next(iter(sizes)) != (size, size):
        found.append(Issue("resized", {"examples": examples, "size": size}))
    if colour:
        found.append(Issue("colour", {"count": colour}))
    if inverted:
        found.append(Issue("inverted", {"count": inverted}))
    if skipped:
        found.append(Issue("skipped", {"count": len(skipped), "names": _some(skipped)}))
    return found


def from_zip(raw: bytes, file_name: str = "images.zip", size: int = 28) -> OwnData:
    """The zip's images as a Dataset (folder per class), with warnings; OwnDataError with the reason otherwise.

    Memory: one member (≤ MAX_MEMBER_BYTES) and one image's decoding (≤ bounded.images.DECODE_BYTES) at a time, plus the
    images at (size, size) bytes each. CPU: at most MAX_TOTAL_PIXELS decoded, refused from the headers."""
    if not 8 <= size <= 128:
        raise ValueError(f"image size {size} is outside 8–128")
    with _open_zip(raw) as archive:
        classes, skipped, folders = _listing(archive)
        class_names = tuple(_check_classes(classes, folders))
        members = [(label, info) for label, name in enumerate(class_names)
                   for info in sorted(classes[name], key=lambda info: info.filename)]  # fmt: skip
        counted, pixels = _check_pixels(archive, [info for _, info in members], 4 * size)
        budget = bounded.Budget(MAX_UNPACKED_BYTES, "the zip")
        x = np.empty((len(members), size, size), dtype=np.uint8)
        sizes, colour, inverted = collections.Counter(), 0, 0
        for row, (_, info) in enumerate(members):
            member = _read(archive, info, budget)
            if info.filename not in counted:  # its header was not in the first HEAD_BYTES: count it now
                try:
                    _charge(pixels, decode_cost(member, side=4 * size, mode="RGBA").pixels)
                except bounded.BoundedError as error:
                    raise _refusal(info.filename, error) from None
            prepared = prepare_image(member, size, info.filename)
            x[row] = prepared.pixels
            sizes[prepared.original_size] += 1
            colour += prepared.colour
            inverted += prepared.inverted
    y = np.array([label for label, _ in members], dtype=np.uint8)
    train, test = _split(y)
    name = _name(x, y, class_names)
    dataset = Dataset(name, x[train], y[train], x[test], y[test], class_names)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.setflags(write=False)
    warnings = _warnings(sizes, colour, inverted, skipped, size)
    return OwnData(dataset, _title(file_name), tuple(warnings))


def adapt_spec(spec: ModelSpec, input_shape: tuple[int, ...], num_classes: int) -> ModelSpec | None:
    """The spec with this input shape and its last Dense layer sized to num_classes; None when that is invalid."""
    if not spec.layers or not layers.get(spec.layers[-1].kind).class_scores:
        return None
    last = spec.layers[-1]
    stack = (*spec.layers[:-1], replace(last, args={**last.args, "units": int(num_classes)}))
    adapted = replace(spec, input_shape=tuple(input_shape), num_classes=int(num_classes), layers=stack)
    return adapted if specs.validate(adapted).ok else None


# ---------------------------------------------------------------- names of uploaded sets


def is_own(name: object) -> bool:
    """True for the name of an uploaded image set (own-<24 hex digits>)."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None
