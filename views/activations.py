"""Activation functions: shapes, slopes and flat regions, and the vanishing-gradient experiment."""

import streamlit as st

from playground import catalog
from playground.concepts import activations, depth
from playground.figures import concepts as figures
from playground.text.activations import CATALOGUE
from playground.ui import lesson, session

t = session.translator(CATALOGUE)
EXPERIMENT = "activations_experiment"  # the (samples, epochs) this session last ran
# The settings a teacher link can fix, by widget key, with the label's text key (and each shown parameter's slider).
LESSON_CONTROLS = {"act_names": "choose", "act_range": "range", "act_probe": "probe", "act_samples": "samples",
                   "act_epochs": "epochs"}  # fmt: skip
SAMPLE_COUNTS = [500, 1000, 2000, 3000, 4000]


@st.cache_data(max_entries=256, show_spinner=False)
def curve(name: str, low: float, high: float, params: tuple) -> activations.Curve:
    return activations.curve(name, low, high, dict(params))


@st.cache_data(max_entries=256, show_spinner=False)
def at_point(name: str, x: float, params: tuple) -> tuple[float, float]:
    value, slope = activations.evaluate(name, [x], dict(params))
    return float(value[0]), float(slope[0])


@st.cache_data(max_entries=8, show_spinner=False)
def experiment(samples: int, epochs: int) -> dict[str, depth.DepthRun]:
    return depth.depth_experiment_in_worker(samples=samples, epochs=epochs)


st.title(t("title"))
st.write(t("intro"))
lesson.show_status("activations")
controls, chart = st.columns([1, 2.6])
with controls:
    names = lesson.widget(
        st.multiselect, "act_names", t("choose"), ["sigmoid", "tanh", "relu"], options=catalog.ACTIVATIONS,
    )  # fmt: skip
    low, high = lesson.widget(
        st.slider, "act_range", t("range"), (-6.0, 6.0), min_value=-10.0, max_value=10.0, step=0.5,
    )  # fmt: skip
    chosen = {name: {} for name in names}
    shown_params = {}  # widget key → label's text key, for the teacher panel
    for name in names:
        for param in activations.ACTIVATION_PARAMS.get(name, ()):
            key, label = f"act_{name}_{param.name}", f"param_{name}_{param.name}"
            shown_params[key] = label
            chosen[name][param.name] = lesson.widget(
                st.slider, key, t(label), param.default, min_value=param.low, max_value=param.high, step=0.05
            )
    probe = lesson.widget(
        st.number_input, "act_probe", t("probe"), 1.0, min_value=-10.0, max_value=10.0, step=0.5,
    )  # fmt: skip
curves = [curve(name, low, high, tuple(chosen[name].items())) for name in names]
with chart:
    st.plotly_chart(figures.activation_figure(curves, t), key="act_chart")
    st.info(t("flat_note", threshold=activations.FLAT_SLOPE), icon=":material/trending_flat:")
    if "softmax" in names:
        st.caption(t("softmax_note"))
    rows = {t("col_activation"): [], t("col_value"): [], t("col_slope"): [], t("col_flat"): []}
    for shown in curves:
        value, slope = at_point(shown.name, probe, tuple(chosen[shown.name].items()))
        rows[t("col_activation")].append(figures.curve_label(shown))
        rows[t("col_value")].append(round(value, 6))
        rows[t("col_slope")].append(round(slope, 6))
        rows[t("col_flat")].append(t("yes") if abs(slope) < activations.FLAT_SLOPE else t("no"))
    st.dataframe(rows, hide_index=True, key="act_probe_table")

st.header(t("experiment_title"))
st.write(t("experiment_text"))
left, middle, right = st.columns([1, 1, 1], vertical_alignment="bottom")
samples = lesson.widget(left.select_slider, "act_samples", t("samples"), 3000, options=SAMPLE_COUNTS)
epochs = lesson.widget(middle.slider, "act_epochs", t("epochs"), 3, min_value=1, max_value=5)
if right.button(t("run"), type="primary", icon=":material/science:", key="act_run"):
    with st.spinner(t("running")):
        try:
            experiment(samples, epochs)
            st.session_state[EXPERIMENT] = (samples, epochs)
        except Exception as error:  # a worker that crashed or timed out: say so, keep the page alive
            st.error(t("experiment_failed", error=error))

if EXPERIMENT in st.session_state:
    runs = experiment(*st.session_state[EXPERIMENT])
    labels = {name: t("preset_" + name) for name in runs}
    for column, (name, run) in zip(st.columns(len(runs)), runs.items(), strict=True):
        column.metric(t("accuracy", name=labels[name]), f"{run.accuracy[-1]:.1%}",
                      help=t("accuracy_help", before=run.accuracy[0]))  # fmt: skip
    when = st.segmented_control(t("when"), ("start", "end"), default="start",
                                format_func=lambda w: t("when_" + w), key="act_when") or "start"  # fmt: skip
    st.plotly_chart(figures.depth_figure(runs, when, labels, t), key="act_depth_chart")
    sizes = {name: (run.grad_start if when == "start" else run.grad_end)[0] for name, run in runs.items()}
    st.success(t("ratio", ratio=sizes["deep-relu"] / sizes["deep-sigmoid"]))

st.page_link("views/build.py", label=t("link_build"), icon=":material/construction:")
st.page_link("views/train.py", label=t("link_train"), icon=":material/model_training:")
lesson.teacher_panel("activations", {key: t(label) for key, label in (LESSON_CONTROLS | shown_params).items()})
