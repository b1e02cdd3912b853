"""Own image sets: a zip with a folder per class becomes an MNIST-like Dataset, or a clear message says why not."""

import numpy as np
import pytest
from PIL import Image

from playground import data, presets
from playground import spec as specs
from playground.data import images as drawing
from playground.data import kept as kept_sets
from playground.data import own as own_data
from playground.data.own import OwnDataError

from .image_sets import SHAPES, encode, make_zip, shape_image, shapes_files, shapes_zip


def refusal(raw: bytes, **options) -> OwnDataError:
    with pytest.raises(OwnDataError) as caught:
        own_data.from_zip(raw, **options)
    return caught.value


def test_a_folder_per_class_becomes_a_dataset_split_per_class():
    own = own_data.from_zip(shapes_zip(per_class=10), "my shapes.zip")
    dataset = own.dataset
    assert dataset.class_names == SHAPES
    assert dataset.input_shape == (28, 28, 1)
    assert dataset.x_train.dtype == np.uint8 and dataset.x_train.shape[1:] == (28, 28)
    assert len(dataset.y_train) + len(dataset.y_test) == 30
    assert dataset.class_counts() == {name: (8, 2) for name in SHAPES}
    assert own.title == "my shapes"
    assert own_data.is_own(dataset.name)
    assert not dataset.x_train.flags.writeable


def test_dark_on_light_drawings_are_inverted_to_light_strokes_on_black_like_the_canvas():
    own = own_data.from_zip(shapes_zip(per_class=4, light=True))
    images = np.concatenate([own.dataset.x_train, own.dataset.x_test])
    borders = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]], axis=1)
    assert borders.mean() < 10 and images.max() == 255
    assert [w.key for w in own.warnings] == ["resized", "inverted"]
    light_on_dark = own_data.from_zip(shapes_zip(per_class=4, light=False))
    assert "inverted" not in [w.key for w in light_on_dark.warnings]


def test_a_zipped_top_folder_is_looked_through_and_system_files_are_ignored():
    files = shapes_files(per_class=3, root="shapes")
    files["__MACOSX/shapes/._circle_000.png"] = b"junk"
    files["shapes/.DS_Store"] = b"junk"
    files["shapes/circle/Thumbs.db"] = b"junk"
    own = own_data.from_zip(make_zip(files))
    assert own.dataset.class_names == SHAPES
    assert "skipped" not in [w.key for w in own.warnings]


def test_mixed_sizes_formats_and_colours_are_resized_to_the_chosen_input_with_warnings():
    rng = np.random.default_rng(1)
    files = {}
    for index in range(3):
        files[f"a/{index}.png"] = encode(shape_image("circle", 30 + 10 * index, rng, mode="RGB"))
        files[f"b/{index}.jpg"] = encode(shape_image("square", 64, rng, mode="RGB").resize((64, 40)), "JPEG")
    files["a/red.png"] = encode(Image.new("RGB", (20, 20), (200, 30, 30)))
    files["b/notes.txt"] = b"not an image"
    own = own_data.from_zip(make_zip(files), size=16)
    assert own.dataset.x_train.shape[1:] == (16, 16)
    keys = {w.key: w for w in own.warnings}
    assert keys["mixed_sizes"].params["count"] == 5
    assert keys["colour"].params["count"] == 1  # RGB files holding grey drawings are not counted as colour
    assert keys["skipped"].params["names"] == "b/notes.txt"
    assert "16×16" in keys["mixed_sizes"].message("en") and "16×16" in keys["mixed_sizes"].message("zh")


def test_a_transparent_drawing_uses_its_alpha_as_ink():
    rgba = np.zeros((28, 28, 4), np.uint8)
    rgba[10:18, 10:18] = (0, 0, 0, 255)  # black strokes on a transparent background
    prepared = own_data.prepare_image(encode(Image.fromarray(rgba, "RGBA")), 28)
    assert prepared.pixels[14, 14] == 255 and prepared.pixels[2, 2] == 0


def _strokes_on(paper: tuple[int, ...], ink: tuple[int, ...]) -> bytes:
    pixels = np.empty((40, 40, len(paper)), np.uint8)
    pixels[:] = paper
    pixels[8:32, 18:23] = ink
    return encode(Image.fromarray(pixels[..., 0] if len(paper) == 1 else pixels))


@pytest.mark.parametrize(
    ("raw", "inverted"),
    [
        (_strokes_on((230,), (20,)), True),
        (_strokes_on((10,), (250,)), False),
        (_strokes_on((240, 220, 120), (20, 20, 60)), True),
        (_strokes_on((0, 0, 0, 0), (0, 0, 0, 255)), False),
        (_strokes_on((255, 255, 255, 255), (255, 255, 255, 0)), True),
        (_strokes_on((255, 255, 255, 200), (0, 0, 0, 255)), True),
    ],
    ids=[
        "dark on light",
        "light on dark",
        "dark on yellow",
        "drawn on nothing",
        "cut out of paper",
        "faintly see-through",
    ],
)
def test_own_images_read_their_ink_as_drawings_do_and_come_out_light_on_black(raw, inverted):
    prepared = own_data.prepare_image(raw, 20)
    ink = drawing.read_ink(drawing.decode(raw, side=80))  # the one pipeline the Draw page uses
    assert prepared.inverted == ink.inverted == inverted
    paper, strokes = prepared.pixels[:, :6], prepared.pixels[6:14, 9:11]
    assert paper.max() < 30 and strokes.min() > 200


class DictKeeper(dict):
    """Kept sets in a dict, as the session store keeps them."""

    def image_set(self, name):
        return self.get(name)

    def has_image_set(self, name):
        return name in self


@pytest.fixture
def keeper(monkeypatch):
    """A fresh keeper of image sets for this test (the app's store keeps them otherwise)."""
    kept = DictKeeper()
    monkeypatch.setattr(kept_sets, "_keeper", kept)
    kept_sets.load_saved.cache_clear()
    kept_sets.title_of.cache_clear()
    yield kept
    kept_sets.load_saved.cache_clear()
    kept_sets.title_of.cache_clear()


def test_the_same_upload_gets_the_same_unguessable_name_and_workers_can_load_it_by_name(keeper):
    raw = shapes_zip(per_class=4)
    own = own_data.from_zip(raw)
    assert own_data.from_zip(raw).dataset.name == own.dataset.name
    assert len(own.dataset.name) == len("own-") + 24
    assert not data.is_cached(own.dataset.name)
    keeper[own.dataset.name] = kept_sets.to_bytes(own)
    assert data.is_cached(own.dataset.name)
    loaded = data.load(own.dataset.name)
    assert loaded.class_names == SHAPES
    np.testing.assert_array_equal(loaded.x_train, own.dataset.x_train)
    np.testing.assert_array_equal(loaded.y_test, own.dataset.y_test)


class Watching(DictKeeper):
    asked: list = []

    def image_set(self, name):
        self.asked.append(name)
        return super().image_set(name)

    def has_image_set(self, name):
        self.asked.append(name)
        return super().has_image_set(name)


def test_names_that_are_not_own_sets_are_never_looked_up(monkeypatch):
    watching = Watching({"own-../../etc/passwd": b"x", "mnist": b"x"})
    monkeypatch.setattr(kept_sets, "_keeper", watching)
    for name in ("own-../../etc/passwd", "own-" + "0" * 23, "mnist", "own-" + "g" * 24):
        assert not own_data.is_own(name) and not kept_sets.exists(name)
        with pytest.raises(KeyError):
            kept_sets.load_saved(name)
    assert watching.asked == []
    with pytest.raises(data.DatasetUnavailable):
        data.load("own-" + "0" * 24)


def test_not_a_zip():
    assert refusal(b"PK\x03\x04 not really").issue.key == "not_zip"
    assert refusal(encode(Image.new("L", (8, 8)))).issue.key == "not_zip"


def test_an_empty_class_folder_is_named():
    files = shapes_files(per_class=3)
    files["triangle/readme.txt"] = b"to do"
    error = refusal(make_zip(files))
    assert error.issue.key == "empty_class" and "triangle" in str(error)
    error = refusal(make_zip({**shapes_files(per_class=3), "empty/": b""}))
    assert error.issue.key == "empty_class" and "empty" in error.issue.message("zh")


def test_one_class_and_images_outside_class_folders_are_explained():
    assert refusal(shapes_zip(per_class=3, classes=("circle",))).issue.key == "one_class"
    files = {**shapes_files(per_class=3), "stray.png": encode(Image.new("L", (8, 8)))}
    error = refusal(make_zip(files))
    assert error.issue.key == "loose_files" and "stray.png" in str(error)
    assert refusal(make_zip({"notes.txt": b"x"})).issue.key == "no_classes"


def test_a_file_that_claims_to_be_an_image_but_is_not_is_named():
    files = {**shapes_files(per_class=3), "circle/broken.png": b"\x89PNG\r\n\x1a\n garbage"}
    error = refusal(make_zip(files))
    assert error.issue.key == "not_image" and "circle/broken.png" in str(error)
    gif = Image.new("L", (8, 8))
    files = {**shapes_files(per_class=3), "circle/animated.png": encode(gif, "GIF")}
    assert refusal(make_zip(files)).issue.key == "not_image"


def test_too_many_images_classes_or_too_few_per_class(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_IMAGES", 20)
    error = refusal(shapes_zip(per_class=10))
    assert error.issue.key == "too_many_files" and "30" in str(error) and "20" in str(error)
    monkeypatch.setattr(own_data, "MAX_CLASSES", 2)
    assert refusal(shapes_zip(per_class=2)).issue.key == "too_many_classes"
    files = shapes_files(per_class=3, classes=("circle", "square"))
    files = {path: content for path, content in files.items() if not path.startswith("square/square_00")}
    files["square/only.png"] = encode(Image.new("L", (8, 8)))
    error = refusal(make_zip(files))
    assert error.issue.key == "too_few" and "square" in str(error)


def test_a_zip_bomb_and_a_huge_image_are_refused_before_decoding(monkeypatch):
    bomb = make_zip({**shapes_files(per_class=3), "circle/zeros.png": bytes(30 * 2**20)})
    assert len(bomb) < 200_000
    assert refusal(bomb).issue.key == "zip_bomb"
    monkeypatch.setattr(own_data, "MAX_PIXELS", 1000)
    error = refusal(shapes_zip(per_class=3))
    assert error.issue.key == "image_too_large" and "40×40" in str(error)
    monkeypatch.setattr(own_data, "MAX_ZIP_BYTES", 100)
    assert refusal(shapes_zip(per_class=3)).issue.key == "too_large"


def test_a_set_that_would_decode_too_many_pixels_is_refused_from_its_headers_before_decoding(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_TOTAL_PIXELS", 30 * 40 * 40 - 1)  # one pixel short of 30 images of 40×40
    decoded = []
    monkeypatch.setattr(own_data, "prepare_image", lambda *args: decoded.append(args))
    error = refusal(shapes_zip(per_class=10))
    assert error.issue.key == "too_many_pixels" and decoded == []
    assert "million pixels" in str(error) and "百万像素" in error.issue.message("zh")


def test_images_whose_headers_are_not_near_the_start_are_counted_when_read(monkeypatch):
    monkeypatch.setattr(own_data, "HEAD_BYTES", 8)  # no header can be read from 8 bytes
    monkeypatch.setattr(own_data, "MAX_TOTAL_PIXELS", 30 * 40 * 40 - 1)
    assert refusal(shapes_zip(per_class=10)).issue.key == "too_many_pixels"
    monkeypatch.setattr(own_data, "MAX_TOTAL_PIXELS", 30 * 40 * 40)
    assert len(own_data.from_zip(shapes_zip(per_class=10)).dataset.y_train) == 24


def test_a_large_photo_is_decoded_at_a_reduced_size_and_keeps_its_original_size_in_the_report():
    rng = np.random.default_rng(2)
    photo = shape_image("circle", 3000, rng, mode="RGB").resize((3000, 2000))
    for fmt in ("PNG", "JPEG"):
        prepared = own_data.prepare_image(encode(photo, fmt), 28)
        assert prepared.pixels.shape == (28, 28) and prepared.original_size == (3000, 2000)
        assert prepared.inverted and not prepared.colour


def test_zips_that_cannot_be_read_safely_are_refused_with_the_reason():
    files = shapes_files(per_class=3)
    for name in ("../evil.png", "/etc/evil.png"):
        error = refusal(make_zip({**files, name: files["circle/circle_000.png"]}))
        assert error.issue.key == "unsafe_zip" and "evil.png" in str(error)


def test_the_current_model_can_be_fitted_to_the_images():
    seed = presets.preset("seed-cnn")
    adapted = own_data.adapt_spec(seed, (28, 28, 1), 3)
    assert adapted.num_classes == 3 and adapted.layers[-1].args["units"] == 3
    assert specs.validate(adapted).ok
    assert own_data.adapt_spec(seed.with_layers(seed.layers[:-2]), (28, 28, 1), 3) is None  # ends in Flatten
    assert own_data.adapt_spec(seed, (8, 8, 1), 3) is None  # three 3×3 convolutions do not fit 8×8


@pytest.mark.slow
def test_an_uploaded_set_trains_in_a_worker_and_beats_chance():
    from playground import store
    from playground.training.job import TrainingJob
    from playground.training.limits import Limits
    from playground.training.runs import FitRequest, TrainSettings
    from playground.training.scheduler import Scheduler

    own = own_data.from_zip(shapes_zip(per_class=40, seed=3))  # kept in the store, where the worker reads it
    assert store.default_store().save_image_set(store.new_token(), own.dataset.name, own.title, kept_sets.to_bytes(own))
    spec = own_data.adapt_spec(presets.preset("small-cnn"), (28, 28, 1), 3)
    scheduler = Scheduler(Limits(max_running=1, spare="off"))
    try:
        job = TrainingJob(FitRequest(spec, TrainSettings(own.dataset.name, epochs=12, batch_size=16)))
        scheduler.submit(job)
        assert job.wait(240)
    finally:
        scheduler.shutdown()
    assert job.state == "finished", job.snapshot().message
    assert job.result.test_accuracy > 0.6  # three classes: chance is 0.33
