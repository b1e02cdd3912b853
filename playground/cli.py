"""`python -m playground …`: the headless companion (presets, spec, summary, code, train, predict)."""

import argparse
import json
import os
import sys
from pathlib import Path

from playground import codegen, presets
from playground import spec as specs
from playground.bounded import cut
from playground.data.dataset import IMAGE_SIZES, size_for
from playground.training.runs import PRECISIONS

EXIT_INVALID = 2
MESSAGE_CHARS = 400  # an error is one line of at most this many characters, whatever the input held


def _load_spec(args: argparse.Namespace) -> specs.ModelSpec:
    if args.preset:
        return presets.preset(args.preset)
    return specs.from_json(_read(args.spec, "spec", specs.MAX_SPEC_CHARS * 4))


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
    print(codegen.model_source(_checked_spec(args), language=args.lang, precision=args.precision))
    return 0


def _read(path: str, what: str, limit: int = 64 * 2**20) -> bytes:
    """The file's bytes, read no further than `limit` (+1 to notice a longer file)."""
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except OSError as error:
        raise ValueError(f"cannot read the {what} {cut(path)}: {error.strerror or error}") from None
    if len(data) > limit:
        raise ValueError(f"the {what} {cut(path)} is larger than {limit // 2**20 or 1} MB")
    return data


def cmd_predict(args: argparse.Namespace) -> int:
    """Classify one image with a bundle (the demo model by default), after the Draw page's preprocessing."""
    from playground import bundle
    from playground.data import images as drawing
    from playground.inspection import demo

    try:  # every input checked before TensorFlow loads (~600 MB): a bad one costs next to nothing
        image = drawing.load_image(_read(args.image, "image"))
        trained = demo.model() if args.model is None else bundle.from_bytes(_read(args.model, "model"))
        x = drawing.prepare(image, trained.spec.input_shape[0])
        if x is None:
            raise ValueError("the image is blank: no digit stands out from the background.")
    except (ValueError, bundle.BundleError) as error:  # ImageError and BundleError are ValueErrors
        return fail(error)
    from playground.inspection import inspector  # Keras loads for this command only

    probabilities = inspector.predict(trained, x[None, ..., None])[0]
    prediction = int(probabilities.argmax())
    if args.json:
        print(json.dumps({"prediction": prediction, "probabilities": [round(float(p), 6) for p in probabilities]}))
        return 0
    print(f"Prediction: {prediction}  ({probabilities[prediction]:.1%})")
    for digit, p in enumerate(probabilities):
        print(f"{digit:>3}  {p:7.2%}  {'█' * round(p * 40)}")
    return 0


class ConsoleProgress:
    """A report function that draws a one-line progress bar on a stream (stderr for the CLI)."""

    def __init__(self, stream=None, width: int = 24):
        self.stream, self.width = stream or sys.stderr, width
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())  # a log file gets one line per epoch
        self.epochs = self.steps_per_epoch = self.first_epoch = 0

    def __call__(self, kind: str, values: dict) -> None:
        if kind == "begin":
            self.epochs, self.steps_per_epoch = values["epochs"], values["steps_per_epoch"]
        elif kind == "step" and self.live:
            fraction = values["step"] / self.steps_per_epoch
            filled = int(fraction * self.width)
            bar = "█" * filled + "·" * (self.width - filled)
            self.stream.write(
                f"\repoch {values['epoch']}/{self.epochs} {bar} {values['step']}/{self.steps_per_epoch}"
                f"  loss {values['loss']:.4f}  acc {values['accuracy']:.4f}"
                f"  {values['samples_per_second']:,.0f} samples/s "
            )
        elif kind == "epoch":
            validation = ""
            if values["val_loss"] is not None:
                validation = f"  val_loss {values['val_loss']:.4f}  val_acc {values['val_accuracy']:.4f}"
            self.stream.write(
                f"\repoch {values['epoch']}/{self.epochs}  loss {values['loss']:.4f}"
                f"  acc {values['accuracy']:.4f}{validation}"
                f"  {values['samples_per_second']:,.0f} samples/s".ljust(100)
                + "\n"
            )
        elif kind == "phase" and values["phase"] == "test":
            self.stream.write("evaluating on the test set…\n")
        self.stream.flush()


def _image_set(args: argparse.Namespace, model_spec: specs.ModelSpec) -> tuple[str, specs.ModelSpec]:
    """(dataset name, spec) for `train --images`: the zip made into a dataset as the My models page does
    (same reader, checks and limits; OwnDataError, a ValueError, for a bad zip), and the spec fitted to it."""
    from playground.data import kept as kept_sets
    from playground.data import own as own_data
    from playground.text.models import CATALOGUE as MODELS_TEXT

    size = args.image_size or size_for(model_spec.input_shape)
    own = own_data.from_zip(_read(args.images, "image set", own_data.MAX_ZIP_BYTES), Path(args.images).name, size)
    notes = [issue.message("en") for issue in own.warnings]
    shape, classes = own.dataset.input_shape, own.dataset.num_classes
    if (tuple(model_spec.input_shape), model_spec.num_classes) != (shape, classes):
        adapted = own_data.adapt_spec(model_spec, shape, classes)
        if adapted is None:
            raise ValueError(
                f"the model cannot take these images ({size}×{size}×1, {classes} classes): "
                f"it must end in a Dense layer, which is then given {classes} units"
            )
        notes.append(MODELS_TEXT.text("en", "data_adapted", size=size, classes=classes))
        model_spec = adapted
    for note in notes:  # what the page shows beside an accepted set; a refused one gets its one line only
        print("note:", note, file=sys.stderr)
    # Training reads an uploaded set by its name from a keeper: the app's is the session store, this one the process.
    kept_sets.keep_in(kept_sets.InMemory({own.dataset.name: kept_sets.to_bytes(own)}))
    return own.dataset.name, model_spec


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model in this process: progress on stderr, then the test metrics (JSON with --json)."""
    model_spec = _checked_spec(args)
    dataset = args.dataset or "mnist-sample"
    if args.image_size and not args.images:
        raise ValueError("--image-size goes with --images (the built-in datasets have their own size)")
    if args.images:  # read and checked before TensorFlow loads: a bad zip costs next to nothing
        dataset, model_spec = _image_set(args, model_spec)
    from playground.training import worker

    worker.use_fast_kernels()  # the same TensorFlow kernels as the app's training workers
    from playground import bundle, data
    from playground.text.train import CATALOGUE as TRAIN_TEXT
    from playground.training import fit as fitting  # Keras loads for this command only
    from playground.training import outcome
    from playground.training.runs import FitRequest, History, TrainSettings, describe_fault

    settings = TrainSettings(
        dataset, args.epochs, args.batch_size, args.validation_split, args.seed, precision=args.precision
    )
    request = FitRequest(model_spec, settings)
    history, progress = History(), ConsoleProgress(sys.stderr)

    def report(kind: str, values: dict) -> None:
        history.record(kind, values)
        progress(kind, values)

    try:
        result = fitting.fit(request, report)
    except data.DatasetUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if result.outcome == "diverged":
        print("error:", describe_fault(result.fault, TRAIN_TEXT.translator("en")), file=sys.stderr)
        return 1
    if args.out:
        trained = outcome.trained_model(request, result, history)
        Path(args.out).write_bytes(bundle.to_bytes(trained))
    summary = {
        "test_accuracy": result.test_accuracy,
        "test_loss": result.test_loss,
        "epochs": result.epochs_done,
        "history": history.per_epoch(),
        "samples_per_second": round(result.samples_per_second, 1),
        "precision": result.precision,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"test accuracy {result.test_accuracy:.4f}  test loss {result.test_loss:.4f}  "
            f"({result.epochs_done} epochs, {result.samples_per_second:,.0f} samples/s, {result.precision})"
        )
    return 0


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError("must be a number from 0 to below 1")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


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
    code.add_argument(
        "--precision", choices=["float32", "bfloat16"], default="float32", help="bfloat16: Keras's mixed policy"
    )
    code.set_defaults(run=cmd_code)
    # -- more subcommands (train, predict) register here
    train = commands.add_parser("train", help="train a model in this process and print its test metrics")
    _add_model_source(train)
    data_source = train.add_mutually_exclusive_group()
    data_source.add_argument("--dataset", help="mnist-sample (default, offline), mnist or fashion-mnist")
    data_source.add_argument(
        "--images", metavar="ZIP", help="your own image set: a zip with a folder per class, as on the My models page"
    )
    train.add_argument(
        "--image-size",
        type=int,
        choices=IMAGE_SIZES,
        help="with --images: the side the images are resized to (default: the model's input side, else 28)",
    )
    train.add_argument("--epochs", type=_positive, default=5)
    train.add_argument("--batch-size", type=_positive, default=32)
    train.add_argument("--validation-split", type=_share, default=0.1, help="share of training data held out")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="float32 (default, as plain Keras), bfloat16 (mixed: output layer and weights float32), or auto "
        "(bfloat16 where this machine measured it faster)",
    )
    train.add_argument("--out", metavar="BUNDLE", help="write the trained model as a bundle (.zip)")
    train.add_argument("--json", action="store_true", help="print the result as JSON")
    train.set_defaults(run=cmd_train)
    predict = commands.add_parser("predict", help="classify a digit image, prepared as the Draw page does")
    predict.add_argument("--model", metavar="BUNDLE", help="a trained model bundle (.zip); default: the demo model")
    predict.add_argument("--image", metavar="FILE", required=True, help="a PNG/JPEG of one handwritten digit")
    predict.add_argument("--json", action="store_true", help='print {"prediction": d, "probabilities": [...]}')
    predict.set_defaults(run=cmd_predict)
    return parser


def fail(message: object) -> int:
    """Print one line of at most MESSAGE_CHARS on stderr; the exit status for a refused input."""
    print("error:", cut(" ".join(str(message).split()), MESSAGE_CHARS), file=sys.stderr)
    return EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (2 for a refused spec, bundle, image or image set: one line, as the UI
    words it)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except specs.SpecError as error:
        return fail("; ".join(problem.message() for problem in error.problems))
    except (ValueError, OSError, RecursionError, MemoryError) as error:  # what a bad input can raise on its way
        if os.environ.get("PLAYGROUND_DEBUG"):
            raise
        return fail(error)
