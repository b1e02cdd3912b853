"""The 2-D playground's controls: every settings widget, bound to its field and locked or hidden by the lesson.

Each widget's key is state.key(field); before drawing, it is set from the settings, and its callback writes the
change back into them. The widget keys (state.PREFIX) are read and written here only.
"""

from dataclasses import replace

import streamlit as st

from playground import catalog
from playground.plane import data as plane
from playground.plane import rule
from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings
from playground.ui import lesson
from playground.ui.plane import address, own, state
from playground.ui.plane.state import PREFIX

DIAGRAM, PICTURE = 2.5, 1.7  # widths of the network diagram and of the output picture beside it


def _widget_value(name: str, value):
    return list(value) if name == "features" else value


def _changed(name: str) -> None:
    value = st.session_state[PREFIX + name]
    if name == "features":
        if not value:  # keep at least one input: the widget shows the previous choice again
            return
        value = tuple(f for f in plane.FEATURES if f in value)
    state.set_settings(replace(state.settings(), **{name: value}))


def control(widget, name: str, label: str, t, **options):
    """Draw one settings widget bound to the field `name`, locked or hidden as the lesson says."""
    key = PREFIX + name  # the widget key a lesson locks (state.key)
    if lesson.hidden(key):
        return
    st.session_state[key] = _widget_value(name, getattr(state.settings(), name))
    locking = lesson.control(key, t("help_" + name))  # key, help, and disabled with a note when locked
    disabled = any([locking.pop("disabled", False), options.pop("disabled", False)])  # both popped
    widget(label, on_change=_changed, args=(name,), disabled=disabled, **locking, **options)


# ---------------------------------------------------------------- toolbar and settings rows


def apply_preset() -> None:
    """Callback: load the chosen preset."""
    name = st.session_state[PREFIX + "preset"]
    if name in plane_state.PRESETS:
        state.set_settings(plane_state.PRESETS[name])
        state.pause()


def preset_name(current: PlaneSettings) -> str:
    """The preset the settings equal, else 'custom'."""
    return next((name for name, preset in plane_state.PRESETS.items() if preset == current), "custom")


def toolbar(t) -> None:
    """Preset, play / pause, step, reset, and how much is trained per frame."""
    preset, play, step, reset, speed = st.columns([3, 1, 1, 1, 2], vertical_alignment="bottom")
    with preset:  # a preset would change locked settings: a classroom link leaves it out
        if not address.locked_controls():
            st.session_state[PREFIX + "preset"] = preset_name(state.settings())
            st.selectbox(
                t("preset"), [*plane_state.PRESETS, "custom"], key=PREFIX + "preset", on_change=apply_preset,
                format_func=lambda name: t("preset_" + name), help=t("help_preset"),
            )  # fmt: skip
    playing = state.playing()
    play.button(
        t("pause") if playing else t("play"), on_click=state.toggle_play, type="primary", help=t("help_play"),
        icon=":material/pause:" if playing else ":material/play_arrow:", key=PREFIX + "play", width="stretch",
    )  # fmt: skip
    step.button(
        t("step"), on_click=state.step_once, help=t("help_step"), icon=":material/skip_next:", width="stretch",
        key=PREFIX + "step",
    )  # fmt: skip
    reset.button(
        t("reset"), on_click=state.reset_run, help=t("help_reset"), icon=":material/replay:", width="stretch",
        key=PREFIX + "reset",
    )  # fmt: skip
    with speed:
        control(st.select_slider, "speed", t("speed"), t, options=plane_state.SPEEDS)


def training_row(t) -> None:
    """The training settings in one row, as in TensorFlow Playground's top bar."""
    current = state.settings()
    row = st.columns(7)
    with row[0]:
        control(st.selectbox, "lr", t("lr"), t, options=plane_state.LEARNING_RATES, format_func=lambda v: f"{v:g}")
    with row[1]:
        control(st.selectbox, "optimizer", t("optimizer"), t, options=tuple(catalog.OPTIMIZERS))
    with row[2]:
        control(
            st.selectbox, "loss", t("loss"), t, options=tuple(plane_state.LOSSES),
            format_func=lambda name: t("loss_" + name), disabled=plane_state.task(current) == "regression",
        )  # fmt: skip
    with row[3]:
        control(st.slider, "batch", t("batch"), t, min_value=1, max_value=30)
    with row[4]:
        control(
            st.selectbox, "regularization", t("regularization"), t, options=plane_state.REGULARIZATIONS,
            format_func=lambda name: t("regularization_" + name),
        )  # fmt: skip
    with row[5]:
        control(
            st.selectbox, "rate", t("rate"), t, options=plane_state.REGULARIZATION_RATES,
            format_func=lambda v: f"{v:g}", disabled=current.regularization == "none",
        )  # fmt: skip
    with row[6]:
        control(
            st.selectbox, "dropout", t("dropout"), t, options=plane_state.DROPOUT_RATES, format_func=lambda v: f"{v:g}"
        )


def new_points() -> None:
    """Callback: a new random seed (new points and new starting weights)."""
    current = state.settings()
    state.set_settings(replace(current, seed=(current.seed * 7919 + 104729) % plane_state.MAX_SEED))
    state.pause()


def data_locked() -> bool:
    """True when a lesson fixes the data: its source, or the data set (then own data cannot replace it either)."""
    return lesson.locked(PREFIX + "source") or lesson.locked(PREFIX + "dataset")


def data_controls(t) -> None:
    """Where the points come from, that source's own controls, the split, the seed and the input features."""
    current = state.settings()
    control(
        st.selectbox, "source", t("source"), t, options=plane_state.SOURCES, format_func=lambda s: t("source_" + s),
        disabled=lesson.locked(PREFIX + "dataset"),
    )  # fmt: skip
    hidden = lesson.hidden(PREFIX + "source") or lesson.hidden(PREFIX + "dataset")
    if current.source == "builtin":
        _builtin_controls(t, current)
    elif current.source == "rule":
        control(st.text_input, "rule", t("rule"), t, max_chars=rule.MAX_LENGTH, placeholder="x1**2 + x2**2 < 16")
        control(st.select_slider, "points", t("points"), t, options=plane_state.POINT_COUNTS)
        control(st.select_slider, "noise", t("jitter"), t, options=plane_state.NOISE_LEVELS, format_func=_percent)
        control(st.select_slider, "flip", t("flip"), t, options=plane_state.FLIP_RATES, format_func=_percent)
    elif current.source == "place":
        control(st.selectbox, "target", t("target"), t, options=plane_state.TARGETS, format_func=_target(t))
        if current.target == "classes":
            control(st.slider, "classes", t("classes"), t, min_value=2, max_value=plane.MAX_CLASSES)
    elif not hidden:
        own.table_editor(t, current, data_locked())
    if current.source != "builtin":
        st.caption(t("task_" + plane_state.task(current), classes=plane_state.class_count(current)))
    control(st.select_slider, "train", t("train"), t, options=plane_state.TRAIN_PERCENTS)
    if not lesson.hidden(PREFIX + "seed"):  # the seed's control is the button that draws a new one
        st.button(
            t("regenerate"), on_click=new_points, icon=":material/casino:",
            **lesson.control(PREFIX + "seed", t("help_seed")),
        )  # fmt: skip
        st.caption(t("seed_caption", seed=current.seed))
    control(
        st.pills, "features", t("features"), t, options=tuple(plane.FEATURES), selection_mode="multi",
        format_func=plane.FEATURE_SYMBOLS.get, width="stretch", wrap=True,
    )  # fmt: skip


def place_row(t) -> None:
    """The plane to place points on, across the page, when points are being placed."""
    current = state.settings()
    hidden = lesson.hidden(PREFIX + "source") or lesson.hidden(PREFIX + "dataset")
    if current.source == "place" and not hidden:
        own.place_plane(t, current, data_locked())


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _target(t):
    return lambda name: t("target_" + name)


def _builtin_controls(t, current: PlaneSettings) -> None:
    task = plane_state.task(current)
    control(
        st.selectbox, "dataset", t("dataset"), t, options=tuple(plane.DATASETS),
        format_func=lambda name: t("dataset_" + name),
    )  # fmt: skip
    if task == "multiclass":
        control(st.slider, "classes", t("classes"), t, min_value=plane.MIN_CLASSES, max_value=plane.MAX_CLASSES)
    st.caption(t("task_" + task, classes=current.classes))
    control(st.select_slider, "noise", t("noise"), t, options=plane_state.NOISE_LEVELS, format_func=_percent)
    control(st.select_slider, "points", t("points"), t, options=plane_state.POINT_COUNTS)


# ---------------------------------------------------------------- the layer editor above the diagram


def _set_layers(layers) -> None:
    state.set_settings(replace(state.settings(), layers=tuple(layers)))


def change_layer_count(delta: int) -> None:
    """Callback: add a hidden layer (a copy of the last one) or remove the last one."""
    layers = list(state.settings().layers)
    if delta > 0 and len(layers) < plane_state.MAX_LAYERS:
        layers.append(layers[-1] if layers else (4, "tanh"))
    elif delta < 0 and layers:
        layers.pop()
    _set_layers(layers)


def change_neurons(index: int, delta: int) -> None:
    """Callback: add or remove a neuron in hidden layer `index`."""
    layers = list(state.settings().layers)
    units, activation = layers[index]
    layers[index] = (min(plane_state.MAX_NEURONS, max(1, units + delta)), activation)
    _set_layers(layers)


def change_activation(index: int) -> None:
    """Callback: the activation of hidden layer `index` from its select box."""
    layers = list(state.settings().layers)
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


def _layer_help(text: str) -> str:
    # The layer editor's parts share the lock of "layers": each says why it is disabled, as lesson.control does.
    return lesson.control(PREFIX + "layers", text)["help"]


def layer_columns(layer_count: int) -> list:
    """Columns lined up with the network diagram below: inputs, one per hidden layer, output, then the picture."""
    units = layer_count + 2.3  # the diagram's x range: inputs at 0, output at layer_count + 1
    return st.columns([1.4, *([1] * layer_count), 0.9, units * PICTURE / DIAGRAM], gap="small")


def layer_controls(t):
    """Hidden layer count, and above each layer of the diagram its neurons (− / +) and activation.

    Returns the column above the output picture, for the page's view controls.
    """
    current = state.settings().layers
    disabled = lesson.locked(PREFIX + "layers")
    columns = layer_columns(len(current))
    if lesson.hidden(PREFIX + "layers"):
        return columns[-1]
    with columns[0]:
        st.caption(t("hidden_layers"), help=_layer_help(t("help_layers")))
        _stepper(
            f"**{len(current)}**", PREFIX + "layers", change_layer_count, (),
            bool(current) and not disabled, len(current) < plane_state.MAX_LAYERS and not disabled,
            (_layer_help(t("remove_layer")), _layer_help(t("add_layer"))),
        )  # fmt: skip
    for index, (units, activation) in enumerate(current):
        with columns[index + 1]:
            st.caption(t("layer_title", number=index + 1), help=_layer_help(t("help_neurons")))
            _stepper(
                f"**{units}**", PREFIX + f"neurons{index}", change_neurons, (index,), units > 1 and not disabled,
                units < plane_state.MAX_NEURONS and not disabled,
                (_layer_help(t("remove_neuron")), _layer_help(t("add_neuron"))),
            )  # fmt: skip
            st.session_state[PREFIX + f"activation{index}"] = activation
            st.selectbox(
                t("activation"), plane_state.HIDDEN_ACTIVATIONS, key=PREFIX + f"activation{index}",
                on_change=change_activation, args=(index,), disabled=disabled, help=_layer_help(t("help_activation")),
                label_visibility="collapsed",
            )  # fmt: skip
    return columns[-1]
