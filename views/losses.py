"""Loss functions: a classification example to drag, and a regression with an outlier (MSE vs MAE)."""

import numpy as np
import streamlit as st

from playground.concepts import losses
from playground.figures import concepts as figures
from playground.text.losses import CATALOGUE
from playground.ui import lesson, session

t = session.translator(CATALOGUE)
SWEEP = np.linspace(losses.LOWEST_PROBABILITY, 1.0 - losses.LOWEST_PROBABILITY, 300)


@st.cache_data(max_entries=64, show_spinner=False)
def sweep(true_class: int, p: tuple = tuple(SWEEP)) -> dict:
    return losses.loss_along_spread(true_class, np.asarray(p))


@st.cache_data(max_entries=256, show_spinner=False)
def at_prediction(true_class: int, prediction: tuple) -> dict:
    return losses.loss_points(losses.one_hot(true_class), np.asarray(prediction))


@st.cache_data(max_entries=128, show_spinner=False)
def regression(outlier_y: float) -> tuple:
    x, y = losses.regression_data(outlier_y)
    fits = {name: losses.fit_line(name, x, y) for name in losses.REGRESSION_LOSSES}
    pulls = {name: losses.point_pulls(name, x, y, line) for name, line in fits.items()}
    scores = {name: {other: float(losses.line_loss(other, x, y, np.asarray(line))) for other in fits}
              for name, line in fits.items()}  # fmt: skip
    return x, y, fits, pulls, scores


st.title(t("title"))
st.write(t("intro"))
lesson.show_status("losses")
st.header(t("classification_title"))
controls, charts = st.columns([1, 2.6])
with controls:
    classes, modes = range(losses.NUM_CLASSES), ("spread", "vector")
    true_class = lesson.widget(st.selectbox, "loss_class", t("true_class"), 3, options=classes)
    mode = lesson.widget(
        st.radio, "loss_mode", t("mode"), "spread", options=modes, format_func=lambda m: t("mode_" + m)
    )
    if mode == "spread":
        p = lesson.widget(st.slider, "loss_p", t("p_true"), 0.7, min_value=0.01, max_value=1.0, step=0.01)
        prediction = losses.spread_vector(p, true_class)
        st.caption(t("spread_note"))
    else:
        weights = [
            lesson.widget(
                st.slider,
                f"loss_w{c}",
                t("class_weight", c=c),
                0.6 if c == 8 else 0.1,
                min_value=0.0,
                max_value=1.0,
                step=0.05,
            )  # fmt: skip
            for c in classes
        ]
        prediction = losses.normalise(weights)
        st.caption(t("vector_note"))
points = at_prediction(true_class, tuple(prediction))
with charts:
    if mode == "spread":
        curves = sweep(true_class)
        st.plotly_chart(figures.loss_sweep_figure(SWEEP, curves, p, t), key="loss_sweep_chart")
        slopes = {name: float(curve[1][0]) for name, curve in sweep(true_class, (p,)).items()}
    else:
        slopes = {name: float(point.gradient[true_class]) for name, point in points.items()}
    slope_column = t("col_slope_p" if mode == "spread" else "col_gradient_true")
    table = {t("col_loss"): [t("loss_" + name) for name in points],
             t("col_value"): [round(point.value, 6) for point in points.values()],
             slope_column: [round(slopes[name], 6) for name in points]}  # fmt: skip
    st.dataframe(table, hide_index=True, key="loss_table")
    st.plotly_chart(figures.prediction_figure(prediction, points, true_class, t), key="loss_prediction_chart")
st.info(t("confident_note"), icon=":material/warning:")

st.subheader(t("uses_title"))
for name in losses.CLASSIFICATION_LOSSES:
    st.markdown("- " + t("use_" + name))

st.header(t("regression_title"))
outlier = lesson.widget(st.slider, "loss_outlier", t("outlier"), 22.0, min_value=-10.0, max_value=30.0, step=1.0)
x, y, fits, pulls, scores = regression(outlier)
st.plotly_chart(figures.regression_figure(x, y, fits, pulls, t), key="loss_regression_chart")
st.dataframe({t("col_loss"): [t("loss_" + name) for name in fits],
              t("col_slope"): [round(line[0], 4) for line in fits.values()],
              t("col_intercept"): [round(line[1], 4) for line in fits.values()],
              t("col_fit_mse"): [round(scores[name]["mean_squared_error"], 4) for name in fits],
              t("col_fit_mae"): [round(scores[name]["mean_absolute_error"], 4) for name in fits]},
             hide_index=True, key="loss_fit_table")  # fmt: skip
st.caption(t("regression_note"))

st.page_link("views/build.py", label=t("link_build"), icon=":material/construction:")
st.page_link("views/train.py", label=t("link_train"), icon=":material/model_training:")
controls = {"loss_class": t("true_class"), "loss_mode": t("mode"), "loss_p": t("p_true"), "loss_outlier": t("outlier")}
lesson.teacher_panel("losses", controls | {f"loss_w{c}": t("class_weight", c=c) for c in range(losses.NUM_CLASSES)})
