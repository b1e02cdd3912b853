"""Back-propagation step by step: a 2-2-1 network, one example, gradients checked by finite differences."""

import streamlit as st

from playground.concepts import backprop
from playground.figures import concepts as figures
from playground.text.backprop import CATALOGUE
from playground.ui import lesson, session

t = session.translator(CATALOGUE)
WEIGHTS, LOSSES, EXAMPLE = "backprop_weights", "backprop_losses", "backprop_example"
RATES = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
# The settings a teacher link can fix, by widget key, with the label's text key.
LESSON_CONTROLS = {"bp_x1": "x1", "bp_x2": "x2", "bp_target": "target", "bp_activation": "activation",
                   "bp_loss": "loss", "bp_rate": "learning_rate"}  # fmt: skip


def take_steps(count: int, example: backprop.Example, learning_rate: float) -> None:
    """Move the session's weights `count` SGD steps and record the loss after each."""
    weights, losses = backprop.descend(st.session_state[WEIGHTS], example, learning_rate, count)
    st.session_state[WEIGHTS] = weights
    st.session_state[LOSSES].extend(losses)


st.title(t("title"))
st.write(t("intro"))
lesson.show_status("backprop")
controls, diagram = st.columns([1, 2.8])
with controls:
    st.subheader(t("example"))
    left, right = st.columns(2)
    x1, x2 = (
        lesson.widget(
            column.number_input, key, t(LESSON_CONTROLS[key]), float(default), min_value=-5.0, max_value=5.0,
            step=0.05,
        )
        for column, key, default in ((left, "bp_x1", backprop.DEFAULT_INPUTS[0]),
                                     (right, "bp_x2", backprop.DEFAULT_INPUTS[1]))
    )  # fmt: skip
    target = lesson.widget(
        st.number_input, "bp_target", t("target"), float(backprop.DEFAULT_TARGET), min_value=0.0, max_value=1.0,
        step=0.01,
    )  # fmt: skip
    activations, loss_names = list(backprop.HIDDEN_ACTIVATIONS), list(backprop.LOSSES)
    activation = lesson.widget(st.selectbox, "bp_activation", t("activation"), activations[0], options=activations)
    loss_name = lesson.widget(
        st.selectbox, "bp_loss", t("loss"), loss_names[0], options=loss_names,
        format_func=lambda n: t("loss_" + n),
    )  # fmt: skip
    rate = lesson.widget(st.select_slider, "bp_rate", t("learning_rate"), 0.5, options=RATES)
    example = backprop.Example((x1, x2), target, activation, loss_name)
    one, ten = st.columns(2)
    step_one = one.button(t("step"), type="primary", icon=":material/skip_next:", key="bp_step")
    step_ten = ten.button(t("step10"), icon=":material/fast_forward:", key="bp_step10")
    reset = st.button(t("reset"), icon=":material/restart_alt:", key="bp_reset")

if reset or WEIGHTS not in st.session_state:
    st.session_state[WEIGHTS] = dict(backprop.DEFAULT_WEIGHTS)
    st.session_state[EXAMPLE] = None
if st.session_state.get(EXAMPLE) != example:  # a new problem: the loss history starts again
    st.session_state[EXAMPLE] = example
    st.session_state[LOSSES] = [backprop.loss_at(st.session_state[WEIGHTS], example)]
if step_one or step_ten:
    take_steps(1 if step_one else 10, example, rate)

weights, history = st.session_state[WEIGHTS], st.session_state[LOSSES]
current = backprop.propagate(weights, example)
after = backprop.sgd_step(weights, current.gradients, rate)
with diagram:
    first, second, third = st.columns(3)
    first.metric(t("steps_taken"), len(history) - 1)
    second.metric(t("loss_now"), f"{current.loss:.6f}",
                  delta=f"{current.loss - history[0]:+.6f}" if len(history) > 1 else None, delta_color="inverse")  # fmt: skip
    third.metric(t("output_now"), f"{current.nodes['o']:.6f}")
    st.plotly_chart(figures.network_figure(weights, current, example, t), key="bp_network_chart")
    st.caption(t("diagram_note"))

forward, backward, update = st.columns([1, 1.3, 1])
forward.subheader(t("forward_title"))
forward.write(t("forward_text"))
backward.subheader(t("backward_title"))
backward.write(t("backward_text", epsilon=backprop.EPSILON))
update.subheader(t("update_title"))
update.write(t("update_text"))
st.dataframe({t("col_weight"): list(backprop.WEIGHTS),
              t("col_value"): [round(weights[w], 6) for w in backprop.WEIGHTS],
              t("col_autodiff"): [f"{current.gradients[w]:.8f}" for w in backprop.WEIGHTS],
              t("col_numeric"): [f"{current.numeric[w]:.8f}" for w in backprop.WEIGHTS],
              t("col_difference"): [f"{abs(current.gradients[w] - current.numeric[w]):.1e}" for w in backprop.WEIGHTS],
              t("col_update"): [f"{after[w] - weights[w]:+.6f}" for w in backprop.WEIGHTS],
              t("col_after"): [round(after[w], 6) for w in backprop.WEIGHTS]},
             hide_index=True, key="bp_table")  # fmt: skip
st.subheader(t("history_title"))
st.plotly_chart(figures.loss_history_figure(history, t), key="bp_history_chart")

st.page_link("views/build.py", label=t("link_build"), icon=":material/construction:")
st.page_link("views/train.py", label=t("link_train"), icon=":material/model_training:")
lesson.teacher_panel("backprop", {key: t(label) for key, label in LESSON_CONTROLS.items()})
