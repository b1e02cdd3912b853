"""PNG and JPEG images read within bounds (playground.bounded.images): compared with Pillow's own decoding and
reduction on valid input, and refused by pixel count and decoding cost before a pixel is decoded."""

import io

import numpy as np
import pytest
from hostile import inputs as make
from PIL import Image, ImageFile

from playground import bounded
from playground.bounded import images


def test_image_info_reads_the_header_only():
    assert images.image_info(make.png_claiming(10_000, 5_000)) == ("PNG", 10_000, 5_000, "RGB")
    assert images.image_info(make.jpeg_claiming(8_000, 6_000)) == ("JPEG", 8_000, 6_000, "RGB")
    with pytest.raises(bounded.ImageTooLarge, match="60,000×40,000 pixels"):  # Pillow refuses to open it at all
        images.image_info(make.jpeg_claiming(60_000, 40_000))


def test_a_png_is_reduced_by_a_whole_factor_exactly_as_pillow_reduces_it():
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (2000, 3000, 3), dtype=np.uint8))
    decoded = images.decode_image(make.encode(image), side=560, mode="RGB")
    np.testing.assert_array_equal(decoded, np.asarray(image.reduce(6)))  # 3000 / 560 → 6
    assert decoded.shape == (334, 500, 3)


def test_an_image_with_alpha_is_reduced_strip_by_strip_as_pillow_reduces_it_whole(monkeypatch):
    rng = np.random.default_rng(1)
    image = Image.fromarray(rng.integers(0, 255, (1001, 777, 4), dtype=np.uint8), "RGBA")
    monkeypatch.setattr(images, "STRIP_BYTES", 50_000)
    decoded = images.decode_image(make.encode(image), side=300, mode="RGBA")
    np.testing.assert_array_equal(decoded, np.asarray(image.reduce(4)))


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_close_to_a_full_decode():
    data = make.noisy_photo(4000, 3000)
    assert images.decode_cost(data, side=560, mode="RGB") == (1000 * 750, 1000 * 750 * 4)  # 1/4 scale
    decoded = images.decode_image(data, side=560, mode="RGB")
    assert decoded.shape == (375, 500, 3)
    full = Image.open(io.BytesIO(data))
    reference = np.asarray(full.resize((500, 375), Image.Resampling.BOX), dtype=np.float32)
    assert np.abs(decoded - reference).mean() < 3
    grey = images.decode_image(data, side=560, mode="L")
    assert grey.shape == (375, 500)
    reference = np.asarray(full.convert("L").resize((500, 375), Image.Resampling.BOX), dtype=np.float32)
    assert np.abs(grey - reference).mean() < 3


def test_small_images_are_never_enlarged_and_keep_their_values():
    array = np.arange(40 * 30, dtype=np.uint8).reshape(30, 40)
    np.testing.assert_array_equal(images.decode_image(make.encode(Image.fromarray(array)), side=560), array)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_exif_orientation_is_applied_after_the_reduction_as_imageops_would(orientation):
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = Image.fromarray(rng.integers(0, 255, (1200, 2400, 3), dtype=np.uint8))
    data = make.encode(image, "PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).reduce(5))
    np.testing.assert_array_equal(images.decode_image(data, side=500, mode="RGB"), expected)


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
    np.testing.assert_array_equal(images.decode_image(make.encode(image), side=side, mode=mode), expected)


def test_a_palette_with_transparency_keeps_its_alpha():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))
    decoded = images.decode_image(make.encode(image, transparency=0), side=100, mode="RGBA")
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
        images.decode_image(data, side=560)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_a_progressive_jpeg_is_costed_by_its_full_size_coefficients():
    data = make.jpeg_claiming(4096, 4096, progressive=True)  # YCbCr 4:2:0: 1.5 components of 2-byte coefficients
    assert images.decode_cost(data, side=560).bytes >= 4096 * 4096 * 3
    assert images.decode_cost(make.jpeg_claiming(4096, 4096), side=560) == (1024 * 1024,) * 2  # baseline, 1/4, grey


def test_truncated_images_stay_refused_only_while_pillow_refuses_them(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        images.decode_image(make.plain_png(8, 8), side=10)
