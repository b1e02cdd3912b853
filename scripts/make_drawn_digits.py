"""Regenerate the project's drawn-digit set: playground/assets/drawn_digits.json.

Command:  python scripts/make_drawn_digits.py        (a second; deterministic for a given seed)

Digits drawn as pen strokes by the seeded generator in playground.data.strokes (GROUPS × VARIANTS), with
fixed counts per digit and style group, and each (group, digit) split half "tuning", half "held-out".
The held-out half stays out of every tuning decision; no model trains on any of it. Points are stored
rounded to 0.1 px, one sample per line; render one with strokes.render(points, pen, canvas).
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.data import drawn_set, strokes  # noqa: E402

SEED = 1502


def to_json(samples: list[strokes.Sample], seed: int) -> str:
    """The set as JSON text: a header, then one compact sample per line (stable, diff-friendly)."""
    header = {
        "about": "The project's drawn digits: pen strokes from a seeded generator (scripts/make_drawn_digits.py)",
        "seed": seed,
        "groups": [group.name for group in strokes.GROUPS],
        "splits": list(strokes.SPLITS),
    }
    lines = []
    for s in samples:
        record = {"digit": s.digit, "group": s.group, "variant": s.variant, "split": s.split,
                  "canvas": list(s.canvas), "pen": s.pen, "strokes": [[[x, y] for x, y in stroke] for stroke in s.strokes]}  # fmt: skip
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"samples":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=drawn_set.SET_PATH)
    args = parser.parse_args()
    samples = strokes.generate(args.seed)
    args.out.write_text(to_json(samples, args.seed), encoding="utf-8")
    counts = Counter((s.group, s.split) for s in samples)
    for group in strokes.GROUPS:
        print(f"{group.name:24} " + "  ".join(f"{split} {counts[group.name, split]:3}" for split in strokes.SPLITS))
    print(f"wrote {args.out} ({len(samples)} samples, {args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
