"""Where the app keeps its files: the data folder from the environment, else data/ at the repository root."""

from pathlib import Path

from playground import paths

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_data_directory_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "here"))
    assert paths.data_dir() == tmp_path / "here"
    monkeypatch.delenv("PLAYGROUND_DATA_DIR")
    assert paths.data_dir() == REPOSITORY / "data"  # git-ignored, beside the code: not inside the package


def test_the_shipped_assets_are_found():
    assert (paths.ASSETS / "mnist_sample.npz").is_file()
    assert (paths.ASSETS / "demo_model.zip").is_file()
