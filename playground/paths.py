"""Where the app keeps its files: the code's own assets, and the data folder for what it writes."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository (or install) root, beside the playground package
ASSETS = Path(__file__).resolve().parent / "assets"  # files shipped with the code: the MNIST sample, the demo model


def data_dir() -> Path:
    """Where the app keeps its files: $PLAYGROUND_DATA_DIR, else data/ beside the code (git-ignored)."""
    return Path(os.environ.get("PLAYGROUND_DATA_DIR") or ROOT / "data")
