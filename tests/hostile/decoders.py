"""Decoders as the hostile suite calls them in a child process (bytes in), and the naive readers they replace.

The naive ones read as the playground did before playground.bounded: a whole zip member at once, an image at
full size converted to floats, np.load on an .npz. Under the same memory limit they fail where the bounded
readers refuse cleanly, which shows that the limit is not vacuous from either side.
"""

import io
import zipfile

import numpy as np
from PIL import Image

from playground.bounded import Budget
from playground.bounded.arrays import read_npz
from playground.bounded.images import PHOTO_PIXELS, decode_image
from playground.bounded.zips import open_zip, read_member

MEMBER_CAP = 16 * 2**20
TOTAL_CAP = 200 * 2**20
ARRAYS_CAP = 64 * 2**20


def zip_members(data: bytes) -> int:
    """Every member of the zip read with read_member (16 MiB each, 200 MiB in all); the bytes read."""
    budget = Budget(TOTAL_CAP)
    with open_zip(data, max_members=10_000) as archive:
        return sum(len(read_member(archive, info, MEMBER_CAP, budget=budget)) for info in archive.infolist())


def npz_arrays(data: bytes) -> int:
    """The arrays of an .npz read with read_npz (64 MiB in all, floats and integers); how many."""
    return len(read_npz(data, cap_bytes=ARRAYS_CAP, kinds="fiu"))


def grey_image(data: bytes) -> np.ndarray:
    """decode_image of a photo-sized upload, grey, at most 560 pixels a side."""
    return decode_image(data, max_pixels=PHOTO_PIXELS, side=560, mode="L")


def spec_file(data: bytes) -> object:
    """A spec as the CLI and the Build page's JSON tab read it: parsed, then validated; SpecError when refused."""
    from playground import spec

    return spec.check(spec.from_json(data))


def link(data: bytes) -> object:
    """A link's query (JSON of {name: value}) as the pages read it: share, teacher or 2-D parameters."""
    import json

    from playground import links
    from playground.plane import settings

    query = json.loads(data)
    if "lesson" in query:
        return links.lesson_from_value(query["lesson"])
    if "model" in query or "preset" in query:
        return links.spec_from_query(query)
    found = settings.from_query(query)
    if found.unreadable:
        raise links.LinkError(f"unreadable: {', '.join(found.unreadable)}")
    return found


def plane_table(data: bytes) -> object:
    """A table uploaded to the 2-D playground, as the page reads it: parsed, its columns suggested, made into points."""
    from playground.plane import table

    found = table.read_table(data)
    if {"x1", "x2", "label"} <= set(found.columns):  # the learner's choice, whatever the page suggests
        return table.to_plane_data(found, "x1", "x2", "label", "classes")
    chosen = table.suggest(found)
    return table.to_plane_data(found, chosen.x1 or "", chosen.x2 or "", chosen.label or "", chosen.task or "classes")


def plane_rule(data: bytes) -> object:
    """A rule typed on the 2-D playground (UTF-8 text), made into 200 points as the page does."""
    from playground.plane import rule

    return rule.make_rule_data(data.decode("utf-8"), count=200)


COMMANDS = {  # the input's file stands for {input}; predict reads a valid drawing from {digit}
    "summary": ["summary", "--spec", "{input}"],
    "train": ["train", "--preset", "logistic", "--images", "{input}", "--epochs", "1"],
    "predict": ["predict", "--model", "{input}", "--image", "{digit}"],
}


def command_line(data: bytes, command: str) -> int:
    """`python -m playground COMMAND` (cli.main in this process) on the input written to a file outside the working
    folder, the data folder there too; its exit status, or ValueError carrying what it printed when it exits 2."""
    import contextlib
    import io
    import os
    import tempfile

    from playground import cli

    from .inputs import drawing_png

    with tempfile.TemporaryDirectory(prefix="hostile-cli-") as folder:
        files = {"input": os.path.join(folder, "input"), "digit": os.path.join(folder, "digit.png")}
        with open(files["input"], "wb") as file:
            file.write(data)
        with open(files["digit"], "wb") as file:
            file.write(drawing_png(200))
        os.environ["PLAYGROUND_DATA_DIR"] = os.path.join(folder, "data")
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status = cli.main([part.format(**files) for part in COMMANDS[command]])
    if status == cli.EXIT_INVALID:
        raise ValueError(stderr.getvalue().strip().removeprefix("error: "))
    return status


def naive(data: bytes, reader: str) -> object:
    """One of the naive readers below, by name: zip, image or npz."""
    return {"zip": naive_zip, "image": naive_image, "npz": naive_npz}[reader](data)


def naive_zip(data: bytes) -> int:
    """Every member read whole with ZipFile.read, as before (inflates up to 1 GiB before the size check)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(len(archive.read(info)) for info in archive.infolist())


def naive_image(data: bytes) -> np.ndarray:
    """The image decoded at full size and made floats, as a careless reader does."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return np.asarray(image.convert("RGBA"), dtype=np.float32)


def naive_npz(data: bytes) -> int:
    """np.load of every array in the .npz (allocates what the header declares)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return len([arrays[name] for name in arrays.files])
