"""Hostile inputs beside valid ones, per class of upload: what each costs the server in memory and CPU time.

Run:  python benchmarks/hostile.py [--quick] [--naive] [--markdown] [--classes-only]

Every input runs in a fresh child process (tests/hostile/limits.py) through the function the app calls
(data.own.from_zip, data.images.load_image, bundle.from_bytes, bounded's zip and .npz readers, the spec and link
readers, and the command line's main), under RLIMIT_AS of the child's size before the call + 150 MB, the issue's
bound. For each it prints the answer, the child's peak resident memory (VmHWM) and its rise during the call, and
the CPU time of the call; then, per class, the inputs tried, the clear one-line refusals, tracebacks, anything
executed (a marker file a pickle would create), and the worst memory and CPU time of a hostile input next to a
valid one (README's hostile-input table). --quick runs a few inputs per class; --naive adds the naive readers
bounded replaces (ZipFile.read, a full-size decode, np.load) on the headline hostile inputs, under a 4 GB limit, to
show what the bound saves; --classes-only prints the per-class table alone.
"""

import argparse
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hostile import cases  # noqa: E402 - after the path
from hostile.limits import LIMIT_MB, run_limited  # noqa: E402

QUICK = {
    "image sets": ["four 6300×6300 plain PNGs (4 KB zip)", "3,000 2000×2000 plain PNGs, each under the per-image cap",
                   "a member whose headers understate it (inflates to 256 MB)",
                   "valid: 10 phone photos, 4000×3000 JPEG (20 MB zip)"],
    "photos": ["a plain 6300×6300 PNG (131 KB)", "a JPEG of 5,000 scans (12 s to decode)",
               "valid: a 12-megapixel phone photo (JPEG)",
               "valid: a plain 4096×4096 RGBA PNG at the pixel cap (64 MiB decoded)"],
    "bundles": ["weights.npz headers understate it (inflates to 256 MB)", "optimizer.npz declares 10¹² values",
                "history.json of 2 MB of empty lists (50 MB parsed)",
                "valid: 2.1 million parameters with Adam state (24 MB)"],
    "archives": ["a member whose headers understate it (inflates to 256 MB)", "valid: 40 members of 1 MB"],
    "arrays": ["an array declaring 10¹² values", "valid: 40 MB of float32 arrays"],
    "specs": ["294 characters of nested JSON (RecursionError on main)", "1,000 layers", "a kind name of 10 MB",
              "valid: the seed article's CNN"],
    "links": ["a 292-character link of 1,000 layers", "an 18,634-character link of 190,002 layers",
              "a 294-character link of nested JSON", "valid: a share link"],
    "command line": ["summary --spec: 294 characters of nested JSON (RecursionError on main)",
                     "train --images: four 6300×6300 plain PNGs (4 KB zip)",
                     "predict --model: weights.npz headers understate it (inflates to 256 MB)",
                     "valid: summary --spec of the seed article's CNN"],
    "2-D tables": ["a 2 MB table", "2,001 rows", "valid: 200 points of two classes"],
    "2-D rules": ["the formula __import__('os').system('rm -rf /')", "a power of a million", "valid: a circle"],
}  # fmt: skip
FUNCTIONS = {
    "image sets": "playground.data.own:from_zip",
    "photos": "playground.data.images:load_image",
    "bundles": "playground.bundle:from_bytes",
    "archives": "tests.hostile.decoders:zip_members",
    "arrays": "tests.hostile.decoders:npz_arrays",
    "specs": "tests.hostile.decoders:spec_file",
    "links": "tests.hostile.decoders:link",
    "command line": "tests.hostile.decoders:command_line",
    "2-D tables": "tests.hostile.decoders:plane_table",
    "2-D rules": "tests.hostile.decoders:plane_rule",
}
NAIVE = [  # (what, the input's class and name, naive reader)
    ("image", "photos", "a plain 6300×6300 PNG (131 KB)"),
    ("zip", "archives", "a member whose headers understate it (inflates to 256 MB)"),
    ("npz", "arrays", "an array declaring 10¹² values"),
]


def tables(marker: pathlib.Path) -> dict[str, dict[str, cases.Case]]:
    """The hostile suite's inputs, by class."""
    return {
        "image sets": cases.image_sets(),
        "photos": cases.photos(),
        "bundles": cases.bundles(marker),
        "archives": cases.archives(),
        "arrays": cases.arrays(),
        "specs": cases.specs(),
        "links": cases.links(),
        "command line": cases.command_line(marker),
        "2-D tables": cases.plane_tables(),
        "2-D rules": cases.plane_rules(),
    }


def size(count: int) -> str:
    """A byte count, short."""
    return f"{count / 2**20:.1f} MB" if count >= 2**20 else f"{count / 1024:.1f} KB" if count >= 1024 else f"{count} B"


def row(kind: str, name: str, case_bytes: int, outcome, markdown: bool) -> str:
    """One line of the table."""
    answer = "ok" if outcome.status == "ok" else outcome.key or outcome.type or outcome.status
    if outcome.status == "memory":
        answer = "MemoryError"
    peak = f"{outcome.peak_rss_mb:.0f}" if outcome.peak_rss_mb is not None else "?"
    rise = f"{outcome.rss_rise_mb:.1f}" if outcome.rss_rise_mb is not None else "?"
    cells = [kind, name, size(case_bytes), answer, peak, rise, f"{outcome.cpu_s:.3f}"]
    if markdown:
        return "| " + " | ".join(cells) + " |"
    return f"{kind:<10} {name[:62]:<62} {cells[2]:>9} {answer[:26]:<26} {peak:>6} {rise:>7} {cells[6]:>7}"


def class_row(kind: str, results: list, executed: int, markdown: bool) -> str:
    """One class's line of README's table: inputs, clear refusals, tracebacks, executed, worst memory and CPU."""
    hostile = [outcome for case, outcome in results if case.expect != "ok"]
    valid = [outcome for case, outcome in results if case.expect == "ok"]

    def worst(outcomes: list, field: str) -> float:
        return max((getattr(outcome, field) or 0.0 for outcome in outcomes), default=0.0)

    tracebacks = sum(outcome.status == "crash" or "Traceback" in outcome.message for _, outcome in results)
    cells = [kind, f"{len(hostile)} + {len(valid)}", f"{sum(outcome.clear for outcome in hostile)}",
             str(tracebacks), str(executed),
             f"{worst(hostile, 'peak_rss_mb'):.0f} (+{worst(hostile, 'rss_rise_mb'):.0f})",
             f"{worst(valid, 'peak_rss_mb'):.0f} (+{worst(valid, 'rss_rise_mb'):.0f})",
             f"{worst(hostile, 'cpu_s'):.2f}", f"{worst(valid, 'cpu_s'):.2f}"]  # fmt: skip
    if markdown:
        return "| " + " | ".join(cells) + " |"
    return "  ".join(f"{cell:>14}" if index else f"{cell:<14}" for index, cell in enumerate(cells))


CLASS_HEADER = ["class", "inputs (hostile + valid)", "clear one-line refusals", "tracebacks", "executed",
                "peak RSS MB (rise), worst hostile", "… worst valid", "CPU s, worst hostile", "… worst valid"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few inputs per class")
    parser.add_argument("--naive", action="store_true", help="also the naive readers on the headline inputs")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--classes-only", action="store_true", help="print the per-class table only")
    args = parser.parse_args()
    say = (lambda *_, **__: None) if args.classes_only else print
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as folder:
        marker = pathlib.Path(folder) / "unpickled"
        every = tables(marker)
        header = ["class", "input", "size", "answer", "peak RSS MB", "rise MB", "CPU s"]
        if args.markdown:
            say("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
        else:
            say(
                f"{'class':<10} {'input':<62} {'size':>9} {'answer':<26} {'peak RSS MB':>6} {'rise MB':>7} {'CPU s':>7}"
            )
        tried = answered = tracebacks = memory = 0
        by_class = {}
        for kind, table in every.items():
            names = QUICK[kind] if args.quick else list(table)
            results, executed = [], False
            for name in names:
                case = table[name]
                outcome = run_limited(FUNCTIONS[kind], {name: (case.data, case.kwargs)})[name]
                say(row(kind, name, len(case.data), outcome, args.markdown), flush=True)
                results.append((case, outcome))
                executed |= marker.exists()
                marker.unlink(missing_ok=True)  # so that each class answers for itself
                tried += 1
                answered += outcome.clear or outcome.status == "ok"
                tracebacks += outcome.status == "crash" or "Traceback" in outcome.message
                memory += outcome.status == "memory"
            by_class[kind] = (results, int(executed))
        summary = (
            f"inputs tried: {tried}; one-line answers or results: {answered}; tracebacks: {tracebacks}; "
            f"MemoryError under baseline + {LIMIT_MB} MB: {memory}; "
            f"executed: {sum(executed for _, executed in by_class.values())}"
        )
        if args.naive:
            for reader, kind, name in NAIVE:
                case = every[kind][name]
                function = "tests.hostile.decoders:naive"
                outcome = run_limited(function, {name: (case.data, {"reader": reader})}, limit_mb=4096)[name]
                say(row(f"naive {reader}", name, len(case.data), outcome, args.markdown), flush=True)
        print()
        if args.markdown:
            print("| " + " | ".join(CLASS_HEADER) + " |\n|" + "---|" * len(CLASS_HEADER))
        else:
            print("  ".join(f"{cell[:14]:>14}" if index else f"{cell:<14}" for index, cell in enumerate(CLASS_HEADER)))
        for kind, (results, executed) in by_class.items():
            print(class_row(kind, results, executed, args.markdown))
        print("\n" + summary)


if __name__ == "__main__":
    main()
