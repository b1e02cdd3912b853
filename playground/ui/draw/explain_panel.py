"""The Draw page's "explain a number" tab: pick any activation (click a map's cell, or type layer and place) and see
the arithmetic that made it, beside the model's own value (playground.inspection.explain does the numbers)."""

import numpy as np
import streamlit as st

from playground.bundle import TrainedModel
from playground.figures import explain as figures
from playground.inspection import explain
from playground.inspection.inspector import Inspection
from playground.text.explain import CATALOGUE
from playground.ui import session

TARGET, CHANNEL, ROW, COLUMN, UNIT = (
    "draw_explain_target",
    "draw_explain_channel",
    "draw_explain_row",
    "draw_explain_column",
    "draw_explain_unit",
)
MAP, SOURCE_CHART, NUMBERS_CHART = "draw_explain_map", "draw_explain_source", "draw_explain_numbers"
REL, ABS = 1e-4, 1e-5  # how closely the recomputed value must equal the model's (float32 against float64)
LISTED = 9  # numbers written out one by one in the text alternative of a window (a 3×3 kernel on one channel)


def tab_label() -> str:
    """The tab's title in the session's language."""
    return session.translator(CATALOGUE)("tab")


def number(value: float) -> str:
    """A value as the panel writes it: six significant digits."""
    return f"{float(value) + 0.0:.6g}"  # + 0.0 writes -0.0 as 0


def _numbers(values: np.ndarray) -> str:
    return ", ".join(number(v) for v in np.asarray(values).ravel())


def _clamp(key: str, count: int) -> None:
    # Another layer or model may leave a place off the new array: keep the field within it (before the widget).
    st.session_state[key] = min(max(int(st.session_state.get(key, 0)), 0), count - 1)


def _clicked() -> None:
    # A click on the map selects one of the invisible cell markers: copy its place into the fields.
    points = st.session_state[MAP].selection.points
    if points:
        st.session_state[ROW], st.session_state[COLUMN] = int(points[0]["y"]), int(points[0]["x"])


def _target_label(t, target: explain.Target) -> str:
    shape = "×".join(str(n) for n in target.shape)
    if target.part:
        return t("target_part", position=target.position, kind=target.kind, part=target.part, shape=shape)
    return t("target_label", position=target.position, kind=target.kind, shape=shape)


def show(trained: TrainedModel, x: np.ndarray, inspection: Inspection, names) -> None:
    """The pickers (layer or part, then map and cell, or unit), the clickable map, and the chosen value's arithmetic."""
    t = session.translator(CATALOGUE)
    image = np.asarray(x, dtype=np.float32).reshape(trained.spec.input_shape)
    st.caption(t("intro"))
    targets = explain.targets(inspection)
    _clamp(TARGET, len(targets))
    chosen = st.selectbox(
        t("target"), list(range(len(targets))), format_func=lambda i: _target_label(t, targets[i]), key=TARGET
    )
    target = targets[chosen]
    if len(target.shape) == 3:
        index = _place(t, target)
        clicked, read = st.columns(2)  # the map clicked in beside the maps it was computed from
        _clickable_map(t, target, image, inspection, index, clicked)
        st.markdown(t("chosen_cell", row=index[0], column=index[1], channel=index[2]))
    else:
        index, read = _unit(t, target), st.columns(2)[0]
    found = explain.explain(trained, image, inspection, target.position, index, target.part)
    if found is None:
        st.info(t("not_explained"))
        return
    _explanation(t, found, image, inspection, names, read)


def _place(t, target: explain.Target) -> tuple[int, int, int]:
    rows, columns, channels = target.shape
    for key, count in ((CHANNEL, channels), (ROW, rows), (COLUMN, columns)):
        _clamp(key, count)
    first, second, third = st.columns(3)
    channel = first.number_input(t("channel"), min_value=0, max_value=channels - 1, step=1, key=CHANNEL)
    row = second.number_input(t("row"), min_value=0, max_value=rows - 1, step=1, key=ROW)
    column = third.number_input(t("column"), min_value=0, max_value=columns - 1, step=1, key=COLUMN)
    return int(row), int(column), int(channel)


def _clickable_map(t, target: explain.Target, image, inspection: Inspection, index, where) -> None:
    row, column, channel = index
    values = explain.values_of(explain.Source(target.position, target.part), image, inspection)[..., channel]
    figure = figures.one_map(values, t("map_title", channel=channel), t("value"), clickable=True, chosen=(row, column))
    where.plotly_chart(figure, key=MAP, on_select=_clicked, selection_mode="points", config={"displayModeBar": False})
    where.caption(t("map_alt", channel=channel, height=values.shape[0], width=values.shape[1],
                    low=number(values.min()), high=number(values.max()), row=row, column=column))  # fmt: skip


def _unit(t, target: explain.Target) -> tuple[int]:
    _clamp(UNIT, target.shape[0])
    unit = st.number_input(t("unit"), min_value=0, max_value=target.shape[0] - 1, step=1, key=UNIT)
    st.markdown(t("chosen_unit", unit=unit))
    return (int(unit),)


def _source(t, source: explain.Source) -> str:
    if source.position == 0:
        return t("source_image")
    if source.part:
        return t("source_part", part=source.part, position=source.position)
    return t("source_layer", position=source.position)


def _explanation(t, found: explain.Explanation, image, inspection: Inspection, names, where) -> None:
    numbers = found.numbers
    source = _source(t, found.sources[0])
    _show_source(t, found, image, inspection, source, where)
    _WAYS[numbers.how](t, numbers, source, found)
    if numbers.logits is not None:
        _softmax(t, numbers, found, names)
    keras_column, ours_column = st.columns(2)
    keras_column.metric(t("keras_value"), number(found.value))
    ours_column.metric(t("recomputed"), number(numbers.computed))
    difference = abs(found.value - numbers.computed)
    agree = difference <= ABS + REL * abs(found.value)
    (st.success if agree else st.warning)(t("match" if agree else "mismatch", difference=f"{difference:.1e}"))


def _show_source(t, found: explain.Explanation, image, inspection: Inspection, source: str, where) -> None:
    # The input maps with the cells read outlined, on the map that matters most.
    numbers = found.numbers
    values = explain.values_of(found.sources[0], image, inspection)
    if numbers.window is None or values.ndim != 3:
        return
    if len(numbers.channels) == 1:
        channel = numbers.channels[0]
    else:  # a convolution reads every channel: show the one whose products weigh most
        channel = int(np.argmax(np.abs(numbers.products.sum(axis=(0, 1)))))
    top, left, height, width = numbers.window
    title = t("source_title", source=source, channel=channel)
    figure = figures.one_map(values[..., channel], title, t("value"), window=numbers.window)
    where.plotly_chart(figure, key=SOURCE_CHART, config={"displayModeBar": False, "staticPlot": True})
    where.caption(t("source_alt", source=source, channel=channel, top=max(top, 0), left=max(left, 0),
                    bottom=min(top + height, values.shape[0]) - 1, right=min(left + width, values.shape[1]) - 1))  # fmt: skip


def _activation_line(t, numbers, value: float) -> None:
    pre = numbers.terms["pre_activation"]
    if numbers.activation in ("", "linear"):
        st.markdown(t("no_activation", value=number(value)))
    elif numbers.logits is None:  # softmax is shown with every logit it normalises
        st.markdown(t("activation_line", activation=numbers.activation, pre=number(pre), value=number(value)))


def _sum_and_bias(t, numbers, count: int) -> None:
    total = number(numbers.terms["sum"])
    st.markdown(t("sum_line", count=count, total=total))
    st.markdown(
        t("bias_line", total=total, bias=number(numbers.terms["bias"]), pre=number(numbers.terms["pre_activation"]))
    )
    _activation_line(t, numbers, numbers.computed)


def _convolution(t, numbers, source: str, found) -> None:
    top, left, height, width = numbers.window
    count = len(numbers.channels)
    channels = t("one_channel") if count == 1 else t("all_channels", count=count)
    st.markdown(t("conv_words", height=height, width=width, source=source, top=top, left=left, channels=channels))
    titles = (t("patch"), t("kernel", channel=found.index[-1]), t("products"))
    figure = figures.patch_kernel_products(numbers.patch, numbers.weights, numbers.products, titles, t("value"))
    st.plotly_chart(figure, key=NUMBERS_CHART, config={"displayModeBar": False})
    if numbers.patch.size <= LISTED:
        st.caption(t("numbers_small", patch=_numbers(numbers.patch), weights=_numbers(numbers.weights),
                     products=_numbers(numbers.products)))  # fmt: skip
    else:
        where = np.unravel_index(int(np.argmax(np.abs(numbers.products))), numbers.products.shape)
        st.caption(t("numbers_large", count=numbers.patch.size, largest=number(numbers.products[where]),
                     row=int(where[0]), column=int(where[1]), channel=int(where[2])))  # fmt: skip
    _sum_and_bias(t, numbers, numbers.patch.size)


def _window(t, numbers, source: str, found, words: str) -> None:
    top, left, height, width = numbers.window
    st.markdown(t(words, height=height, width=width, channel=numbers.channels[0], source=source, top=top, left=left))
    figure = figures.patch_kernel_products(numbers.patch, None, None, (t("window"),), t("value"))
    st.plotly_chart(figure, key=NUMBERS_CHART, config={"displayModeBar": False})
    st.caption(t("window_small", patch=_numbers(numbers.patch)))
    if np.isnan(numbers.patch).any():
        st.caption(t("padding_note"))


def _max_window(t, numbers, source: str, found) -> None:
    _window(t, numbers, source, found, "max_words")
    row, column = numbers.chosen
    st.markdown(t("max_line", value=number(numbers.computed), row=row, column=column))


def _mean_window(t, numbers, source: str, found) -> None:
    _window(t, numbers, source, found, "mean_words")
    _mean_line(t, numbers)


def _mean_line(t, numbers) -> None:
    total, count = number(numbers.terms["sum"]), int(numbers.terms["count"])
    st.markdown(t("mean_line", total=total, count=count, value=number(numbers.computed)))


def _global_average(t, numbers, source: str, found) -> None:
    _, _, height, width = numbers.window
    st.markdown(t("global_words", height=height, width=width, channel=numbers.channels[0], source=source))
    _mean_line(t, numbers)


def _flatten(t, numbers, source: str, found) -> None:
    where, value = numbers.source_index, number(numbers.computed)
    if len(where) == 3:
        st.markdown(t("flatten_words", row=where[0], column=where[1], channel=where[2], source=source, value=value))
    else:
        st.markdown(t("flatten_vector", unit=where[0], source=source, value=value))


def _identity(t, numbers, source: str, found) -> None:
    st.markdown(t("identity_words", source=source, value=number(numbers.computed)))


def _normalize(t, numbers, source: str, found) -> None:
    terms = numbers.terms
    st.markdown(t("normalize_words", source=source))
    names = ("gamma", "beta", "mean", "variance", "epsilon")
    st.dataframe({t("statistic"): [t(n) for n in names], t("statistic_value"): [number(terms[n]) for n in names]},
                 hide_index=True)  # fmt: skip
    shown = {n: number(terms[n]) for n in names}
    st.markdown(t("normalize_line", x=number(terms["input"]), value=number(numbers.computed), **shown))


def _dense(t, numbers, source: str, found) -> None:
    units = numbers.units
    st.markdown(t("dense_words", count=int(numbers.terms["count"]), source=source, shown=len(units)))
    table = {
        t("col_unit"): [int(u) for u in units],
        t("col_input"): [number(numbers.patch[u]) for u in units],
        t("col_weight"): [number(numbers.weights[u]) for u in units],
        t("col_product"): [number(numbers.products[u]) for u in units],
    }
    st.dataframe(table, hide_index=True)
    others = int(numbers.terms["count"]) - len(units)
    if others:
        st.markdown(t("dense_rest", others=others, rest=number(numbers.terms["rest"])))
    _sum_and_bias(t, numbers, int(numbers.terms["count"]))


def _activation(t, numbers, source: str, found) -> None:
    st.markdown(t("activation_words", activation=numbers.activation, source=source))
    _activation_line(t, numbers, numbers.computed)


def _sum(t, numbers, source: str, found) -> None:
    first, second = (_source(t, s) for s in found.sources)
    st.markdown(t("sum_words", first=first, second=second))
    terms = numbers.terms
    st.markdown(t("add_line", first=number(terms["term_0"]), second=number(terms["term_1"]),
                  value=number(numbers.computed)))  # fmt: skip


def _softmax(t, numbers, found: explain.Explanation, names) -> None:
    logits, probabilities = numbers.logits, numbers.probabilities
    st.markdown(t("softmax_words", count=len(logits)))
    classes = list(names) if found.output and len(names) == len(logits) else list(range(len(logits)))
    table = {t("col_class"): [str(c) for c in classes], t("col_logit"): [number(v) for v in logits],
             t("col_probability"): [f"{p:.2%}" for p in probabilities]}  # fmt: skip
    st.dataframe(table, hide_index=True)
    unit = found.index[-1]
    st.markdown(t("softmax_line", logit=number(logits[unit]), value=number(numbers.computed)))


_WAYS = {
    "convolution": _convolution,
    "max_window": _max_window,
    "mean_window": _mean_window,
    "global_average": _global_average,
    "flatten": _flatten,
    "identity": _identity,
    "normalize": _normalize,
    "dense": _dense,
    "activation": _activation,
    "sum": _sum,
}
