"""Back-propagation step by step: a 2-2-1 network, one example, gradients checked by finite differences."""

import streamlit as st

from playground.concepts import backprop, figures
from playground.text.backprop import CATALOGUE
from playground.ui import session

t = session.translator(CATALOGUE)
WEIGHTS, LOSSES, EXAMPLE = "backprop_weights", "backprop_losses", "backprop_example"
RATES = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def take_steps(count: int, example: backprop.Example, learning_rate: float) -> None:
    """Move the session's weights `count` SGD steps and record the loss after each."""
    weights, losses = backprop.descend(st.session_state[WEIGHTS], example, learning_rate, count)
    st.session_state[WEIGHTS] = weights
    st.session_state[LOSSES].extend(losses)


st.title(t("title"))
st.write(t("intro"))
controls, diagram = st.columns([1, 2.8])
with controls:
    st.subheader(t("example"))
    left, right = st.columns(2)
    x1 = left.number_input(t("x1"), -5.0, 5.0, backprop.DEFAULT_INPUTS[0], 0.05, key="bp_x1")
    x2 = right.number_input(t("x2"), -5.0, 5.0, backprop.DEFAULT_INPUTS[1], 0.05, key="bp_x2")
    target = st.number_input(t("target"), 0.0, 1.0, backprop.DEFAULT_TARGET, 0.01, key="bp_target")
    activation = st.selectbox(t("activation"), backprop.HIDDEN_ACTIVATIONS, key="bp_activation")
    loss_name = st.selectbox(t("loss"), backprop.LOSSES, format_func=lambda n: t("loss_" + n), key="bp_loss")
    rate = st.select_slider(t("learning_rate"), RATES, value=0.5, key="bp_rate")
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
