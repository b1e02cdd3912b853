"""Streamlit glue of the 2-D playground: settings ↔ widgets and link, the session's run, the live fragment.

The settings (a frozen PlaneSettings) are the truth: every widget writes its change into them from its callback,
and before drawing, every widget key is set from them. So presets, links and widgets never disagree.
"""

from dataclasses import replace
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from playground import spec as specs
from playground.plane import code as plane_code
from playground.plane import data as plane
from playground.plane import figures as plane_figures
from playground.plane import pictures as plane_pictures
from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings
from playground.ui import preload, session

SETTINGS, LINK, PLAYING = "plane_settings", "plane_link", "plane_playing"
RUN, RUN_KEYS, RESETS = "plane_run", "plane_run_keys", "plane_resets"
PREFIX = "plane_w_"  # widget keys
FRAME_SECONDS = 0.4  # asked for every 0.4 s, so that a loaded server still redraws at least twice a second
DIAGRAM, PICTURE = 2.5, 1.7  # widths of the network diagram and of the output picture beside it
RESOLUTION = 50  # output grid: 50×50 cells over the plane
THUMB_STEP = 2  # neuron pictures use every 2nd cell: 25×25

# ---------------------------------------------------------------- settings and link


def link() -> plane_state.Link:
    """What the page's link said at the session's first visit (locks, hide, unreadable values)."""
    if LINK not in st.session_state:
        st.session_state[LINK] = plane_state.from_query(st.query_params.to_dict())
        st.session_state[SETTINGS] = st.session_state[LINK].settings
    return st.session_state[LINK]


def settings() -> PlaneSettings:
    """The learner's current settings."""
    link()
    return st.session_state[SETTINGS]


def set_settings(new: PlaneSettings) -> None:
    """Replace the settings; a change of data or network pauses training (the run starts over)."""
    old, new = settings(), plane_state.normalized(new)
    keys = (plane_state.data_key, plane_state.network_key)
    if any(key(new) != key(old) for key in keys):
        st.session_state[PLAYING] = False
    st.session_state[SETTINGS] = new


def locked(name: str) -> bool:
    """True when the link fixes this control."""
    return name in link().lock


def hidden(name: str) -> bool:
    """True when the link fixes this control and hides it."""
    return link().hide and locked(name)


def sync_query() -> None:
    """Keep the address bar equal to the share link of the current settings (like TensorFlow Playground)."""
    current = link()
    wanted = plane_state.to_query(settings(), current.lock, current.hide)
    if "lang" in st.query_params:
        wanted["lang"] = st.query_params["lang"]
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def share_url(query: dict[str, str], language: str) -> str:
    """The page's address with these query parameters (relative when the browser's address is unknown)."""
    try:
        base = st.context.url or "/neurons"
    except Exception:  # no browser context, as in AppTest
        base = "/neurons"
    return base.split("?")[0] + "?" + urlencode({**query, "lang": language})


# ---------------------------------------------------------------- widgets


def _widget_value(name: str, value):
    return list(value) if name == "features" else value


def _changed(name: str) -> None:
    value = st.session_state[PREFIX + name]
    if name == "features":
        if not value:  # keep at least one input: the widget shows the previous choice again
            return
        value = tuple(f for f in plane.FEATURES if f in value)
    set_settings(replace(settings(), **{name: value}))


def control(widget, name: str, label: str, t, **options):
    """Draw one settings widget bound to the field `name`, locked or hidden as the link says."""
    if hidden(name):
        return
    key = PREFIX + name
    st.session_state[key] = _widget_value(name, getattr(settings(), name))
    disabled = locked(name) or options.pop("disabled", False)
    widget(label, key=key, on_change=_changed, args=(name,), disabled=disabled, help=t("help_" + name), **options)


def _set_layers(layers) -> None:
    set_settings(replace(settings(), layers=tuple(layers)))


def change_layer_count(delta: int) -> None:
    """Callback: add a hidden layer (a copy of the last one) or remove the last one."""
    layers = list(settings().layers)
    if delta > 0 and len(layers) < plane_state.MAX_LAYERS:
        layers.append(layers[-1] if layers else (4, "tanh"))
    elif delta < 0 and layers:
        layers.pop()
    _set_layers(layers)


def change_neurons(index: int, delta: int) -> None:
    """Callback: add or remove a neuron in hidden layer `index`."""
    layers = list(settings().layers)
    units, activation = layers[index]
    layers[index] = (min(plane_state.MAX_NEURONS, max(1, units + delta)), activation)
    _set_layers(layers)


def change_activation(index: int) -> None:
    """Callback: the activation of hidden layer `index` from its select box."""
    layers = list(settings().layers)
    layers[index] = (layers[index][0], st.session_state[PREFIX + f"activation{index}"])
    _set_layers(layers)


def _stepper(text: str, key: str, on_click, args, can_remove: bool, can_add: bool, helps: tuple[str, str]) -> None:
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button(
            "", icon=":material/remove:", key=key + "_minus", on_click=on_click, args=(*args, -1), type="tertiary",
            disabled=not can_remove, help=helps[0],
        )  # fmt: skip
        st.markdown(text)
        st.button(
            "", icon=":material/add:", key=key + "_plus", on_click=on_click, args=(*args, 1), type="tertiary",
            disabled=not can_add, help=helps[1],
        )  # fmt: skip


def layer_columns(layer_count: int) -> list:
    """Columns lined up with the network diagram below: inputs, one per hidden layer, output, then the picture."""
    units = layer_count + 2.3  # the diagram's x range: inputs at 0, output at layer_count + 1
    return st.columns([1.4, *([1] * layer_count), 0.9, units * PICTURE / DIAGRAM], gap="small")


def layer_controls(t):
    """Hidden layer count, and above each layer of the diagram its neurons (− / +) and activation.

    Returns the column above the output picture, for the page's view controls.
    """
    current = settings().layers
    disabled = locked("layers")
    columns = layer_columns(len(current))
    if hidden("layers"):
        return columns[-1]
    with columns[0]:
        st.caption(t("hidden_layers"), help=t("help_layers"))
        _stepper(
            f"**{len(current)}**", PREFIX + "layers", change_layer_count, (),
            bool(current) and not disabled, len(current) < plane_state.MAX_LAYERS and not disabled,
            (t("remove_layer"), t("add_layer")),
        )  # fmt: skip
    for index, (units, activation) in enumerate(current):
        with columns[index + 1]:
            st.caption(t("layer_title", number=index + 1), help=t("help_neurons"))
            _stepper(
                f"**{units}**", PREFIX + f"neurons{index}", change_neurons, (index,), units > 1 and not disabled,
                units < plane_state.MAX_NEURONS and not disabled, (t("remove_neuron"), t("add_neuron")),
            )  # fmt: skip
            st.session_state[PREFIX + f"activation{index}"] = activation
            st.selectbox(
                t("activation"), plane_state.HIDDEN_ACTIVATIONS, key=PREFIX + f"activation{index}",
                on_change=change_activation, args=(index,), disabled=disabled, help=t("help_activation"),
                label_visibility="collapsed",
            )  # fmt: skip
    return columns[-1]


def apply_preset() -> None:
    """Callback: load the chosen preset."""
    name = st.session_state[PREFIX + "preset"]
    if name in plane_state.PRESETS:
        set_settings(plane_state.PRESETS[name])
        st.session_state[PLAYING] = False


def preset_name(current: PlaneSettings) -> str:
    """The preset the settings equal, else 'custom'."""
    return next((name for name, preset in plane_state.PRESETS.items() if preset == current), "custom")


def preset_picker(t) -> None:
    """The preset select box, showing the preset the settings equal ('custom' when none)."""
    st.session_state[PREFIX + "preset"] = preset_name(settings())
    st.selectbox(
        t("preset"), [*plane_state.PRESETS, "custom"], key=PREFIX + "preset", on_change=apply_preset,
        format_func=lambda name: t("preset_" + name), help=t("help_preset"),
    )  # fmt: skip


def run_buttons(play, step, reset, t) -> None:
    """Play or pause, one step, and reset, each in its column."""
    icon = ":material/pause:" if playing() else ":material/play_arrow:"
    play.button(t("pause") if playing() else t("play"), on_click=toggle_play, type="primary", help=t("help_play"),
                icon=icon, key=PREFIX + "play", width="stretch")  # fmt: skip
    step.button(t("step"), on_click=step_once, help=t("help_step"), icon=":material/skip_next:", width="stretch",
                key=PREFIX + "step")  # fmt: skip
    reset.button(t("reset"), on_click=reset_run, help=t("help_reset"), icon=":material/replay:", width="stretch",
                 key=PREFIX + "reset")  # fmt: skip


def regenerate_button(t) -> None:
    """New random points (and starting weights), unless a classroom link hides or locks the seed."""
    if not hidden("seed"):
        st.button(t("regenerate"), on_click=new_points, disabled=locked("seed"), help=t("help_seed"),
                  icon=":material/casino:", key=PREFIX + "regenerate")  # fmt: skip
        st.caption(t("seed_caption", seed=settings().seed))


def new_points() -> None:
    """Callback: a new random seed (new points and new starting weights)."""
    current = settings()
    set_settings(replace(current, seed=(current.seed * 7919 + 104729) % plane_state.MAX_SEED))
    st.session_state[PLAYING] = False


# ---------------------------------------------------------------- the run


def current_run(t):
    """The session's run for the current settings (built, or reset, when data or network changed); None if invalid."""
    plane_net = preload.module("playground.plane.engine")  # TensorFlow loads only when the page trains

    current = settings()
    spec = plane_state.network_spec(current)
    report = specs.validate(spec)
    for problem in report.errors:
        st.error(t("spec_problem", message=problem.message(_language())))
    if not report.ok:
        return None
    for problem in report.warnings:
        st.info(t("spec_warning", message=problem.message(_language())), icon=":material/info:")
    keys = (plane_state.data_key(current), plane_state.network_key(current))
    run = st.session_state.get(RUN)
    if run is None or st.session_state.get(RUN_KEYS) != keys:
        with st.spinner(t("building")):
            data = plane.generate(
                current.dataset, current.points, current.noise, current.train / 100, current.seed, current.classes
            )
            run = plane_net.PlaneRun(spec, data, current.features, current.batch, RESOLUTION, current.seed)
        st.session_state[RUN], st.session_state[RUN_KEYS] = run, keys
    run.learning_rate = current.lr
    run.batch_size = current.batch
    return run


def _language() -> str:
    return session.language()


def toggle_play() -> None:
    """Callback: play or pause."""
    st.session_state[PLAYING] = not st.session_state.get(PLAYING, False)


def step_once() -> None:
    """Callback: pause and train one frame's epochs."""
    st.session_state[PLAYING] = False
    run = st.session_state.get(RUN)
    if run is not None:
        run.step(settings().speed)


def reset_run() -> None:
    """Callback: pause and start again from new random weights."""
    st.session_state[PLAYING] = False
    run = st.session_state.get(RUN)
    if run is not None:
        st.session_state[RESETS] = st.session_state.get(RESETS, 0) + 1
        run.reset(settings().seed + 7919 * st.session_state[RESETS])


def playing() -> bool:
    """True while training runs frame after frame."""
    return st.session_state.get(PLAYING, False)


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
    current, frame = settings(), run.frame
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
    current, frame = settings(), run.frame
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

    @st.fragment(run_every=FRAME_SECONDS if playing() else None)
    def frame() -> None:
        if playing():
            run.step(settings().speed)
            if run.diverged:  # nothing more to see: stop and say why
                st.session_state[PLAYING] = False
        if run.diverged:
            st.warning(t("diverged"), icon=":material/warning:")
        render_frame(run, t, live=playing())

    frame()


# ---------------------------------------------------------------- export and share


def export_panel(run, t) -> None:
    """The experiment as a Keras script, and the network on the Build page."""
    current = settings()
    epochs = run.epoch if run is not None and run.epoch else 100
    source = plane_code.plane_source(current, epochs=epochs, language=_language())
    with st.expander(t("code"), icon=":material/code:"):
        st.caption(t("code_caption"))
        st.code(source, language="python")
        left, right = st.columns(2)
        left.download_button(t("download_code"), source, file_name="playground_2d.py", mime="text/x-python")
        if right.button(
            t("open_build"), icon=":material/construction:", key=PREFIX + "open_build", help=t("help_open_build")
        ):
            from playground.ui import session

            session.set_spec(plane_state.network_spec(current))
            st.switch_page("views/build.py")


def share_panel(t) -> None:
    """The share link, and a classroom link that locks (and may hide) chosen controls."""
    current = settings()
    names = {name: _control_label(name, t) for name in plane_state.CONTROLS}
    with st.expander(t("share"), icon=":material/share:"):
        st.caption(t("share_caption"))
        st.markdown(f"**{t('share_link')}**")
        st.code(share_url(plane_state.to_query(current), _language()), language=None)
        lock = st.multiselect(
            t("lock"), plane_state.CONTROLS, format_func=names.get, key=PREFIX + "lock_choice", help=t("help_lock")
        )
        hide = st.checkbox(t("hide"), key=PREFIX + "hide_choice", help=t("help_hide"))
        if lock:
            st.markdown(f"**{t('classroom_link')}**")
            st.code(share_url(plane_state.to_query(current, tuple(lock), hide), _language()), language=None)


def _control_label(name: str, t) -> str:
    return t({"layers": "hidden_layers", "seed": "regenerate"}.get(name, name))


def link_notes(t) -> None:
    """One line about unreadable link values, and one naming the locked controls."""
    current = link()
    if current.unreadable:
        st.warning(t("link_unreadable", names=", ".join(current.unreadable)), icon=":material/link_off:")
    if current.lock:
        st.caption(t("locked_note", names=", ".join(_control_label(n, t) for n in current.lock)))
