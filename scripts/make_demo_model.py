"""Regenerate the Draw page's demo model: playground/assets/demo_model.zip.

Command:  python scripts/make_demo_model.py        (about 5–10 minutes on two CPU cores)

The seed article's CNN (preset "seed-cnn") trained on the bundled MNIST sample, with a fixed seed.
Every training image also goes through the Draw page's own preprocessing (playground.drawing.prepare)
after random thickening/thinning, rotation, shear and stretching, so the model learns digits as the
page hands them over: drawn with any pen, slanted, and normalised MNIST-style. The bundle is written
without optimizer state to stay small (about 0.35 MB).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import bundle, data, presets  # noqa: E402
from playground.data import images as drawing  # noqa: E402
from playground.data import strokes  # noqa: E402
from playground.training.runs import History  # noqa: E402

OUT = ROOT / "playground" / "assets" / "demo_model.zip"
PRESET = "seed-cnn"
SEED = 20241129
EPOCHS = 12
BATCH_SIZE = 64
COPIES = 5  # augmented variants per training image, besides the image itself
UPSCALE = 4  # thicken and transform at 4× resolution, like a drawing on a large canvas
COMMAND = "python scripts/make_demo_model.py"


def _erode(image: np.ndarray, size: int) -> np.ndarray:
    return -drawing._dilate(-image, size)


def augment(image: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A 28×28 uint8 digit re-drawn with another pen, slant and shape, then prepared like a drawing."""
    side = image.shape[0] * UPSCALE
    big = np.asarray(Image.fromarray(image).resize((side, side), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    big = np.pad(big, side // 2)
    pen = rng.choice([-5, -5, -3, 0, 0, 3, 5, 7, 9])  # negative: thinner
    if pen > 0:
        big = drawing._dilate(big, int(pen))
    elif pen < 0:
        big = _erode(big, int(-pen))
    angle = np.radians(rng.uniform(-15, 15))
    shear = rng.uniform(-0.3, 0.3)
    scale_x, scale_y = rng.uniform(0.5, 1.25), rng.uniform(0.85, 1.15)
    # Inverse map (output → input) about the centre, as PIL's AFFINE transform wants it.
    forward = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = forward @ np.array([[1, shear], [0, 1]]) @ np.diag([scale_x, scale_y])
    inverse = np.linalg.inv(forward)
    centre = np.array(big.shape[::-1]) / 2
    offset = centre - inverse @ centre
    coefficients = (*inverse[0], offset[0], *inverse[1], offset[1])
    warped = Image.fromarray(big).transform(
        big.shape[::-1], Image.Transform.AFFINE, coefficients, Image.Resampling.BILINEAR
    )
    prepared = drawing.prepare(np.asarray(warped))
    if prepared is None:
        return None
    shift = rng.integers(-1, 2, size=2) if rng.random() < 0.3 else (0, 0)
    return np.roll(prepared, tuple(int(s) for s in shift), axis=(0, 1))


def training_set(dataset: data.Dataset, copies: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Every training image prepared like a drawing, plus `copies` augmented variants of each."""
    images, labels = [], []
    for image, label in zip(dataset.x_train, dataset.y_train, strict=True):
        variants = [drawing.prepare(image)] + [augment(image, rng) for _ in range(copies)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--copies", type=int, default=COPIES)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from playground.backend import keras
    from playground.model import build_model

    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    dataset = data.load("mnist-sample")
    spec = presets.preset(PRESET)
    started = time.perf_counter()
    x_train, y_train = training_set(dataset, args.copies, rng)
    x_test = np.stack([drawing.prepare(image) for image in dataset.x_test])[..., None]
    print(f"{len(x_train)} training images prepared in {time.perf_counter() - started:.0f} s")

    model = build_model(spec)
    history = model.fit(
        x_train,
        data.encode_labels(y_train, spec.loss, dataset.num_classes),
        validation_data=(x_test, data.encode_labels(dataset.y_test, spec.loss, dataset.num_classes)),
        epochs=args.epochs,
        batch_size=BATCH_SIZE,
        verbose=2,
    )
    test_accuracy = float(history.history["val_accuracy"][-1])
    drawn = drawn_accuracy(model)
    print(f"test accuracy {test_accuracy:.4f}; synthetic drawings {drawn:.3f}")
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
        },
    )
    args.out.write_bytes(bundle.to_bytes(trained))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
