"""The one image pipeline (playground.data.images): decoding, ink and polarity, and the MNIST-style preparation of
drawings, photos and uploads; no Keras needed."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from playground import data
from playground.data import images as drawing
from playground.data import strokes


def canvas(digit: int = 3, **style) -> np.ndarray:
    return strokes.drawing(digit, strokes.Style("test", **style))


def _blur(image: np.ndarray) -> np.ndarray:
    padded = np.pad(image, 1)
    return sum(padded[i : i + image.shape[0], j : j + image.shape[1]] for i in range(3) for j in range(3))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two prepared inputs, lightly blurred so a one-pixel shift of a thin stroke is forgiven."""
    a, b = _blur(_blur(a)), _blur(_blur(b))
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def bounding_box(image: np.ndarray, level: float = 0.0) -> tuple[int, int]:
    rows, cols = np.nonzero(image > level)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the image's centre of mass, in pixel-index coordinates."""
    mass = image.sum()
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / mass), float((cols * image).sum() / mass)


def png(array: np.ndarray, format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=format)
    return buffer.getvalue()


def test_a_centred_digit_becomes_a_28x28_input_fitted_to_20_pixels_with_its_mass_centred():
    x = drawing.prepare(canvas(3))
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == pytest.approx(1.0)
    height, width = bounding_box(x)
    assert height == 20 and width < 20  # the longer side is 20, the aspect ratio kept
    row, col = center_of_mass(x)
    assert abs(row - 13.5) <= 0.5 and abs(col - 13.5) <= 0.5


@pytest.mark.parametrize("image", [np.zeros((280, 280, 4), np.uint8), np.zeros((280, 280), np.uint8)])
def test_an_empty_canvas_gives_none(image):
    if image.ndim == 3:
        image[..., 3] = 255
    assert drawing.prepare(image) is None


def test_a_fully_transparent_canvas_gives_none():
    assert drawing.prepare(np.zeros((280, 280, 4), np.uint8)) is None


def test_a_single_small_dot_is_near_empty():
    image = strokes.render([[(140, 140), (141, 140)]], pen=6)
    assert drawing.prepare(image) is None


def test_a_faint_smudge_without_contrast_is_blank():
    image = np.full((280, 280), 200, np.uint8)
    image[100:140, 100:140] = 190  # a barely darker patch on light paper
    assert drawing.prepare(image) is None


def test_a_tiny_digit_in_a_corner_looks_like_the_big_centred_one():
    big = drawing.prepare(canvas(7, pen=20))
    tiny = drawing.prepare(canvas(7, centre=(0.12, 0.1), height=0.12, pen=3))
    assert tiny is not None
    assert bounding_box(tiny)[0] == 20
    assert similarity(big, tiny) > 0.8


@pytest.mark.parametrize("centre", [(0.25, 0.3), (0.75, 0.7), (0.3, 0.75)])
def test_an_off_centre_digit_prepares_like_the_centred_one(centre):
    centred = drawing.prepare(canvas(5, height=0.5))
    moved = drawing.prepare(canvas(5, height=0.5, centre=centre))
    assert similarity(centred, moved) > 0.97
    row, col = center_of_mass(moved)
    assert abs(row - 13.5) <= 0.5 and abs(col - 13.5) <= 0.5


def test_dark_ink_on_light_paper_is_inverted():
    drawn = canvas(4)
    inverted = drawn.copy()
    inverted[..., :3] = 255 - inverted[..., :3]
    assert similarity(drawing.prepare(drawn), drawing.prepare(inverted)) > 0.99


def test_black_strokes_on_a_transparent_background_count_as_ink():
    drawn = canvas(2)
    transparent = np.zeros_like(drawn)
    transparent[..., 3] = drawn[..., 0]  # opaque where drawn, black ink
    assert similarity(drawing.prepare(drawn), drawing.prepare(transparent)) > 0.99


def test_transparent_strokes_cut_out_of_opaque_paper_count_as_ink():
    drawn = canvas(2)
    stencil = np.full_like(drawn, 255)
    stencil[..., 3] = 255 - drawn[..., 0]  # opaque white paper, the strokes cut out of it
    assert similarity(drawing.prepare(drawn), drawing.prepare(stencil)) > 0.99


@pytest.mark.parametrize(
    "convert",
    [
        lambda rgba: rgba[..., :3],  # RGB
        lambda rgba: rgba[..., 0],  # grey
        lambda rgba: rgba[..., :1],  # (H, W, 1)
        lambda rgba: rgba[..., 0].astype(np.float32) / 255,  # floats in [0, 1]
        lambda rgba: rgba[..., 0].astype(np.uint16) * 257,  # 16-bit
    ],
)
def test_grey_rgb_and_float_images_prepare_like_the_rgba_canvas(convert):
    drawn = canvas(6)
    assert similarity(drawing.prepare(drawn), drawing.prepare(convert(drawn))) > 0.99


def test_a_non_square_canvas_keeps_the_aspect_ratio():
    tall_one = strokes.render([[(200, 20), (200, 130)]], pen=8, size=(400, 150))
    x = drawing.prepare(tall_one)
    height, width = bounding_box(x, 0.5)
    assert height >= 18 and width <= 5
    bar = strokes.render([[(20, 75), (380, 75)]], pen=8, size=(400, 150))
    height, width = bounding_box(drawing.prepare(bar), 0.5)
    assert width >= 18 and height <= 5


def test_a_huge_image_is_reduced_and_prepares_like_a_small_one():
    small = drawing.prepare(canvas(8))
    huge = strokes.drawing(8, strokes.Style("huge"), size=(4000, 3000))
    assert similarity(small, drawing.prepare(huge)) > 0.93


def test_a_thin_pen_is_widened_to_about_mnist_stroke_width():
    thin = drawing.prepare(canvas(0, pen=2))
    assert drawing.stroke_width(thin) >= 1.8
    for pen in (8, 16, 22):
        assert similarity(thin, drawing.prepare(canvas(0, pen=pen))) > 0.85


def _loop_pixels(x: np.ndarray) -> int:
    """Background pixels enclosed by ink (not 4-connected to the border): the insides of loops."""
    background = x < 0.5
    outside = np.zeros_like(background)
    stack = [(i, j) for i in range(x.shape[0]) for j in (0, x.shape[1] - 1)]
    stack += [(i, j) for j in range(x.shape[1]) for i in (0, x.shape[0] - 1)]
    while stack:
        i, j = stack.pop()
        if 0 <= i < x.shape[0] and 0 <= j < x.shape[1] and background[i, j] and not outside[i, j]:
            outside[i, j] = True
            stack += [(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)]
    return int((background & ~outside).sum())


@pytest.mark.parametrize("digit", [6, 8, 9])
def test_a_thick_pen_on_a_small_drawing_is_thinned_so_its_loops_stay_open(digit, monkeypatch):
    small_and_thick = canvas(digit, height=0.25, pen=26)  # the pen is a third of the digit's height
    x = drawing.prepare(small_and_thick)
    assert drawing.stroke_width(x) <= drawing.MAX_STROKE + 0.75
    assert max(bounding_box(x)) == 20 and _loop_pixels(x) >= 8
    monkeypatch.setattr(drawing, "MAX_STROKE", 100.0)  # without the thinning, the loops fill in
    assert _loop_pixels(drawing.prepare(small_and_thick)) < 4


def test_stroke_width_estimates_the_pen():
    for pen in (8, 16, 30):
        estimated = drawing.stroke_width(canvas(1, pen=pen)[..., 0] / 255)
        assert estimated == pytest.approx(pen, rel=0.2)


def test_a_photo_with_uneven_grey_paper_and_noise_prepares_like_the_clean_drawing():
    clean = canvas(9)[..., 0].astype(np.float32) / 255
    rng = np.random.default_rng(0)
    paper = 0.75 + 0.15 * np.linspace(0, 1, 280)[None, :] + rng.normal(0, 0.03, (280, 280))
    photo = np.clip(paper * (1 - 0.8 * clean), 0, 1)
    rgb = (np.repeat(photo[..., None], 3, axis=2) * 255).astype(np.uint8)
    decoded = drawing.load_image(png(rgb, "JPEG"))
    assert similarity(drawing.prepare(canvas(9)), drawing.prepare(decoded)) > 0.9


def test_mnist_images_come_out_nearly_unchanged():
    # MNIST digits are already made this way: re-preparing them moves little (a pixel of centring, a floor).
    dataset = data.load("mnist-sample")
    scores = [similarity(image.astype(np.float32) / 255, drawing.prepare(image)) for image in dataset.x_test[:50]]
    assert min(scores) > 0.75 and np.median(scores) > 0.9


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(0.1, 0.9),
    y=st.floats(0.1, 0.9),
    height=st.floats(0.1, 0.8),
    pen=st.floats(2, 40),
    digit=st.integers(0, 9),
    slant=st.floats(-0.4, 0.4),
)
def test_any_drawing_gives_a_centred_input_in_range(x, y, height, pen, digit, slant):
    image = canvas(digit, centre=(x, y), height=height, pen=pen, slant=slant)
    prepared = drawing.prepare(image)
    assert prepared is not None and prepared.shape == (28, 28)
    assert prepared.min() >= 0.0 and prepared.max() <= 1.0
    assert max(bounding_box(prepared)) == 20
    row, col = center_of_mass(prepared)
    assert abs(row - 13.5) <= 4.5 and abs(col - 13.5) <= 4.5


def test_load_image_reads_png_and_jpeg_as_rgba():
    drawn = canvas(1)
    for format in ("PNG", "JPEG"):
        image = drawing.load_image(png(drawn[..., :3], format))
        assert image.shape == (280, 280, 4) and image.dtype == np.uint8


def test_load_image_decodes_a_large_photo_at_the_working_size_and_prepares_it_as_the_full_one():
    huge = strokes.drawing(8, strokes.Style("huge"), size=(4000, 3000))
    for format in ("PNG", "JPEG"):
        image = drawing.load_image(png(huge[..., :3], format))
        assert max(image.shape[:2]) <= drawing.WORK_SIDE and image.shape[2] == 4
        assert image.shape[1] > image.shape[0]  # landscape stays landscape
        assert similarity(drawing.prepare(huge), drawing.prepare(image)) > 0.97


def test_load_image_refuses_what_is_not_png_or_jpeg():
    with pytest.raises(drawing.ImageError, match="GIF file; only PNG and JPEG"):
        drawing.load_image(png(canvas(1)[..., 0], "GIF"))


def test_load_image_applies_the_exif_rotation_of_phone_photos():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    Image.fromarray(np.zeros((10, 30, 3), np.uint8)).save(buffer, format="JPEG", exif=exif)
    assert drawing.load_image(buffer.getvalue()).shape[:2] == (30, 10)


@pytest.mark.parametrize("payload", [b"hello, I am text", b"%PDF-1.4 not an image", b"\x89PNG\r\n\x1a\n broken", b""])
def test_load_image_rejects_what_is_not_an_image_with_a_clear_message(payload):
    with pytest.raises(drawing.ImageError, match="not an image"):
        drawing.load_image(payload)


def test_load_image_rejects_files_over_the_size_cap():
    with pytest.raises(drawing.ImageError, match="larger than"):
        drawing.load_image(png(canvas(1)), max_bytes=1000)


def test_load_image_rejects_decompression_bombs():
    bomb = png(np.zeros((8000, 7000), np.uint8))  # 56 megapixels, a few kilobytes of PNG
    with pytest.raises(drawing.ImageError, match="million pixels"):
        drawing.load_image(bomb)


def test_enlarge_makes_blocks_of_uint8_pixels():
    image = np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)
    big = drawing.enlarge(image, 3)
    assert big.shape == (6, 6) and big.dtype == np.uint8
    assert big[0, 0] == 0 and big[0, 5] == 255 and big[5, 0] == 128
