"""The 2-D playground's live part: the session's run for the current settings and the fragment that redraws it."""

from dataclasses import replace

import numpy as np
import streamlit as st

from playground import spec as specs
from playground.plane import data as plane
from playground.plane import figures as plane_figures
from playground.plane import pictures as plane_pictures
from playground.plane import settings as plane_state
from playground.plane.own import PlaneDataError
from playground.plane.settings import PlaneSettings
from playground.ui import preload, session
from playground.ui.plane import own, state
from playground.ui.plane.controls import DIAGRAM, PICTURE

FRAME_SECONDS = 0.4  # asked for every 0.4 s, so that a loaded server still redraws at least twice a second
RESOLUTION = 50  # output grid: 50×50 cells over the plane
THUMB_STEP = 2  # neuron pictures use every 2nd cell: 25×25


def current_run(t):
    """The session's run for the current settings (built, or reset, when data or network changed); None if invalid."""
    plane_run = preload.module("playground.plane.run")  # TensorFlow loads only when the page trains

    current = state.settings()
    spec = plane_state.network_spec(current)
    report = specs.validate(spec)
    for problem in report.errors:
        st.error(t("spec_problem", message=problem.message(session.language())))
    if not report.ok:
        return None
    for problem in report.warnings:
        st.info(t("spec_warning", message=problem.message(session.language())), icon=":material/info:")
    data = None
    if current.source != "builtin":
        data = own.current_data(current)
        if isinstance(data, PlaneDataError):  # not yet a data set (too few points, a broken rule): say why
            if not own.awaits_table(current):
                st.info(data.message(session.language()), icon=":material/info:")
            return None
    keys = (plane_state.data_key(current), plane_state.network_key(current), own.run_identity(current))
    run = state.run(keys)
    if run is None:
        with st.spinner(t("building")):
            if data is None:
                data = plane.generate(
                    current.dataset, current.points, current.noise, current.train / 100, current.seed, current.classes
                )
            run = plane_run.PlaneRun(spec, data, current.features, current.batch, RESOLUTION, current.seed)
        state.keep_run(run, keys)
    elif data is not None and run.data is not data:
        run.use_data(data)  # placed points changed: the same network goes on learning them
    run.learning_rate = current.lr
    run.batch_size = current.batch
    return run


# ---------------------------------------------------------------- drawing a frame


def frame_rgbs(frame, current: PlaneSettings):
    """RGB arrays: the output over the plane, each input feature, each hidden neuron, each output neuron."""
    output = plane_figures.output_rgb(frame.output, RESOLUTION, current.discretize)
    inputs = [_feature_rgb(name) for name in current.features]
    hidden = [
        [plane_figures.neuron_rgb(layer[:, i], RESOLUTION, THUMB_STEP) for i in range(layer.shape[1])]
        for layer in frame.hidden
    ]
    if frame.output.shape[1] == 1:
        outputs = [plane_figures.neuron_rgb(frame.output[:, 0], RESOLUTION, THUMB_STEP)]
    else:
        outputs = [
            plane_figures.probability_rgb(frame.output[:, k], RESOLUTION, k, THUMB_STEP)
            for k in range(frame.output.shape[1])
        ]
    return output, inputs, hidden, outputs


@st.cache_data(max_entries=32, show_spinner=False)
def _feature_rgb(name: str) -> np.ndarray:
    values = plane.features(plane.grid(RESOLUTION // THUMB_STEP), [name])[:, 0]
    side = RESOLUTION // THUMB_STEP
    return plane_figures.diverging_rgb(values.reshape(side, side) / np.abs(values).max())


def _numbers(run, t) -> None:
    current, frame = state.settings(), run.frame
    st.markdown(f"#### {t('epoch', epoch=frame.epoch)}")
    st.caption(t("losses_now", train=frame.train_loss, test=frame.test_loss))
    if run.data.task != "regression":
        test_accuracy = float(np.mean(plane.predicted_class(frame.test_output) == run.data.y_test))
        train_accuracy = float(np.mean(plane.predicted_class(frame.train_output) == run.data.y_train))
        st.caption(t("accuracy_now", train=train_accuracy, test=test_accuracy))
    challenge = plane_state.PRESETS["spiral_challenge"]
    if replace(current, speed=challenge.speed, test=challenge.test, discretize=challenge.discretize) == challenge:
        if frame.test_loss < 0.05 and frame.epoch > 0:
            st.success(t("challenge_met", epoch=frame.epoch, loss=frame.test_loss), icon=":material/emoji_events:")
        else:
            st.caption(t("challenge_goal"))


def render_frame(run, t, live: bool) -> None:
    """Epoch, losses, the network diagram, the output over the plane and the loss curves.

    Live (playing): pictures, which update in place; paused: Plotly figures, whose hover reads out each weight.
    """
    current, frame = state.settings(), run.frame
    _numbers(run, t)
    output, inputs, hidden, outputs = frame_rgbs(frame, current)
    diagram, picture = st.columns([DIAGRAM, PICTURE], gap="small")
    if live:
        encoded = plane_pictures.encoded
        with diagram:
            network = plane_pictures.network_picture(current.features, inputs, hidden, outputs, frame.weights)
            st.image(encoded(network), width="stretch", alt=t("network_alt"))
        with picture:
            output_alt = t("output_alt", epoch=frame.epoch, loss=frame.test_loss)
            st.image(encoded(plane_pictures.output_picture(output, run.data, current.test)), width="stretch",
                     alt=output_alt)  # fmt: skip
            st.image(encoded(plane_pictures.loss_picture(run.history), photo=False), width="stretch",
                     alt=t("loss_alt"))  # fmt: skip
            st.caption(f":gray[━ {t('loss_train')}] · ━ {t('loss_test')}")
        return
    uri = plane_figures.png_uri
    config = {"displayModeBar": False}
    with diagram:
        figure = plane_figures.network_figure(
            current.features, [uri(x) for x in inputs], [[uri(x) for x in layer] for layer in hidden],
            [uri(x) for x in outputs], frame.weights, t,
        )  # fmt: skip
        st.plotly_chart(figure, config=config)
    with picture:
        st.plotly_chart(plane_figures.output_figure(uri(output), run.data, t, current.test), config=config)
        st.plotly_chart(plane_figures.loss_figure(run.history, t), config=config)


def live_view(run, t) -> None:
    """The part that redraws: a fragment that, while playing, trains one frame of epochs every half second."""

    @st.fragment(run_every=FRAME_SECONDS if state.playing() else None)
    def frame() -> None:
        if state.playing():
            run.step(state.settings().speed)
            if run.diverged:  # nothing more to see: stop and say why
                state.pause()
        if run.diverged:
            st.warning(t("diverged"), icon=":material/warning:")
        render_frame(run, t, live=state.playing())

    frame()
