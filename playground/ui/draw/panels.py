"""Panels of the Draw page: the input's source and test image, the prediction, inside the network, and the test
set's mistakes."""

from collections.abc import Callable

import numpy as np
import streamlit as st

from playground.data import images as drawing
from playground.figures import inspection as figures
from playground.inspection import weights
from playground.inspection.evaluation import Evaluation
from playground.inspection.inspector import Inspection
from playground.ui.draw import explain_panel

CELL_TRUE, CELL_PREDICTED = "draw_cell_true", "draw_cell_predicted"
CONFUSION = "draw_confusion"
CLASS_NAMES = "draw_class_names"  # the test set's class names, for the confusion matrix's click callback
TAB = "draw_inside_tab"


def prediction(t, x: np.ndarray, inspection: Inspection, names, true_class: int | None, chart) -> None:
    """What the model sees, the predicted class as a metric, and (in `chart`) every class probability."""
    picture = st.empty()  # shown above the metric, sent after it: the prediction reaches the browser first
    st.metric(t("prediction"), names[inspection.prediction])
    percent = f"{inspection.probabilities.max():.1%}"
    alt = t("model_sees_alt", size=x.shape[0], prediction=names[inspection.prediction], percent=percent)
    picture.image(drawing.enlarge(x, 5), caption=t("model_sees"), alt=alt)
    st.caption(t("confidence", percent=percent))
    st.caption(t("ranking", ranking=ranking(inspection.probabilities, names)))
    figure = figures.probabilities_bar(
        inspection.probabilities, names, t("probabilities_title"), t("probability"), true_class
    )
    chart.plotly_chart(figure, key="draw_probabilities", config={"displayModeBar": False})


def ranking(probabilities: np.ndarray, names, count: int = 3) -> str:
    """The most likely classes with their probabilities, as text: "7 (92.0%), 1 (3.1%), 9 (2.0%)"."""
    best = np.argsort(probabilities)[::-1][:count]
    return ", ".join(f"{names[i]} ({probabilities[i]:.1%})" for i in best)


def _shape(values: np.ndarray) -> str:
    return "×".join(str(n) for n in values.shape)


def inside(t, trained, x: np.ndarray, inspection: Inspection, names) -> None:
    """Feature maps (layer picker), Dense activations, first-layer filters, the saliency map and any number explained."""
    st.subheader(t("inside"))
    st.caption(t("inside_help"))
    # Only the open tab is computed and sent: each stroke then draws two charts, not six.
    labels = [t("tab_maps"), t("tab_dense"), t("tab_filters"), t("tab_saliency"), explain_panel.tab_label()]
    maps_tab, dense_tab, filters_tab, saliency_tab, explain_tab = st.tabs(labels, key=TAB, on_change="rerun")
    if maps_tab.open:
        with maps_tab:
            _feature_maps(t, inspection)
    if dense_tab.open:
        with dense_tab:
            _dense(t, inspection)
    if filters_tab.open:
        with filters_tab:
            _filters(t, trained)
    if saliency_tab.open:
        with saliency_tab:
            _saliency(t, x, inspection, names)
    if explain_tab.open:
        with explain_tab:
            explain_panel.show(trained, x, inspection, names)


def _feature_maps(t, inspection: Inspection) -> None:
    layers = {
        t("layer_label", position=a.position, kind=a.kind, shape=_shape(a.values)): a
        for a in inspection.activations
        if a.is_feature_maps
    }
    if not layers:
        st.info(t("no_maps"))
        return
    label = st.selectbox(t("layer"), list(layers), key="draw_layer")
    chosen = layers[label]
    title = t("maps_title", position=chosen.position, kind=chosen.kind, count=chosen.values.shape[-1])
    st.plotly_chart(figures.feature_maps(chosen.values, title, t("map")), key="draw_maps")
    st.caption(t("maps_help"))


def _dense(t, inspection: Inspection) -> None:
    vectors = [a for a in inspection.activations if a.is_vector]
    for a in vectors:
        title = t("dense_title", position=a.position, kind=a.kind, count=a.values.shape[0])
        figure = figures.dense_bars(a.values, title, t("activation"), t("neuron"))
        st.plotly_chart(figure, key=f"draw_dense_{a.position}")
    if not vectors:
        st.info(t("no_dense"))


def _filters(t, trained) -> None:
    found = weights.first_layer_filters(trained)
    if found is None:
        st.info(t("no_filters"))
        return
    caption, kernels = found
    title = t("filters_title", count=len(kernels))
    st.plotly_chart(figures.filters(kernels, title, t("filter")), key="draw_filters")
    st.caption(t("filters_help_" + caption))


def _saliency(t, x: np.ndarray, inspection: Inspection, names) -> None:
    left, right = st.columns([3, 2])
    title = t("saliency_title", label=names[inspection.prediction])
    left.plotly_chart(figures.saliency(x, inspection.saliency, title, t("gradient")), key="draw_saliency")
    right.caption(t("saliency_help"))


def _cell_clicked() -> None:
    # A click on the confusion matrix selects one of the invisible cell markers: copy it into the pickers.
    points = st.session_state[CONFUSION].selection.points
    if points:
        names = st.session_state.get(CLASS_NAMES, ())
        if points[0]["y"] in names and points[0]["x"] in names:
            st.session_state[CELL_TRUE] = names.index(points[0]["y"])
            st.session_state[CELL_PREDICTED] = names.index(points[0]["x"])


def _worst_cell(confusion: np.ndarray) -> tuple[int, int]:
    off = confusion - np.diag(np.diag(confusion))
    true, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
    return int(true), int(predicted)


def test_set(t, dataset, dataset_title: str, evaluation: Evaluation, inspect: Callable[[int], None]) -> None:
    """Test accuracy, the clickable confusion matrix, per-class accuracy and the examples of one cell; a button hands
    the chosen example's index to `inspect`."""
    names = dataset.class_names
    st.session_state[CLASS_NAMES] = names
    st.subheader(t("test_set"))
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.metric(t("test_accuracy"), f"{evaluation.accuracy:.1%}")
        st.caption(t("test_count", count=len(evaluation.labels), dataset=dataset_title))
        figure = figures.confusion_matrix(
            evaluation.confusion, names, t("confusion_title"), t("true_class"), t("predicted_class")
        )
        st.plotly_chart(figure, key=CONFUSION, on_select=_cell_clicked, selection_mode="points")
    with right:
        accuracy = evaluation.per_class_accuracy()
        st.plotly_chart(figures.per_class_accuracy(accuracy, names, t("per_class_title"), t("accuracy")))
        if CELL_TRUE not in st.session_state:
            st.session_state[CELL_TRUE], st.session_state[CELL_PREDICTED] = _worst_cell(evaluation.confusion)
        first, second = st.columns(2)
        classes = list(range(len(names)))
        true = first.selectbox(t("cell_true"), classes, format_func=names.__getitem__, key=CELL_TRUE)
        predicted = second.selectbox(t("cell_predicted"), classes, format_func=names.__getitem__, key=CELL_PREDICTED)
        examples = evaluation.examples(true, predicted)
        if not len(examples):
            st.caption(t("cell_empty", true=names[true], predicted=names[predicted]))
            return
        summary = t("cell_count", count=len(examples), true=names[true], predicted=names[predicted])
        st.caption(summary)
        shown = examples[:40]
        grid, _ = figures.mosaic(dataset.x_test[shown].astype(np.float32) / 255, columns=min(10, len(shown)), gap=2)
        st.image(drawing.enlarge(np.nan_to_num(grid, nan=0.35), 2), alt=summary)
        numbers = list(range(len(shown)))
        number = st.selectbox(
            t("cell_pick"),
            numbers,
            format_func=lambda n: t("cell_example", number=n + 1, index=int(shown[n])),
            key="draw_cell_example",
        )
        st.button(t("inspect_example"), on_click=inspect, args=(int(shown[min(number, len(shown) - 1)]),))
