"""How well a model reads the project's drawn digits, per style group and split, against the recorded baseline.

Run:  python benchmarks/drawn_digits.py [--quick] [--model BUNDLE.zip] [--record baseline|after] [--floors]

Draws every sample of playground/assets/drawn_digits.json with the project's renderer (strokes.render),
prepares it like the Draw page (drawing.prepare) and scores the model (the bundled demo by default):
accuracy per style group × split (tuning / held-out), beside the baseline recorded in
benchmarks/results/drawn_digits.json, and the MNIST-sample test accuracy (the images as stored, and
prepared like drawings). --quick scores every fourth sample and skips the prepared MNIST path.
--record KEY stores the full scores under KEY in the results file; --floors also sets the CI floors
(tests/data/test_drawn_set.py) from them: one sample below each group's count, three below overall.
"""

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import bundle, data  # noqa: E402
from playground.data import drawn_set  # noqa: E402
from playground.data import images as drawing  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "drawn_digits.json"
MARKDOWN = RESULTS.with_suffix(".md")


def mnist_accuracy(trained, prepared: bool) -> float:
    """Accuracy on the MNIST sample's test split: images as stored (like the tests), or prepared like drawings."""
    from playground.inspection import evaluation, inspector

    dataset = data.load("mnist-sample")
    if not prepared:
        return float(evaluation.evaluate(trained, dataset).accuracy)
    x = np.stack([drawing.prepare(image) for image in dataset.x_test])[..., None]
    return float(np.mean(inspector.predict(trained, x).argmax(axis=1) == dataset.y_test))


def markdown(results: dict) -> str:
    """The before/after tables README quotes, as markdown."""
    before, after = results.get("baseline"), results.get("after")
    lines = ["# The demo model on the project's drawn digits", "",
             "Accuracy (%) per style group on the tuning half, the held-out half and all of "
             "playground/assets/drawn_digits.json: pen strokes from a seeded generator "
             "(`python scripts/make_drawn_digits.py`), drawn by `strokes.render`, prepared by `drawing.prepare`. "
             "Every tuning decision used the tuning half only; no model trains on the set. "
             "Rerun: `python benchmarks/drawn_digits.py`; CI (tests/data/test_drawn_set.py) fails below the floors "
             "in drawn_digits.json (each group one sample under its recorded count, overall three).", ""]  # fmt: skip
    for title, record in (("Before (baseline)", before), ("After", after)):
        if record:
            mnist = record["mnist_sample_test"]
            lines += [f"## {title}", "", f"Model: {record['model']} (sha256 {record['model_sha256'][:12]}). "
                      f"MNIST-sample test accuracy: {100 * mnist['stored']:.1f}% as stored, "
                      f"{100 * mnist['prepared']:.1f}% prepared like drawings.", "",
                      drawn_set.table(record["drawn"], markdown=True), ""]  # fmt: skip
    if before and after:
        lines += ["## Before → after", "", drawn_set.table(after["drawn"], before["drawn"], markdown=True), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every fourth sample; no prepared MNIST path")
    parser.add_argument("--model", type=Path, help="a bundle .zip (default: the bundled demo model)")
    parser.add_argument("--record", choices=["baseline", "after"], help="store the scores in the results file")
    parser.add_argument("--floors", action="store_true", help="with --record: set the CI floors from these scores")
    args = parser.parse_args()
    if args.record and args.quick:
        parser.error("--record needs the full set")

    from playground.inspection import demo

    path = args.model or demo.PATH
    trained = bundle.from_bytes(path.read_bytes())
    set_path = drawn_set.SET_PATH
    if args.quick:  # every fourth sample, kept in a temporary copy of the set
        document = json.loads(set_path.read_text(encoding="utf-8"))
        document["samples"] = document["samples"][::4]
        set_path = Path(tempfile.mkdtemp()) / "quick.json"
        set_path.write_text(json.dumps(document), encoding="utf-8")
    from playground.inspection import inspector

    summary = drawn_set.score(lambda x: inspector.predict(trained, x), set_path).summary()
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    baseline = results.get("baseline", {}).get("drawn")
    print(drawn_set.table(summary, None if args.quick else baseline))

    mnist = {"stored": mnist_accuracy(trained, False)}
    if not args.quick:
        mnist["prepared"] = mnist_accuracy(trained, True)
    print("MNIST-sample test accuracy: " + ", ".join(f"{100 * v:.1f}% {k}" for k, v in mnist.items()))
    held_out = drawn_set.ALL if args.quick else "held-out"
    right, total = summary["overall"][held_out]
    if baseline:
        old_right, old_total = baseline["overall"][held_out]
        ratio = (right / total) / (old_right / old_total)
        print(
            f"{held_out} accuracy {100 * right / total:.1f}% vs baseline {100 * old_right / old_total:.1f}%: ratio {ratio:.3f}"
        )
    else:
        print(f"{held_out} accuracy {100 * right / total:.1f}%; no baseline recorded: ratio -")

    if args.record:
        results[args.record] = {
            "model": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name,
            "model_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "set_sha256": hashlib.sha256(drawn_set.SET_PATH.read_bytes()).hexdigest(),
            "mnist_sample_test": {k: round(v, 4) for k, v in mnist.items()},
            "drawn": summary,
        }
        if args.floors:
            results["floors"] = {
                "from": args.record,
                "overall": [max(0, summary["overall"][drawn_set.ALL][0] - 3), summary["overall"][drawn_set.ALL][1]],
                "groups": {
                    g: [max(0, c[drawn_set.ALL][0] - 1), c[drawn_set.ALL][1]] for g, c in summary["groups"].items()
                },
            }
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        MARKDOWN.write_text(markdown(results), encoding="utf-8")
        print(f"recorded {args.record} in {RESULTS.relative_to(ROOT)} and {MARKDOWN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
