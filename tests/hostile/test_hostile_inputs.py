"""The hostile-input suite: every hostile image set, photo, bundle, zip and .npz gives one clear line (or, for the
few that are harmless, a result) while the server's memory rises by at most LIMIT_MB, enforced with RLIMIT_AS in
one child process per class of input; realistic valid inputs succeed under the same limit, and the naive readers
they replace fail under it. Nothing is unpickled and nothing is written where the child runs."""

import pytest

from . import cases
from .limits import LIMIT_MB, run_limited

TABLES = {
    "image sets": cases.image_sets(),
    "photos": cases.photos(),
    "bundles": cases.bundles(marker=None),  # listed for their names only: the fixture builds them with a marker
    "archives": cases.archives(),
    "arrays": cases.arrays(),
    "specs": cases.specs(),
    "links": cases.links(),
    "command line": cases.command_line(marker=None),  # names only, as for bundles
    "2-D tables": cases.plane_tables(),
    "2-D rules": cases.plane_rules(),
}
CASES = [(kind, name) for kind, table in TABLES.items() for name in table]


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[f"{kind}: {name}" for kind, name in CASES])
def test_each_input_gets_its_answer_within_the_memory_bound(classes, kind, name):
    _, table, outcomes, _ = classes(kind)
    case, outcome = table[name], outcomes[name]
    assert outcome.status != "memory", f"MemoryError with memory limited to its baseline + {LIMIT_MB} MB"
    assert outcome.status != "crash", outcome.message
    if case.expect == "ok":
        assert outcome.status == "ok", outcome.message
        return
    assert outcome.clear, f"not one clear line: {outcome.status} {outcome.type} {outcome.message!r}"
    assert case.expect in (outcome.key, outcome.type), f"{outcome.key or outcome.type}: {outcome.message}"
    assert case.contains in outcome.message, outcome.message


@pytest.mark.parametrize("kind", TABLES)
def test_nothing_is_unpickled_and_nothing_is_written(classes, marker, kind):
    _, _, outcomes, folder = classes(kind)
    assert outcomes
    assert not marker.exists()
    assert sorted(path.name for path in folder.iterdir()) == []


def test_every_class_has_at_least_eight_hostile_inputs_beyond_the_issues_and_a_valid_one():
    for kind, table in TABLES.items():
        assert sum(case.expect != "ok" and not case.why for case in table.values()) >= 8, kind
        assert any(name.startswith("valid: ") and case.expect == "ok" for name, case in table.items()), kind
    assert sum(case.why for table in TABLES.values() for case in table.values()) >= 16  # every "Why" input named


def test_the_limit_bites_the_naive_readers_run_out_of_memory_where_the_bounded_ones_refuse():
    giant = cases.giant_png()
    understated = cases.make.raw_zip({"big": cases.make.claiming(cases.make.zeros(256), 1000)})
    huge = cases.make.npz(cases.make.npy((10**12,)))
    outcomes = run_limited(
        "tests.hostile.decoders:naive",
        {
            "image": (giant, {"reader": "image"}),
            "zip": (understated, {"reader": "zip"}),
            "npz": (huge, {"reader": "npz"}),
        },
    )
    assert {name: outcome.status for name, outcome in outcomes.items()} == dict.fromkeys(outcomes, "memory")
