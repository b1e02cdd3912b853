"""Regenerate the Draw page's demo model: playground/assets/demo_model.zip.

Command:  python scripts/make_demo_model.py        (about 8–10 minutes on two busy CPU cores)

The seed article's CNN (preset "seed-cnn") trained on the bundled MNIST sample, with a fixed seed and
deterministic ops. Every training image also goes through the Draw page's own preprocessing
(playground.drawing.prepare) after a random re-drawing at 4× resolution: thinning, rotation, shear and
stretching with a piecewise (elastic) wobble, then a wider pen applied after the warp (up to what a
thick pen on a small drawing gives), and, for a share of the 1s, the flag and base many people write
(MNIST's US-written 1s almost never have them). So the model learns digits as the page hands them
over: drawn with any pen, slanted, and normalised MNIST-style; the images as stored are trained on
too. The learning rate decays along a half cosine. The project's drawn-digit set
(playground/assets/drawn_digits.json) is never trained on; the script prints its tuning half only,
and benchmarks/drawn_digits.py scores both halves. The bundle is written without optimizer state to
stay small (about 0.35 MB).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import bundle, data, presets  # noqa: E402
from playground.data import drawn_set, strokes  # noqa: E402
from playground.data import images as drawing  # noqa: E402
from playground.training.runs import History  # noqa: E402

OUT = ROOT / "playground" / "assets" / "demo_model.zip"
PRESET = "seed-cnn"
SEED = 20241129
EPOCHS = 12
BATCH_SIZE = 64
COPIES = 5  # augmented variants per training image, besides the image as stored and prepared
UPSCALE = 4  # thicken and transform at 4× resolution, like a drawing on a large canvas
# Pen changes in pixels at 4× (an MNIST stroke is about 10 there): negative thins, 15 adds about 3.5 output
# pixels, about what a thick pen on a small drawing gives once prepared.
PENS = (-5, -3, 0, 0, 3, 5, 7, 9, 11, 13, 15)
ROTATION, SHEAR = 15.0, 0.35  # degrees either way; horizontal shift per unit of height either way
MESH, WOBBLE = 7, 4.0  # the warp's grid cells per side; the largest spread of its nodes' offsets (px at 4×)
FLAG_SHARE, BASE_SHARE = 0.4, 0.35  # of the augmented 1s given a flag; of those, also a base
FLAG_LENGTH, FLAG_ANGLE = (0.15, 0.4), (25.0, 60.0)  # of the 1's height; degrees below the horizontal
COMMAND = "python scripts/make_demo_model.py"


def _erode(image: np.ndarray, size: int) -> np.ndarray:
    return -drawing._dilate(-image, size)


def _flag(big: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 given the flag (and sometimes the base) many people write, in its own stroke width."""
    mask = big > 0.5
    rows = np.nonzero(mask.any(axis=1))[0]
    top, bottom = int(rows[0]), int(rows[-1])
    height = bottom - top
    width = max(1.0, drawing.stroke_width(big))
    reach = max(2, int(width))  # the rows that say where the stem's ends are
    x_top = float(np.nonzero(mask[top : top + reach].any(axis=0))[0].mean())
    x_bottom = float(np.nonzero(mask[bottom - reach + 1 : bottom + 1].any(axis=0))[0].mean())
    start = (x_top, top + width / 2)
    length, angle = rng.uniform(*FLAG_LENGTH) * height, np.radians(rng.uniform(*FLAG_ANGLE))
    lines = [[(start[0] - length * np.cos(angle), start[1] + length * np.sin(angle)), start]]
    if rng.random() < BASE_SHARE:
        half = rng.uniform(0.12, 0.3) * height
        lines.append([(x_bottom - half, bottom - width / 2), (x_bottom + half, bottom - width / 2)])
    layer = Image.new("L", big.shape[::-1])
    draw = ImageDraw.Draw(layer)
    for line in lines:
        draw.line(line, fill=255, width=max(1, round(width)))
        for x, y in line:
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    return np.maximum(big, np.asarray(layer, dtype=np.float32) / 255)


def _warp(big: np.ndarray, inverse: np.ndarray, wobble: float, rng: np.random.Generator) -> np.ndarray:
    """The image through an affine map (given output → input, about the centre) plus a smooth random wobble.

    PIL's MESH transform maps each cell of an output grid from a quadrilateral of the input: the grid's
    nodes go through the inverse affine map, then each moves by a random offset, which bends strokes a
    little differently in each part of the digit, as hands do (an elastic distortion, piecewise).
    """
    side = big.shape[0]
    edges = np.linspace(0, side, MESH + 1)
    nodes = np.stack(np.meshgrid(edges, edges), axis=-1)  # [row, column] → (x, y)
    source = (nodes - side / 2) @ inverse.T + side / 2 + rng.normal(0, wobble, nodes.shape)
    mesh = []
    for i in range(MESH):
        for j in range(MESH):
            box = (round(edges[j]), round(edges[i]), round(edges[j + 1]), round(edges[i + 1]))
            corners = (source[i, j], source[i + 1, j], source[i + 1, j + 1], source[i, j + 1])  # UL, LL, LR, UR
            mesh.append((box, tuple(float(v) for corner in corners for v in corner)))
    warped = Image.fromarray(big).transform((side, side), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)
    return np.asarray(warped)


def augment(image: np.ndarray, rng: np.random.Generator, label: int = -1) -> np.ndarray | None:
    """A 28×28 uint8 digit re-drawn with another pen, slant and shape, then prepared like a drawing."""
    side = image.shape[0] * UPSCALE
    big = np.asarray(Image.fromarray(image).resize((side, side), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    big = np.pad(big, side // 2)
    if label == 1 and rng.random() < FLAG_SHARE:
        big = _flag(big, rng)
    pen = int(rng.choice(PENS))  # negative: thinner
    if pen < 0:
        big = _erode(big, -pen)
    angle = np.radians(rng.uniform(-ROTATION, ROTATION))
    shear = rng.uniform(-SHEAR, SHEAR)
    # Not narrower than 0.7: a 7 squeezed to half its width looks like a flagged 1, and taught the model
    # to call flagged 1s 7 (the drawn set's tuning half: 75% of them read right from 0.5, 100% from 0.7).
    scale_x, scale_y = rng.uniform(0.7, 1.25), rng.uniform(0.85, 1.15)
    forward = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = forward @ np.array([[1, shear], [0, 1]]) @ np.diag([scale_x, scale_y])
    warped = _warp(big, np.linalg.inv(forward), rng.uniform(0, WOBBLE), rng)
    if pen > 0:  # a wider pen after the warp: the same width in every direction, as a real pen draws
        warped = drawing._dilate(warped, pen)
    prepared = drawing.prepare(warped)
    if prepared is None:
        return None
    shift = rng.integers(-1, 2, size=2) if rng.random() < 0.3 else (0, 0)
    return np.roll(prepared, tuple(int(s) for s in shift), axis=(0, 1))


def training_set(dataset: data.Dataset, copies: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every training image as stored and prepared like a drawing, plus `copies` augmented variants of each."""
    images, labels = [], []
    for image, label in zip(dataset.x_train, dataset.y_train, strict=True):
        # As stored too: the app also shows the demo model the test images as they are (evaluation, samples).
        variants = [image.astype(np.float32) / 255, drawing.prepare(image)]
        variants += [augment(image, rng, int(label)) for _ in range(copies)]
        for variant in variants:
            if variant is not None:
                images.append(variant)
                labels.append(label)
    return np.stack(images)[..., None].astype(np.float32), np.array(labels)


def drawn_accuracy(model) -> float:
    """Accuracy on the synthetic drawings of every digit in every style, through the page's preprocessing."""
    cases = [(digit, style) for style in strokes.STYLES for digit in range(10)]
    x = np.stack([drawing.prepare(strokes.drawing(digit, style)) for digit, style in cases])[..., None]
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    return float(np.mean(predicted == np.array([digit for digit, _ in cases])))


def drawn_set_tuning(model) -> dict[str, float]:
    """Accuracy on the tuning half of the project's drawn set, overall and per style group (never the held-out half)."""
    scores = drawn_set.score(lambda x: model.predict(x, verbose=0))
    groups = dict.fromkeys(s.group for s in scores.samples)
    return {group: scores.accuracy(group, "tuning") for group in ("all", *groups)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--copies", type=int, default=COPIES)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from playground.backend import keras, tf
    from playground.model import build_model

    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()  # the same weights on every run on a given machine
    rng = np.random.default_rng(SEED)
    dataset = data.load("mnist-sample")
    spec = presets.preset(PRESET)
    started = time.perf_counter()
    x_train, y_train = training_set(dataset, args.copies, rng)
    x_test = np.stack([drawing.prepare(image) for image in dataset.x_test])[..., None]
    print(f"{len(x_train)} training images prepared in {time.perf_counter() - started:.0f} s")

    model = build_model(spec)
    rate = float(spec.optimizer.args.get("learning_rate", 0.001))
    # The preset's rate, decayed along a half cosine to nearly 0 by the last epoch: the final weights settle
    # instead of wandering with the last batches (the saved spec keeps the preset's optimizer).
    decay = keras.callbacks.LearningRateScheduler(lambda epoch: rate * 0.5 * (1 + np.cos(np.pi * epoch / args.epochs)))
    history = model.fit(
        x_train,
        data.encode_labels(y_train, spec.loss, dataset.num_classes),
        validation_data=(x_test, data.encode_labels(dataset.y_test, spec.loss, dataset.num_classes)),
        epochs=args.epochs,
        batch_size=BATCH_SIZE,
        callbacks=[decay],
        verbose=2,
    )
    test_accuracy = float(history.history["val_accuracy"][-1])
    drawn = drawn_accuracy(model)
    tuning = drawn_set_tuning(model)
    print(f"test accuracy {test_accuracy:.4f}; synthetic drawings {drawn:.3f}; drawn set, tuning half:")
    print("\n".join(f"  {group:24} {100 * accuracy:5.1f}" for group, accuracy in tuning.items()))
    trained = bundle.TrainedModel(
        spec=spec,
        weights=tuple(np.asarray(w, dtype=np.float32) for w in model.get_weights()),
        history=History.from_dict({key: [float(v) for v in values] for key, values in history.history.items()}),
        dataset=dataset.name,
        metadata={
            "name": "demo",
            "preset": PRESET,
            "command": COMMAND,
            "seed": SEED,
            "epochs": args.epochs,
            "training_images": len(x_train),
            "test_accuracy": round(test_accuracy, 4),
            "drawn_accuracy": round(drawn, 4),
            "drawn_set_tuning_accuracy": round(tuning["all"], 4),
        },
    )
    args.out.write_bytes(bundle.to_bytes(trained))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
