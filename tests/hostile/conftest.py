"""The hostile-input suite's fixtures: the cases of each class of input, each class run once in a child process
under RLIMIT_AS (limits.run_limited), in a folder of its own so that anything it writes would show."""

import pytest

from . import cases
from .limits import run_limited


@pytest.fixture(scope="session")
def marker(tmp_path_factory):
    """A file that appears only if something is ever unpickled."""
    return tmp_path_factory.mktemp("unpickled") / "marker"


def _run(func_path: str, table: dict[str, cases.Case], folder) -> dict:
    return run_limited(func_path, {name: (case.data, case.kwargs) for name, case in table.items()}, cwd=folder)


@pytest.fixture(scope="session")
def classes(marker, tmp_path_factory):
    """{class: (function run, its cases, their outcomes, the folder the child ran in)}, each class run on demand."""
    tables = {
        "image sets": ("playground.data.own:from_zip", cases.image_sets),
        "photos": ("playground.data.images:load_image", cases.photos),
        "bundles": ("playground.bundle:from_bytes", lambda: cases.bundles(marker)),
        "archives": ("tests.hostile.decoders:zip_members", cases.archives),
        "arrays": ("tests.hostile.decoders:npz_arrays", cases.arrays),
        "specs": ("tests.hostile.decoders:spec_file", cases.specs),
        "links": ("tests.hostile.decoders:link", cases.links),
        "command line": ("tests.hostile.decoders:command_line", lambda: cases.command_line(marker)),
        "2-D tables": ("tests.hostile.decoders:plane_table", cases.plane_tables),
        "2-D rules": ("tests.hostile.decoders:plane_rule", cases.plane_rules),
    }
    done = {}

    def run(name: str):
        if name not in done:
            func_path, build = tables[name]
            table = build()
            folder = tmp_path_factory.mktemp("cwd")
            done[name] = (func_path, table, _run(func_path, table, folder), folder)
        return done[name]

    return run
