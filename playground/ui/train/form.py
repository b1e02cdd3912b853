"""The Train page's settings widgets: values survive page switches; the form returns a TrainSettings."""

from dataclasses import replace

import streamlit as st

from playground import catalog, data
from playground import spec as specs
from playground.data import augment
from playground.spec import ModelSpec, OptimizerSpec
from playground.training.limits import Limits
from playground.training.runs import PRECISIONS, TrainSettings, learning_rate
from playground.ui import lesson, session
from playground.ui.build import layer_editor
from playground.ui.models import image_sets

BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
SAMPLE_COUNTS = (100, 250, 500, 1000, 2000, 5000, 10000, 20000)
PREVIEW_COUNT = 5  # the settings column is narrow: few digits, large enough to see the shifts
KEEP = {"persist_state": "session"}  # keep the learner's choices across page switches


def train_size(name: str) -> int:
    """How many training images a dataset has (60,000 for a Keras dataset not downloaded yet)."""
    return len(data.load(name).x_train) if data.is_cached(name) else 60_000


def _dataset_names() -> list[str]:
    names = data.available() or [data.DEFAULT_DATASET]
    return names + list(image_sets.kept())


def _set_optimizer(key: str) -> None:
    kind = st.session_state[key]
    rate = catalog.optimizer_params(kind)["learning_rate"].default
    spec = session.current_spec()
    layer_editor.replace_spec(replace(spec, optimizer=OptimizerSpec(kind, {"learning_rate": rate})))


def _set_learning_rate(key: str) -> None:
    spec = session.current_spec()
    args = {**spec.optimizer.args, "learning_rate": float(st.session_state[key])}
    layer_editor.replace_spec(replace(spec, optimizer=OptimizerSpec(spec.optimizer.kind, args)))


def optimizer_widgets(spec: ModelSpec, t) -> None:
    """Optimizer and learning rate, prefilled from the spec; a change is written back into the spec."""
    kinds = list(catalog.OPTIMIZERS)
    if spec.optimizer.kind not in kinds or lesson.hidden(lesson.MODEL):
        return
    rate = learning_rate(spec)
    # Keyed by the spec's values, so an edit on the Build page shows here too.
    opt_key, rate_key = f"train_opt_{spec.optimizer.kind}", f"train_lr_{spec.optimizer.kind}_{rate:g}"
    left, right = st.columns(2)
    left.selectbox(
        t("optimizer"),
        kinds,
        kinds.index(spec.optimizer.kind),
        key=opt_key,
        on_change=_set_optimizer,
        args=(opt_key,),
        disabled=lesson.model_locked(),
    )
    right.number_input(
        t("learning_rate"),
        1e-6,
        10.0,
        rate,
        format="%.6g",
        step=rate / 10,
        key=rate_key,
        help=t("learning_rate_help"),
        on_change=_set_learning_rate,
        args=(rate_key,),
        disabled=lesson.model_locked(),
    )


def _augmentation(t, dataset: str, seed: int) -> tuple[int, float, int]:
    if not lesson.widget(st.toggle, "train_augment", t("augment"), False, help=t("augment_help"), **KEEP):
        return 0, 0.0, 0
    left, right = st.columns(2)
    with left:
        shift = lesson.widget(st.slider, "train_shift", t("augment_shift"), 2, min_value=0, max_value=4, **KEEP)
    with right:
        rotation = lesson.widget(
            st.slider, "train_rotation", t("augment_rotation"), 10, min_value=0, max_value=30, step=5, **KEEP,
        )  # fmt: skip
    stroke = lesson.widget(
        st.slider, "train_stroke", t("augment_stroke"), 0, min_value=0, max_value=2, help=t("augment_stroke_help"),
        **KEEP,
    )  # fmt: skip
    name = dataset if data.is_cached(dataset) else data.DEFAULT_DATASET
    images = data.load(name).x_train[:PREVIEW_COUNT]
    preview = augment.preview_sheet(images, shift, rotation, seed=seed, max_width=stroke)
    st.image(preview, caption=t("augment_preview"), alt=t("augment_preview"))
    return shift, float(rotation), stroke


# The Train page's settings a teacher link can fix, by widget key, with the label's text key.
LESSON_CONTROLS = {
    "train_dataset": "dataset",
    "train_epochs": "epochs",
    "train_batch": "batch_size",
    "train_validation": "validation_split",
    "train_seed": "seed",
    "train_samples": "train_samples",
    "train_augment": "augment",
    "train_shift": "augment_shift",
    "train_rotation": "augment_rotation",
    "train_stroke": "augment_stroke",
    "train_precision": "precision",
}


def settings_form(t, limits: Limits) -> TrainSettings:
    """Dataset, epochs, batch size, validation share, seed, training examples, precision and augmentation widgets."""
    names = _dataset_names()
    language = session.language()
    dataset = lesson.widget(
        st.selectbox, "train_dataset", t("dataset"), names[0], options=names,
        format_func=lambda name: image_sets.dataset_title(name, language), **KEEP,
    )  # fmt: skip
    left, right = st.columns(2)
    with left:
        epochs = lesson.widget(
            st.number_input, "train_epochs", t("epochs"), min(5, limits.max_epochs), min_value=1,
            max_value=limits.max_epochs, help=t("epochs_help"), **KEEP,
        )  # fmt: skip
    with right:
        batch_size = lesson.widget(
            st.select_slider, "train_batch", t("batch_size"), 32, options=BATCH_SIZES,
            help=t("batch_size_help"), **KEEP,
        )  # fmt: skip
    left, right = st.columns(2)
    with left:
        validation = lesson.widget(
            st.slider, "train_validation", t("validation_split"), 0.1, min_value=0.0, max_value=0.5, step=0.05,
            help=t("validation_help"), **KEEP,
        )  # fmt: skip
    with right:
        seed = lesson.widget(
            st.number_input, "train_seed", t("seed"), 0, min_value=0, max_value=2**31 - 1, help=t("seed_help"),
            **KEEP,
        )  # fmt: skip
    available = int(train_size(dataset) * (1 - validation))
    counts = [n for n in SAMPLE_COUNTS if n < available] + [0]
    samples = lesson.widget(
        st.select_slider, "train_samples", t("train_samples"), 0, options=counts,
        help=t("train_samples_help"), format_func=lambda n: t("all") if n == 0 else f"{n:,}", **KEEP,
    )  # fmt: skip
    precision = lesson.widget(
        st.selectbox, "train_precision", t("precision"), "auto", options=PRECISIONS,
        format_func=lambda name: t("precision_" + name), help=t("precision_help"), **KEEP,
    )  # fmt: skip
    shift, rotation, stroke = _augmentation(t, dataset, int(seed))
    return TrainSettings(
        dataset, int(epochs), int(batch_size), float(validation), int(seed), samples or None, shift, rotation,
        int(stroke), precision,
    )  # fmt: skip


def blocking_problem(spec: ModelSpec, report: specs.Report, settings: TrainSettings) -> specs.Problem | None:
    """Why Start must stay disabled (an invalid model, or one that does not fit the data), or None."""
    if not report.ok:
        return report.errors[0]
    shape = (28, 28, 1)
    if data.is_cached(settings.dataset):
        loaded = data.load(settings.dataset)
        return specs.matches_dataset(spec, loaded.input_shape, loaded.num_classes)
    return specs.matches_dataset(spec, shape, 10)
