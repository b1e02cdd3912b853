"""Widgets that edit a ModelSpec's layer stack and compile settings, writing changes to the session."""

from dataclasses import replace

import streamlit as st

from playground import catalog, layers
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec, Report, layer_arg
from playground.ui import lesson, session

VERSION = "spec_version"
# Shown on the card; the other arguments sit behind a "more" popover to keep cards short.
MAIN_ARGS = ("units", "filters", "kernel_size", "pool_size", "rate", "activation")


def version() -> int:
    """A counter bumped on structural changes, so widgets are recreated from the spec."""
    return st.session_state.setdefault(VERSION, 0)


def replace_spec(spec: ModelSpec) -> None:
    """Set a new spec and recreate every editor widget from it."""
    session.set_spec(spec)
    st.session_state[VERSION] = version() + 1


def _set_layer_arg(position: int, name: str, value: object) -> None:
    spec = session.current_spec()
    stack = list(spec.layers)
    args = dict(stack[position - 1].args)
    args[name] = value
    if value is None:
        args.pop(name)
    stack[position - 1] = LayerSpec(stack[position - 1].kind, args)
    session.set_spec(spec.with_layers(stack))


def _on_arg(position: int, param: catalog.Param, key: str) -> None:
    value = st.session_state[key]
    if param.kind == "pair":
        value = (int(value), int(value))
    elif param.kind == "int":
        value = int(value)
    elif param.kind == "float":
        value = float(value)
    _set_layer_arg(position, param.name, value)


def _on_regularizer(position: int, kind_key: str, rate_key: str) -> None:
    kind, rate = st.session_state[kind_key], float(st.session_state[rate_key])
    _set_layer_arg(position, "kernel_regularizer", None if kind == "none" else {kind: rate})


def _regularizer_widgets(layer: LayerSpec, position: int, prefix: str, t) -> None:
    current = layer.args.get("kernel_regularizer") or {}
    kind = next(iter(current), "none")
    kind_key, rate_key = f"{prefix}-reg", f"{prefix}-reg-rate"
    callback = {"on_change": _on_regularizer, "args": (position, kind_key, rate_key), "disabled": lesson.model_locked()}
    left, right = st.columns(2)
    options = ["none", "l1", "l2"]
    left.selectbox(
        t("arg_kernel_regularizer"),
        options,
        options.index(kind),
        key=kind_key,
        format_func=lambda o: t("reg_none") if o == "none" else o.upper(),
        **callback,
    )
    right.number_input(
        t("reg_rate"),
        0.0,
        1.0,
        float(current.get(kind, 0.001)),
        step=0.0001,
        format="%.4f",
        key=rate_key,
        **{**callback, "disabled": kind == "none" or lesson.model_locked()},
    )


def arg_widget(layer: LayerSpec, position: int, param: catalog.Param, prefix: str, t) -> None:
    """One widget for one argument of a layer, writing changes back to the spec."""
    if param.kind == "regularizer":
        _regularizer_widgets(layer, position, prefix, t)
        return
    if param.name == "strides" and param.default is None:
        return  # pooling strides default to the pool size; edit them as JSON if needed
    key = f"{prefix}-{param.name}"
    value = layer_arg(layer, param.name)
    label = t("arg_" + param.name)
    callback = {"on_change": _on_arg, "args": (position, param, key), "key": key, "disabled": lesson.model_locked()}
    if param.kind == "int":
        st.number_input(label, int(param.low), int(param.high), int(value), step=1, **callback)
    elif param.kind == "float":
        st.number_input(label, float(param.low), float(param.high), float(value), step=0.05, **callback)
    elif param.kind == "pair":
        size = value[0] if isinstance(value, tuple) else int(value)
        st.number_input(label, int(param.low), int(param.high), int(size), step=1, **callback)
    elif param.kind == "bool":
        st.checkbox(label, bool(value), **callback)
    else:
        index = param.choices.index(value) if value in param.choices else 0
        st.selectbox(label, param.choices, index, **callback)


def _move(position: int, offset: int) -> None:
    stack = list(session.current_spec().layers)
    target = position - 1 + offset
    stack[position - 1], stack[target] = stack[target], stack[position - 1]
    replace_spec(session.current_spec().with_layers(stack))


def _remove(position: int) -> None:
    stack = list(session.current_spec().layers)
    del stack[position - 1]
    replace_spec(session.current_spec().with_layers(stack))


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ")"


def layer_card(spec: ModelSpec, report: Report, position: int, t) -> None:
    """A bordered card to edit one layer: header with its output, arguments, buttons and problems."""
    layer = spec.layers[position - 1]
    prefix = f"v{version()}-L{position}"
    shape = next((s for s in report.shapes if s.position == position), None)
    with st.container(border=True):
        head, up, down, remove = st.columns([8, 1, 1, 1], vertical_alignment="center")
        out = t("layer_out", shape=_shape_text(shape.output_shape), params=f"{shape.params:,}") if shape else ""
        head.markdown(f"**{t('layer_header', position=position, kind=layer.kind)}** {out}")
        frozen = lesson.model_locked()
        up.button(
            "↑",
            key=f"{prefix}-up",
            help=t("move_up"),
            disabled=frozen or position == 1,
            on_click=_move,
            args=(position, -1),
        )
        down.button(
            "↓",
            key=f"{prefix}-down",
            help=t("move_down"),
            disabled=frozen or position == len(spec.layers),
            on_click=_move,
            args=(position, 1),
        )
        remove.button(
            "✕", key=f"{prefix}-remove", help=t("remove"), on_click=_remove, args=(position,), disabled=frozen
        )
        if layer.kind in layers.REGISTRY:
            st.caption(t("kind_" + layer.kind))
            params = [p for p in layers.get(layer.kind).params if not (p.name == "strides" and p.default is None)]
            main = [p for p in params if p.name in MAIN_ARGS]
            more = [p for p in params if p.name not in MAIN_ARGS]
            columns = st.columns([3] * len(main) + [2]) if params else []
            for column, param in zip(columns, main, strict=False):
                with column:
                    arg_widget(layer, position, param, prefix, t)
            if more:
                with columns[-1], st.popover(t("more"), icon=":material/tune:"):
                    for param in more:
                        arg_widget(layer, position, param, prefix, t)
        for problem in report.problems_at(position):
            message = problem.message(session.language())
            (st.error if problem in report.errors else st.warning)(message)


def _add_layer(kind_key: str, where_key: str) -> None:
    spec = session.current_spec()
    stack = list(spec.layers)
    kind, where = st.session_state[kind_key], st.session_state[where_key]
    stack.insert(len(stack) if where == 0 else where - 1, LayerSpec(kind, dict(layers.get(kind).new_layer)))
    replace_spec(spec.with_layers(stack))


def add_layer_form(spec: ModelSpec, t) -> None:
    """Pick a layer kind and a place, then add it."""
    kind_key, where_key = f"v{version()}-add-kind", f"v{version()}-add-where"
    kind_column, where_column, button_column = st.columns([3, 3, 1], vertical_alignment="bottom")
    kind_column.selectbox(t("add_kind"), list(layers.names()), key=kind_key)
    positions = [0, *range(1, len(spec.layers) + 1)]
    where_column.selectbox(
        t("add_where"),
        positions,
        key=where_key,
        format_func=lambda p: t("at_end") if p == 0 else t("before", position=p),
    )
    button_column.button(
        t("add"),
        key=f"v{version()}-add",
        on_click=_add_layer,
        args=(kind_key, where_key),
        disabled=lesson.model_locked(),
    )


def _on_loss(key: str) -> None:
    session.set_spec(replace(session.current_spec(), loss=st.session_state[key]))


def _on_optimizer(key: str) -> None:
    kind = st.session_state[key]
    learning_rate = catalog.optimizer_params(kind)["learning_rate"].default
    replace_spec(replace(session.current_spec(), optimizer=OptimizerSpec(kind, {"learning_rate": learning_rate})))


def _on_optimizer_arg(param: catalog.Param, key: str) -> None:
    spec = session.current_spec()
    args = {**spec.optimizer.args, param.name: st.session_state[key]}
    session.set_spec(replace(spec, optimizer=OptimizerSpec(spec.optimizer.kind, args)))


def compile_settings(spec: ModelSpec, t) -> None:
    """Loss and optimizer pickers with the optimizer's main arguments."""
    prefix = f"v{version()}-compile"
    losses = list(catalog.LOSSES)
    loss_index = losses.index(spec.loss) if spec.loss in losses else 0
    frozen = lesson.model_locked()
    loss_key, optimizer_key = f"{prefix}-loss", f"{prefix}-opt"
    st.selectbox(t("loss"), losses, loss_index, key=loss_key, on_change=_on_loss, args=(loss_key,), disabled=frozen)
    kinds = list(catalog.OPTIMIZERS)
    kind_index = kinds.index(spec.optimizer.kind) if spec.optimizer.kind in kinds else 0
    st.selectbox(
        t("optimizer"),
        kinds,
        kind_index,
        key=optimizer_key,
        on_change=_on_optimizer,
        args=(optimizer_key,),
        disabled=frozen,
    )
    if spec.optimizer.kind not in catalog.OPTIMIZERS:
        return
    for param in catalog.OPTIMIZERS[spec.optimizer.kind]:
        key = f"{prefix}-opt-{param.name}"
        value = spec.optimizer.args.get(param.name, param.default)
        callback = {"key": key, "on_change": _on_optimizer_arg, "args": (param, key), "disabled": frozen}
        if param.kind == "bool":
            st.checkbox(t("opt_" + param.name), bool(value), **callback)
        else:
            st.number_input(
                t("opt_" + param.name),
                float(param.low),
                float(param.high),
                float(value),
                format="%.6g",
                step=float(param.default) / 10 or 0.001,
                **callback,
            )
