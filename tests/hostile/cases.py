"""The hostile inputs of each class, with what each must give, and a realistic valid input beside them.

A case's `expect` is "ok" for a valid input, else the key of the refusal (BundleError.key, OwnDataError's issue
key) or, for errors without keys, the exception's class name; `contains` is a fragment of its message. `why` marks
the inputs the issue names under "Why" (shared-server safety); each class has at least eight hostile inputs more.
"""

import dataclasses
import functools
import pathlib
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from playground import bundle

from . import inputs as make


@dataclass(frozen=True)
class Case:
    """One input (built when first asked for: tables are listed cheaply) and what it must give."""

    build: Callable[[], bytes]
    expect: str
    contains: str = ""
    kwargs: dict = field(default_factory=dict)
    why: bool = False  # one of the "Why" inputs

    @functools.cached_property
    def data(self) -> bytes:
        """The input's bytes."""
        return self.build()


GIANT = 6300  # the side of the plain-colour PNGs of the issue: 40 megapixels, 159 MB decoded, 131 KB as a PNG


@functools.cache
def giant_png() -> bytes:
    """A plain-colour 6300×6300 PNG of 131 KB."""
    return make.plain_png(GIANT, GIANT)


def _shapes(per_class: int = 10, size: int = 40, fmt: str = "PNG") -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    files = {}
    for kind in ("circle", "square"):
        for index in range(per_class):
            image = Image.new("L", (size, size), 235)
            half = size * rng.uniform(0.25, 0.38)
            box = (size / 2 - half, size / 2 - half, size / 2 + half, size / 2 + half)
            draw = ImageDraw.Draw(image)
            (draw.ellipse if kind == "circle" else draw.rectangle)(box, outline=20, width=max(2, size // 10))
            files[f"{kind}/{index:03d}.{'png' if fmt == 'PNG' else 'jpg'}"] = make.encode(image, fmt)
    return files


def _classes(names_per_class: int, content: bytes, suffix: str = "png") -> bytes:
    names = [f"{kind}/{index}.{suffix}" for kind in ("a", "b") for index in range(names_per_class)]
    return make.repeated_zip(names, content)


def image_sets() -> dict[str, Case]:
    """Image-set zips for data.own.from_zip."""
    valid = _shapes()
    truncated = make.encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 300), np.uint8)))
    overstated = make.make_zip(valid)
    return {
        "four 6300×6300 plain PNGs (4 KB zip)": Case(
            lambda: _classes(2, giant_png()), "image_too_large", "6300×6300", why=True
        ),
        "3,000 6300×6300 plain PNGs (3 MB zip, 393 MB unpacked)": Case(
            lambda: _classes(1500, giant_png()), "zip_bomb", "200 MB", why=True
        ),
        "3,000 2000×2000 plain PNGs, each under the per-image cap": Case(
            lambda: _classes(1500, make.plain_png(2000, 2000)), "too_many_pixels", "million pixels"
        ),
        "a member whose headers understate it (inflates to 256 MB)": Case(
            lambda: make.raw_zip(dict(valid, **{"circle/bomb.png": make.claiming(make.zeros(256), 10_000)})),
            "unsafe_zip",
            "bomb.png",
            why=True,
        ),
        "a member whose headers overstate it (4 GB)": Case(
            lambda: make.patch_sizes(overstated, "circle/000.png", 2**32 - 1), "zip_bomb"
        ),
        "a member whose headers overstate it by 1,000 bytes": Case(
            lambda: make.patch_sizes(overstated, "circle/000.png", len(valid["circle/000.png"]) + 1000), "unsafe_zip"
        ),
        "a deflate bomb named .png (30 MB of zeros)": Case(
            lambda: make.make_zip(dict(valid, **{"a/z.png": bytes(30 * 2**20)})), "zip_bomb"
        ),
        "names with ../": Case(
            lambda: make.make_zip(dict(valid, **{"circle/../../evil.png": valid["circle/000.png"]})), "unsafe_zip", ".."
        ),
        "an absolute name": Case(lambda: make.make_zip(dict(valid, **{"/etc/cron.d/x.png": b"x"})), "unsafe_zip"),
        "encrypted members": Case(lambda: make.encrypted(make.make_zip(valid)), "unsafe_zip", "encrypted"),
        "bzip2-compressed members": Case(lambda: make.make_zip(valid, zipfile.ZIP_BZIP2), "unsafe_zip", "compression"),
        "100,000 tiny members": Case(lambda: make.many_members(100_000), "too_many_files", "100,000"),
        "a JPEG claiming 60000×60000": Case(
            lambda: make.make_zip(dict(valid, **{"circle/big.jpg": make.jpeg_claiming(60000, 60000)})),
            "image_too_large",
            "60000×60000",
        ),
        "a truncated PNG": Case(
            lambda: make.make_zip(dict(valid, **{"circle/cut.png": truncated[: len(truncated) // 2]})),
            "not_image",
            "cut.png",
        ),
        "a GIF named .png": Case(
            lambda: make.make_zip(dict(valid, **{"circle/gif.png": make.encode(Image.new("L", (8, 8)), "GIF")})),
            "not_image",
            "GIF",
        ),
        "a JPEG of 5,000 scans": Case(
            lambda: make.make_zip(dict(valid, **{"circle/scans.jpg": make.many_scan_jpeg()})), "not_image", "scans"
        ),
        "a PNG with 100 MB of text chunks": Case(
            lambda: make.make_zip(dict(valid, **{"circle/text.png": make.plain_png(8, 8, text_chunks=100)})),
            "not_image",
            "text.png",
        ),
        "not a zip": Case(lambda: giant_png(), "not_zip"),
        "valid: 20 shapes as PNG": Case(lambda: make.make_zip(valid), "ok"),
        "valid: 10 phone photos, 4000×3000 JPEG (20 MB zip)": Case(
            lambda: _classes(5, make.noisy_photo(), "jpg"), "ok"
        ),
        "valid: 60 drawings, 1000×1000 RGBA PNG": Case(lambda: _classes(30, make.drawing_png(1000)), "ok"),
    }


def photos() -> dict[str, Case]:
    """Uploaded photos and drawings for data.images.load_image."""
    noisy = make.encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (300, 300, 3), np.uint8)))
    jpeg = make.noisy_photo(800, 600)
    return {
        "a plain 6300×6300 PNG (131 KB)": Case(lambda: giant_png(), "ImageError", "6,300×6,300", why=True),
        "a JPEG claiming 60000×60000": Case(lambda: make.jpeg_claiming(60000, 60000), "ImageError", "60,000×60,000"),
        "a PNG claiming 20000×20000 (over Pillow's own limit)": Case(
            lambda: make.png_claiming(20000, 20000), "ImageError", "pixels"
        ),
        "a progressive CMYK JPEG claiming 4096×4096": Case(
            lambda: make.jpeg_claiming(4096, 4096, "CMYK", progressive=True, subsampling=0),
            "ImageError",
            "at most 8.1 million",
        ),
        "a 64×64 PNG with 128 MB of extra IDAT data": Case(
            lambda: make.plain_png(64, 64, extra_zeros=128 * 2**20), "ok"
        ),
        "a PNG with 100 MB of text chunks": Case(
            lambda: make.plain_png(8, 8, text_chunks=100), "ImageError", "not an image"
        ),
        "a truncated PNG": Case(lambda: noisy[: len(noisy) // 2], "ImageError", "truncated"),
        "a truncated JPEG": Case(lambda: jpeg[: len(jpeg) // 2], "ImageError", "truncated"),
        "a JPEG of 5,000 scans (12 s to decode)": Case(lambda: make.many_scan_jpeg(), "ImageError", "scans"),
        "a GIF": Case(lambda: make.encode(Image.new("L", (8, 8)), "GIF"), "ImageError", "GIF"),
        "a PDF": Case(lambda: b"%PDF-1.4 not an image", "ImageError", "not an image"),
        "empty": Case(lambda: b"", "ImageError", "empty"),
        "valid: a 12-megapixel phone photo (JPEG)": Case(lambda: make.noisy_photo(), "ok"),
        "valid: a 2000×2000 RGBA drawing (PNG)": Case(lambda: make.drawing_png(2000), "ok"),
        "valid: a plain 4096×4096 RGBA PNG at the pixel cap (64 MiB decoded)": Case(
            lambda: make.plain_png(4096, 4096, (255, 255, 255, 255)), "ok"
        ),
    }


def bundles(marker: pathlib.Path) -> dict[str, Case]:
    """Model bundles for bundle.from_bytes; `marker` appears if anything is ever unpickled."""
    valid = make.valid_bundle()
    files = make.bundle_members(valid)
    spec = make.SMALL_SPEC
    weights = bundle.expected_weight_shapes(spec)
    small = [np.zeros(shape, np.float32) for shape in weights]
    huge_weights = [make.npy(shape, data=np.zeros(shape, np.float32).tobytes()) for shape in weights]
    huge_weights[-2] = make.npy((10**12,))
    huge_state = make.npz(make.npy(()), make.npy(()), make.npy((10**12,)))
    big_endian = make.npz(*[make.npy(a.shape, ">f4", a.astype(">f4").tobytes()) for a in small])
    doubles = make.npz(*[make.npy(a.shape, "<f8", a.astype("<f8").tobytes()) for a in small])
    with_ = make.with_members
    return {
        "weights.npz headers understate it (inflates to 256 MB)": Case(
            lambda: make.understated_bundle(), "damaged", "CRC", why=True
        ),
        "the same with the CRC of what the headers claim": Case(
            lambda: make.understated_bundle(crc_matches=True), "bad_npz"
        ),
        "optimizer.npz declares 10¹² values": Case(
            lambda: with_(valid, optimizer__npz=huge_state), "optimizer", why=True
        ),
        "a model of 32×32 colour inputs (the Draw page feeds grey squares)": Case(
            lambda: bundle.to_bytes(make.trained(dataclasses.replace(spec, input_shape=(32, 32, 3)))),
            "input",
            "32×32×3",
            why=True,
        ),
        "weights.npz declares 10¹² values": Case(
            lambda: with_(valid, weights__npz=make.npz(*huge_weights)), "weight_shape", "1000000000000"
        ),
        "an array inside weights.npz understates itself": Case(
            lambda: with_(valid, weights__npz=make.raw_zip({"arr_0.npy": make.claiming(make.zeros(256), 1000)})),
            "zip_bomb",
        ),
        "weights as Python objects (pickle)": Case(
            lambda: with_(valid, weights__npz=make.npz(make.object_npy(marker))), "pickled"
        ),
        "optimizer state as Python objects": Case(
            lambda: with_(valid, optimizer__npz=make.npz(make.object_npy(marker))), "pickled"
        ),
        "a pickle instead of weights.npz": Case(
            lambda: with_(valid, weights__npz=make.pickle_bytes(marker)), "bad_npz"
        ),
        "big-endian weights": Case(lambda: with_(valid, weights__npz=big_endian), "not_floats"),
        "64-bit weights (twice the bytes the model needs)": Case(
            lambda: with_(valid, weights__npz=doubles), "arrays_too_large"
        ),
        "history.json of 2 MB of empty lists (50 MB parsed)": Case(
            lambda: with_(valid, history__json=make.json_bomb(2 * 2**20 - 100)), "bad_history"
        ),
        "history.json of 30 MB": Case(lambda: with_(valid, history__json=b" " * (30 * 2**20)), "member_too_large"),
        "spec.json nested 100,000 deep": Case(lambda: with_(valid, spec__json=make.deep_json()), "bad_json"),
        "100,000 members": Case(lambda: make.many_members(100_000), "too_many_members", "100,000"),
        "encrypted members": Case(lambda: make.encrypted(valid), "damaged", "encrypted"),
        "a member named ../../x": Case(lambda: make.make_zip(dict(files, **{"../../x": b"x"})), "damaged", ".."),
        "bzip2-compressed members": Case(lambda: make.make_zip(files, zipfile.ZIP_BZIP2), "damaged", "compression"),
        "not a zip": Case(lambda: giant_png(), "not_zip"),
        "valid: a small CNN with Adam state": Case(lambda: valid, "ok"),
        "valid: 2.1 million parameters with Adam state (24 MB)": Case(lambda: make.valid_bundle("large"), "ok"),
    }


def archives() -> dict[str, Case]:
    """Zips for bounded.zips.open_zip + read_member (tests.hostile.decoders.zip_members)."""
    plain = make.make_zip({"a.txt": b"a" * 100_000, "b.txt": b"b" * 1000})
    return {
        "a member whose headers understate it (inflates to 256 MB)": Case(
            lambda: make.raw_zip({"big": make.claiming(make.zeros(256), 1000)}), "Damaged", "CRC"
        ),
        # zipfile stops where the headers say and the CRC matches: the member is what they describe (1,000 bytes).
        "the same with the CRC of what the headers claim": Case(
            lambda: make.raw_zip({"big": make.claiming(make.zeros(256), 1000, zlib.crc32(bytes(1000)))}), "ok"
        ),
        "a member whose headers overstate it": Case(
            lambda: make.patch_sizes(plain, "a.txt", 200_000), "Damaged", "header"
        ),
        "a member over the cap (256 MB of zeros)": Case(lambda: make.raw_zip({"big": make.zeros(256)}), "TooLarge"),
        "members over the total budget (30 × 15 MB)": Case(
            lambda: make.repeated_zip([str(i) for i in range(30)], bytes(15 * 2**20)), "OverBudget"
        ),
        "100,000 members, the end record claiming 65,535": Case(lambda: make.many_members(100_000), "TooManyMembers"),
        "encrypted members": Case(lambda: make.encrypted(plain), "UnsafeZip", "encrypted"),
        "bzip2-compressed members": Case(lambda: make.make_zip({"a": bytes(10**6)}, zipfile.ZIP_BZIP2), "UnsafeZip"),
        "a member named ../../x": Case(lambda: make.make_zip({"../../x": b"x"}), "UnsafeZip", ".."),
        "an absolute name": Case(lambda: make.make_zip({"/etc/cron.d/x": b"x"}), "UnsafeZip", "absolute"),
        "a zip cut short": Case(lambda: make.make_zip({"a": b"x" * 1000})[:-30], "NotAZip"),
        "valid: 40 members of 1 MB": Case(lambda: make.repeated_zip([str(i) for i in range(40)], bytes(2**20)), "ok"),
    }


def arrays() -> dict[str, Case]:
    """.npz files for bounded.arrays.read_npz (tests.hostile.decoders.npz_arrays)."""
    v2_header = b"\x93NUMPY\x02\x00" + (2**32 - 1).to_bytes(4, "little") + b"{"
    return {
        "an array declaring 10¹² values": Case(lambda: make.npz(make.npy((10**12,))), "ArraysTooLarge"),
        "an array of Python objects": Case(
            lambda: make.npz(make.object_npy(pathlib.Path("/nonexistent/x"))), "PickledArray"
        ),
        "a header claiming 4 GB": Case(lambda: make.npz(v2_header), "BadArray"),
        "a structured dtype": Case(lambda: make.npz(make.npy((4,), [("a", "<f4")])), "ArrayDtype"),
        "arrays named, not numbered": Case(
            lambda: make.make_zip({"kernel.npy": make.npy((2,), data=bytes(8))}), "NotArrays"
        ),
        "data shorter than its header": Case(lambda: make.npz(make.npy((1000,), data=bytes(100))), "Damaged"),
        "an array member that understates itself": Case(
            lambda: make.raw_zip({"arr_0.npy": make.claiming(make.zeros(256), 1000)}), "Damaged", "CRC"
        ),
        "a header holding Python code": Case(
            lambda: make.npz(make.npy_header("{'descr': __import__('os').system('x'), 'shape': (2,)}") + bytes(8)),
            "BadArray",
            "not an .npy",
        ),
        "a negative dimension": Case(
            lambda: make.npz(make.npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}")),
            "BadArray",
            "(-1,)",
        ),
        "valid: 40 MB of float32 arrays": Case(lambda: make.npz(*[make.npy((2**20,), data=bytes(2**22))] * 10), "ok"),
    }


def _json(value: object) -> bytes:
    import json

    return (value if isinstance(value, str) else json.dumps(value)).encode()


def _spec(**changes) -> dict:
    from playground import presets

    return {**presets.preset("seed-cnn").to_dict(), **changes}


def specs() -> dict[str, Case]:
    """Spec files and pasted JSON for spec.from_json + check (tests.hostile.decoders.spec_file)."""
    deep = '{"input_shape": [28, 28, 1], "num_classes": 10, "layers": ' + "[" * 5000 + "]" * 5000 + "}"
    thousand = [{"kind": "Dense", "units": 8, "activation": "relu"}] * 999 + [{"kind": "Dense", "units": 10}]
    flat = [{"kind": "Flatten"}, {"kind": "Dense", "units": 10, "activation": "softmax"}]
    return {
        "294 characters of nested JSON (RecursionError on main)": Case(
            lambda: _json(deep), "malformed_json", "nested", why=True
        ),
        "not UTF-8": Case(lambda: b"\xff\xfe\x00garbage {", "malformed_json", "UTF-8", why=True),
        "a 5,000-digit number": Case(
            lambda: _json('{"input_shape": [' + "9" * 5000 + ', 28, 1], "num_classes": 10, "layers": []}'),
            "malformed_json",
            "too long",
            why=True,
        ),
        "an absurd input shape": Case(
            lambda: _json(_spec(input_shape=[100000, 100000, 3], layers=flat)), "input_too_large", why=True
        ),
        "1,000 layers": Case(lambda: _json(_spec(layers=thousand)), "too_many_layers", why=True),
        "a kind name of 10 MB": Case(
            lambda: _json(_spec(layers=[{"kind": "X" * 10_000_000}])), "malformed_json", why=True
        ),
        "a kind name of 100 KB, echoed cut short": Case(
            lambda: _json(_spec(layers=[{"kind": "Y" * 100_000}])), "unknown_kind", "…"
        ),
        "Dropout without its rate": Case(
            lambda: _json(_spec(layers=[{"kind": "Flatten"}, {"kind": "Dropout"}, flat[1]])),
            "missing_arg",
            "rate",
            why=True,
        ),
        "Conv2D without a kernel size": Case(
            lambda: _json(_spec(layers=[{"kind": "Conv2D", "filters": 4}, *flat])),
            "missing_arg",
            "kernel_size",
            why=True,
        ),
        "units as a string": Case(
            lambda: _json(_spec(layers=[{"kind": "Flatten"}, {"kind": "Dense", "units": "10"}])), "bad_arg", "units"
        ),
        "an optimizer object of objects": Case(
            lambda: _json(_spec(optimizer={"kind": "Adam", "learning_rate": {"$eval": "x"}})), "bad_arg"
        ),
        "a learning rate of NaN": Case(
            lambda: _json(_spec(optimizer={"kind": "SGD", "learning_rate": float("nan")})), "bad_arg"
        ),
        "20 million parameters": Case(
            lambda: _json(
                _spec(
                    layers=[
                        {"kind": "Flatten"},
                        {"kind": "Dense", "units": 4096},
                        {"kind": "Dense", "units": 4096},
                        {"kind": "Dense", "units": 10},
                    ]
                )
            ),
            "too_many_params",
        ),
        "a learning rate of -1": Case(
            lambda: _json(_spec(optimizer={"kind": "SGD", "learning_rate": -1})), "bad_arg", "learning_rate"
        ),
        "SGD with momentum 1.5": Case(
            lambda: _json(_spec(optimizer={"kind": "SGD", "learning_rate": 0.01, "momentum": 1.5})),
            "bad_arg",
            "momentum",
        ),
        "a billion classes": Case(lambda: _json(_spec(num_classes=10**9)), "too_many_classes", "1000"),
        "a loss that reads like code": Case(lambda: _json(_spec(loss='__import__("os").system("x")')), "unknown_loss"),
        "an argument Dense does not take": Case(
            lambda: _json(_spec(layers=[{"kind": "Flatten"}, {"kind": "Dense", "units": 10, "eval": "x"}])),
            "unknown_arg",
            "eval",
        ),
        "a 99×99 kernel": Case(
            lambda: _json(_spec(layers=[{"kind": "Conv2D", "filters": 4, "kernel_size": 99}, *flat])),
            "bad_arg",
            "kernel_size",
        ),
        "negative units": Case(
            lambda: _json(_spec(layers=[{"kind": "Flatten"}, {"kind": "Dense", "units": -5}])), "bad_arg", "units"
        ),
        "layers as one object": Case(lambda: _json(_spec(layers={"kind": "Dense"})), "malformed", "list"),
        "an integer learning rate (a raw Keras error on main)": Case(
            lambda: _json(_spec(optimizer={"kind": "Adam", "learning_rate": 1})), "ok", why=True
        ),
        "SGD with momentum 0 (a raw Keras error on main)": Case(
            lambda: _json(_spec(optimizer={"kind": "SGD", "learning_rate": 0.01, "momentum": 0})), "ok", why=True
        ),
        "valid: the seed article's CNN": Case(lambda: _json(_spec()), "ok"),
    }


def links() -> dict[str, Case]:
    """Share, teacher and 2-D link parameters for tests.hostile.decoders.link."""
    import base64
    import zlib

    def packed(text: str) -> str:
        return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")

    thousand = (
        '{"input_shape": [28, 28, 1], "num_classes": 10, "layers": ['
        + ",".join(['{"kind": "Dense", "units": 8}'] * 190_000)
        + "]}"
    )
    return {
        "a 292-character link of 1,000 layers": Case(
            lambda: _json({"model": packed(json_of(_spec(layers=[{"kind": "Dense", "units": 8}] * 1000)))}),
            "too_many_layers",
            why=True,
        ),
        "an 18,634-character link of 190,002 layers": Case(
            lambda: _json({"model": packed(thousand)}), "malformed", "too much", why=True
        ),
        "a 294-character link of nested JSON": Case(
            lambda: _json({"model": packed("[" * 5000 + "]" * 5000)}), "malformed", "deep", why=True
        ),
        "a lesson of nested JSON": Case(
            lambda: _json({"lesson": packed("[" * 5000 + "]" * 5000)}), "LinkError", "deep"
        ),
        "a lesson cut short": Case(lambda: _json({"lesson": packed('{"page": "train"}')[:-4]}), "LinkError"),
        "a lesson whose hide flag is text": Case(
            lambda: _json({"lesson": packed('{"page": "train", "settings": {}, "locked": ["x"], "hide": "yes"}')}),
            "LinkError",
            "hide",
        ),
        "a value of 20,001 characters": Case(lambda: _json({"model": "A" * 20_001}), "malformed", "too long"),
        "an unknown preset with a 1 MB name": Case(lambda: _json({"preset": "p" * 1_000_000}), "malformed"),
        "a 2-D link with a 10 KB layer list": Case(lambda: _json({"layers": "8-tanh." * 1500}), "LinkError", "link"),
        "a 2-D hide flag that is neither 0 nor 1": Case(
            lambda: _json({"dataset": "xor", "lock": "dataset", "hide": "yes"}), "LinkError", "hide"
        ),
        "a 14 KB link that inflates to 10 MB": Case(
            lambda: _json({"model": base64.urlsafe_b64encode(zlib.compress(b" " * 10 * 2**20, 9)).decode()}),
            "malformed",
            "too much",
        ),
        "a link that is not base64": Case(lambda: _json({"model": "!!!not*base64"}), "malformed", "damaged"),
        "a link of a JSON list": Case(lambda: _json({"model": packed("[1, 2, 3]")}), "malformed", "JSON object"),
        "a link with 1,000 parameters": Case(
            lambda: _json({"model": "x", **{f"p{i}": "1" for i in range(1000)}}), "malformed", "too many"
        ),
        "a 2-D learning rate of 1e999": Case(lambda: _json({"dataset": "xor", "lr": "1e999"}), "LinkError", "lr"),
        "valid: a share link": Case(lambda: _json({"model": packed(json_of(_spec()))}), "ok"),
    }


def _csv(rows: list[str], header: str = "x1,x2,label") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _points(count: int) -> list[str]:
    return [f"{i % 7},{(i * 3) % 11},{'ab'[i % 2]}" for i in range(count)]


def plane_tables() -> dict[str, Case]:
    """Tables uploaded to the 2-D playground, for tests.hostile.decoders.plane_table (the page's own checks)."""
    return {
        "a 2 MB table": Case(lambda: _csv(["1,2,a"] * 350_000), "table_too_large"),
        "2,001 rows": Case(lambda: _csv(_points(2001)), "table_too_many_rows"),
        "a PNG renamed .csv": Case(lambda: make.plain_png(8, 8), "table_not_utf8"),
        "a NUL byte in a cell": Case(lambda: _csv(_points(20) + ["1,\x002,a"]), "table_not_table"),
        "NaN in a feature": Case(lambda: _csv(_points(20) + ["nan,2,a"]), "table_not_number"),
        "infinity in a feature": Case(lambda: _csv(_points(20) + ["inf,2,a"]), "table_not_number"),
        "a number of 400 digits": Case(lambda: _csv(_points(20) + ["9" * 400 + ",2,a"]), "table_value_too_large"),
        "101 columns": Case(
            lambda: _csv(["1," * 100 + "1"], ",".join(f"c{i}" for i in range(101))), "table_too_many_columns"
        ),  # fmt: skip
        "one class only": Case(lambda: _csv([f"{i},{i % 3},a" for i in range(20)]), "table_one_class"),
        "a missing value": Case(lambda: _csv(_points(20) + ["1,,a"]), "table_missing"),
        "a ragged row": Case(lambda: _csv(_points(20) + ["1,2"]), "table_ragged"),
        "only a header": Case(lambda: _csv([]), "table_no_rows"),
        "a 1 MB line without separators": Case(lambda: b"x" * (2**20 - 10), "table_not_table"),
        "an unclosed quote over the whole file": Case(lambda: _csv(['1,2,"a'] + _points(50)), "table_too_few_rows"),
        "a spreadsheet formula as a label": Case(
            lambda: _csv(_points(20) + ["1,2,=cmd|' /C calc'!A0"] * 2), "ok"
        ),  # just a third class name: nothing is ever evaluated
        "valid: 200 points of two classes": Case(lambda: _csv(_points(200)), "ok"),
    }


def plane_rules() -> dict[str, Case]:
    """Rules typed on the 2-D playground, for tests.hostile.decoders.plane_rule (tests/plane/hostile_formulas.py
    holds the evaluator's full list; these are the ones that cost a server most if they got through)."""
    from tests.plane.hostile_formulas import HOSTILE_FORMULAS

    picked = [
        "__import__('os').system('rm -rf /')",
        "x1.__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd')",
        "sum(x1 for x1 in range(10**9))",
        "(lambda: x1)()",
    ]
    expected = dict(HOSTILE_FORMULAS)
    found = {f"the formula {text}": Case(lambda text=text: text.encode(), expected[text]) for text in picked}
    found.update(
        {
            "a power tower 9**9**9": Case(lambda: b"x1 > 9**9**9", "rule_exponent_not_number"),
            "a power of a million": Case(lambda: b"x1**1000000 > 1", "rule_exponent_too_large"),
            "nesting 90 brackets deep": Case(lambda: ("(" * 90 + "x1" + ")" * 90 + " > 0").encode(), "rule_too_deep"),
            "a formula of 10,000 characters": Case(lambda: ("x1 + " * 2000 + "x2 > 0").encode(), "rule_too_long"),
            "a string": Case(lambda: b"'a' * 10**9", "rule_not_allowed"),
            "a NUL byte": Case(lambda: b"x1 > 0\x00", "rule_syntax"),
            "valid: a circle": Case(lambda: b"x1**2 + x2**2 < 9", "ok"),
        }
    )
    return found


def command_line(marker: pathlib.Path | None) -> dict[str, Case]:
    """The hostile specs, image sets and bundles as the command line gets them (summary --spec, train --images,
    predict --model) for tests.hostile.decoders.command_line; the valid input is a spec, which loads no TensorFlow.
    A refusal is the one line the CLI prints, whatever the error's key: `expect` is the ValueError it is carried in."""
    found = {}
    for command, table in (("summary", specs()), ("train", image_sets()), ("predict", bundles(marker))):
        flag = {"summary": "--spec", "train": "--images", "predict": "--model"}[command]
        for name, case in table.items():
            if case.expect != "ok":
                found[f"{command} {flag}: {name}"] = dataclasses.replace(
                    case, expect="ValueError", kwargs={"command": command}
                )
    found["valid: summary --spec of the seed article's CNN"] = Case(
        lambda: _json(_spec()), "ok", kwargs={"command": "summary"}
    )
    return found


def json_of(value: object) -> str:
    """JSON text of a value."""
    import json

    return json.dumps(value)
