"""`python -m playground …`: the headless companion (presets, spec, summary, code, train, predict)."""

import argparse
import json
import sys
from pathlib import Path

from playground import codegen, presets
from playground import spec as specs

EXIT_INVALID = 2


def _load_spec(args: argparse.Namespace) -> specs.ModelSpec:
    if args.preset:
        return presets.preset(args.preset)
    try:
        text = Path(args.spec).read_text(encoding="utf-8")
    except OSError as error:
        raise specs.SpecError([specs.Problem("malformed", {"detail": str(error)}, field="spec")]) from None
    return specs.from_json(text)


def _checked_spec(args: argparse.Namespace) -> specs.ModelSpec:
    model_spec = _load_spec(args)
    specs.check(model_spec)
    return model_spec


def cmd_presets(args: argparse.Namespace) -> int:
    """Print the preset names with their parameter counts."""
    for name, preset in presets.PRESETS.items():
        report = specs.validate(preset)
        print(f"{name:14} {len(preset.layers):2} layers  {report.total_params:>9,} parameters")
    return 0


def cmd_spec(args: argparse.Namespace) -> int:
    """Print a preset's spec as JSON."""
    print(presets.preset(args.preset).to_json())
    return 0


def summary_dict(report: specs.Report) -> dict:
    """The summary as JSON-ready data: layers with kind, output_shape and params, and totals."""
    return {
        "layers": [{"kind": s.kind, "output_shape": list(s.output_shape), "params": s.params} for s in report.shapes],
        "total_params": report.total_params,
        "trainable_params": report.trainable_params,
        "non_trainable_params": report.non_trainable_params,
    }


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the layer-by-layer output shapes and parameter counts."""
    report = specs.check(_load_spec(args))
    if args.json:
        print(json.dumps(summary_dict(report), indent=2))
        return 0
    print(f"{'#':>3}  {'layer':24} {'output shape':18} {'params':>10}")
    for s in report.shapes:
        shape = "(" + ", ".join(str(n) for n in s.output_shape) + ")"
        print(f"{s.position:>3}  {s.kind:24} {shape:18} {s.params:>10,}")
    print(
        f"Total params: {report.total_params:,}  (trainable {report.trainable_params:,}, "
        f"non-trainable {report.non_trainable_params:,})"
    )
    for warning in report.warnings:
        print("warning:", warning.message(), file=sys.stderr)
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    """Print a runnable Keras 3 script that defines `model`."""
    print(codegen.model_source(_checked_spec(args), language=args.lang))
    return 0


def _add_model_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", choices=list(presets.PRESETS), help="a named preset")
    source.add_argument("--spec", metavar="FILE", help="a spec JSON file")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("presets", help="list the presets").set_defaults(run=cmd_presets)
    spec_parser = commands.add_parser("spec", help="print a preset's spec JSON")
    spec_parser.add_argument("--preset", required=True, choices=list(presets.PRESETS))
    spec_parser.set_defaults(run=cmd_spec)
    summary = commands.add_parser("summary", help="output shape and parameters of every layer")
    _add_model_source(summary)
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.set_defaults(run=cmd_summary)
    code = commands.add_parser("code", help="print the Keras 3 script for the model")
    _add_model_source(code)
    code.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the comments")
    code.set_defaults(run=cmd_code)
    # -- more subcommands (train, predict) register here
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (2 for an invalid spec, with the UI's message)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except specs.SpecError as error:
        for problem in error.problems:
            print("error:", problem.message(), file=sys.stderr)
        return EXIT_INVALID
