"""A learner's own image set: a zip with one folder per class becomes a Dataset like MNIST's.

Every image is decoded with Pillow (PNG or JPEG only), turned to grey levels, padded to a square and resized to the
model's input (28×28 by default), and inverted when its background is light, so that strokes are light on dark as
on the Draw page's canvas. The set is split into training and test images per class, saved as an .npz under
data_dir()/datasets (training workers are other processes and load it from there by name) and named by a hash
of its content, so the name is unguessable and the same upload gets the same name.
"""

import collections
import functools
import hashlib
import io
import os
import re
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, ImageOps

from playground import spec as specs
from playground.data import Dataset
from playground.spec import ModelSpec
from playground.store import data_dir
from playground.text.files import CATALOGUE as MESSAGES

PREFIX = "own-"
NAME_PATTERN = re.compile(r"own-[0-9a-f]{24}")
MAX_ZIP_BYTES = 50 * 2**20
MAX_UNPACKED_BYTES = 400 * 2**20
MAX_MEMBER_BYTES = 25 * 2**20
MAX_IMAGES = 5000
MAX_FILES = 2 * MAX_IMAGES  # images and other files together
MAX_CLASSES = 20
MIN_PER_CLASS = 2  # one to train on, one to test
MAX_PIXELS = 40_000_000  # per image, before decoding (Pillow's decompression-bomb guard is 89 M)
TEST_SHARE = 0.2
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
IGNORED_PARTS = ("__MACOSX",)
IGNORED_NAMES = ("thumbs.db", "desktop.ini")
LIGHT_BACKGROUND = 127  # mean border level above which an image is inverted


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
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise OwnDataError("not_zip") from None
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise OwnDataError("too_many_files", count=len(infos), limit=MAX_IMAGES)
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES or any(
        info.file_size > MAX_MEMBER_BYTES for info in infos
    ):
        raise OwnDataError("zip_bomb", mb=MAX_UNPACKED_BYTES // 2**20)
    return archive


def _check_classes(classes: dict[str, list], folders: set[str]) -> list[str]:
    """The class names, sorted; OwnDataError for empty classes, too few or too many classes or images."""
    empty = sorted(folders - {name for name, images in classes.items() if images})
    if empty and classes:
        raise OwnDataError("empty_class", names=_some(empty, 5))
    if not classes:
        raise OwnDataError("no_classes")
    if len(classes) == 1:
        raise OwnDataError("one_class", name=next(iter(classes)))
    if len(classes) > MAX_CLASSES:
        raise OwnDataError("too_many_classes", count=len(classes), limit=MAX_CLASSES)
    count = sum(len(images) for images in classes.values())
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


def _grey(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image in grey levels, and whether it was in colour. A transparent drawing's alpha is its ink."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = rgba.getchannel("A")
        low, _ = alpha.getextrema()
        if low < 250:  # real transparency: strokes on nothing
            return alpha, False
        image = rgba.convert("RGB")
    colour = image.mode not in ("L", "1", "I", "I;16", "F")
    if colour:
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
        spread = np.abs(rgb - rgb.mean(axis=2, keepdims=True)).max() if rgb.size else 0
        colour = bool(spread > 8)  # an RGB file holding a grey picture is not "colour"
    return image.convert("L"), colour


def _square(image: Image.Image, background: int) -> Image.Image:
    width, height = image.size
    side = max(width, height)
    canvas = Image.new("L", (side, side), background)
    canvas.paste(image, ((side - width) // 2, (side - height) // 2))
    return canvas


def prepare_image(raw: bytes, size: int = 28, name: str = "image") -> Prepared:
    """A PNG or JPEG as a (size, size) uint8 image, light strokes on dark; OwnDataError when it cannot be."""
    try:
        image = Image.open(io.BytesIO(raw))
        if image.format not in ("PNG", "JPEG"):
            raise OwnDataError("not_image", name=name, detail=f"{image.format} file")
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise OwnDataError("image_too_large", name=name, width=width, height=height, limit=MAX_PIXELS // 10**6)
        if image.format == "JPEG" and image.mode in ("L", "RGB"):
            image.draft(image.mode, (size * 4, size * 4))  # decode a large photo at a reduced scale: much faster
        image = ImageOps.exif_transpose(image)
        grey, colour = _grey(image)
        pixels = np.asarray(grey, dtype=np.uint8)
    except OwnDataError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise OwnDataError("not_image", name=name, detail=str(error)[:120] or type(error).__name__) from None
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = int(np.median(border))
    squared = _square(Image.fromarray(pixels), background).resize((size, size), Image.Resampling.LANCZOS)
    result = np.asarray(squared, dtype=np.uint8)
    inverted = float(border.mean()) > LIGHT_BACKGROUND
    if inverted:
        result = 255 - result
    edge = np.concatenate([result[0], result[-1], result[:, 0], result[:, -1]])
    low, high = float(np.median(edge)), float(result.max())
    if high > low:  # a black background and full contrast, as the canvas draws
        result = np.clip((result.astype(np.float32) - low) * (255.0 / (high - low)) + 0.5, 0, 255).astype(np.uint8)
    return Prepared(result, (width, height), colour, inverted)


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
    """The zip's images as a Dataset (folder per class), with warnings; OwnDataError with the reason otherwise."""
    if not 8 <= size <= 128:
        raise ValueError(f"image size {size} is outside 8–128")
    with _open_zip(raw) as archive:
        classes, skipped, folders = _listing(archive)
        class_names = tuple(_check_classes(classes, folders))
        images, labels = [], []
        sizes, colour, inverted = collections.Counter(), 0, 0
        for label, name in enumerate(class_names):
            for info in sorted(classes[name], key=lambda info: info.filename):
                try:
                    member = archive.read(info)
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
                    raise OwnDataError("not_image", name=info.filename, detail=str(error)[:120]) from None
                prepared = prepare_image(member, size, info.filename)
                images.append(prepared.pixels)
                labels.append(label)
                sizes[prepared.original_size] += 1
                colour += prepared.colour
                inverted += prepared.inverted
    x, y = np.stack(images), np.array(labels, dtype=np.uint8)
    train, test = _split(y)
    name = _name(x, y, class_names)
    dataset = Dataset(name, x[train], y[train], x[test], y[test], class_names)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.setflags(write=False)
    warnings = _warnings(sizes, colour, inverted, skipped, size)
    return OwnData(dataset, _title(file_name), tuple(warnings))


def adapt_spec(spec: ModelSpec, input_shape: tuple[int, ...], num_classes: int) -> ModelSpec | None:
    """The spec with this input shape and its last Dense layer sized to num_classes; None when that is invalid."""
    if not spec.layers or spec.layers[-1].kind != "Dense":
        return None
    last = spec.layers[-1]
    layers = (*spec.layers[:-1], replace(last, args={**last.args, "units": int(num_classes)}))
    adapted = replace(spec, input_shape=tuple(input_shape), num_classes=int(num_classes), layers=layers)
    return adapted if specs.validate(adapted).ok else None


# ---------------------------------------------------------------- saved sets, shared with the workers


def is_own(name: object) -> bool:
    """True for the name of an uploaded image set (own-<24 hex digits>)."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def datasets_dir() -> Path:
    """Where uploaded sets are kept: data_dir()/datasets."""
    return data_dir() / "datasets"


def path_of(name: str) -> Path:
    """The file of an uploaded set; ValueError for anything but an own-set name (no path tricks)."""
    if not is_own(name):
        raise ValueError(f"not an uploaded image set: {name!r}")
    return datasets_dir() / f"{name}.npz"


def save(own: OwnData) -> Path:
    """Write the set where training workers can load it by name; returns the file."""
    path = path_of(own.dataset.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        touch(own.dataset.name)
        return path
    partial = path.with_suffix(f".{os.getpid()}.part")
    with open(partial, "wb") as file:
        np.savez_compressed(
            file,
            x_train=own.dataset.x_train,
            y_train=own.dataset.y_train,
            x_test=own.dataset.x_test,
            y_test=own.dataset.y_test,
            class_names=np.array(own.dataset.class_names, dtype=str),
            title=np.array(own.title, dtype=str),
        )
    partial.replace(path)
    return path


def exists(name: str) -> bool:
    """True when the uploaded set is on disk."""
    return is_own(name) and path_of(name).exists()


def touch(name: str) -> None:
    """Mark the set as used now, so that clean-up keeps it."""
    if exists(name):
        os.utime(path_of(name))


@functools.lru_cache(maxsize=8)  # a few sets per process: each is a few MB and students come and go
def load_saved(name: str) -> Dataset:
    """The uploaded set of this name, read from disk (arrays only, never pickles); FileNotFoundError if gone."""
    with np.load(path_of(name), allow_pickle=False) as file:
        arrays = {key: file[key] for key in ("x_train", "y_train", "x_test", "y_test")}
        class_names = tuple(str(value) for value in file["class_names"])
    for array in arrays.values():
        array.setflags(write=False)
    return Dataset(name, **arrays, class_names=class_names)


@functools.lru_cache(maxsize=256)
def title_of(name: str) -> str:
    """The title an uploaded set was saved with (its zip file's name), or its name when unreadable."""
    try:
        with np.load(path_of(name), allow_pickle=False) as file:
            return str(file["title"])
    except (OSError, KeyError, ValueError):
        return name


def cleanup(max_age_s: float, now: float | None = None) -> int:
    """Delete uploaded sets not used for max_age_s; how many were deleted."""
    now = time.time() if now is None else now
    removed = 0
    folder = datasets_dir()
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        if path.suffix in (".npz", ".part") and path.stat().st_mtime < now - max_age_s:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
