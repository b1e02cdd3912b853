"""The one place where spec names become Keras objects: build_model(spec) and friends."""

import functools
from collections.abc import Callable, Mapping

from playground.backend import keras
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec, check

layers = keras.layers


def make_regularizer(value: Mapping | None):
    """keras.regularizers.L1L2 for {"l1": a, "l2": b}, or None."""
    if not value:
        return None
    return keras.regularizers.L1L2(l1=float(value.get("l1", 0.0)), l2=float(value.get("l2", 0.0)))


def layer_name(position: int, layer: LayerSpec) -> str:
    """The Keras name of the layer at a 1-based position, e.g. 'conv2d_1'."""
    return f"{layer.kind.lower()}_{position}"


def make_layer(layer: LayerSpec, position: int = 0) -> keras.layers.Layer:
    """The Keras layer a LayerSpec names, with its arguments (named after its position when one is given)."""
    args = dict(layer.args)
    if position:
        # Explicit names: Keras numbers unnamed layers from one process-wide counter, which two threads building
        # models at once (a class on one server) can hand the same name, and Sequential then refuses the model.
        args["name"] = layer_name(position, layer)
    if "kernel_regularizer" in args:
        args["kernel_regularizer"] = make_regularizer(args["kernel_regularizer"])
    return getattr(layers, layer.kind)(**args)


def make_activation(name: str, **params: float) -> Callable:
    """The keras.activations function a catalog name refers to, with parameters (e.g. alpha) bound."""
    function = keras.activations.get(name)
    return functools.partial(function, **params) if params else function


def make_loss(name: str) -> Callable:
    """The keras.losses function a catalog loss name refers to: y_true, y_pred -> one value per sample."""
    return keras.losses.get(name)


def make_optimizer(optimizer: OptimizerSpec) -> keras.optimizers.Optimizer:
    """The Keras optimizer an OptimizerSpec names, with its arguments."""
    return getattr(keras.optimizers, optimizer.kind)(**optimizer.args)


def build_model(spec: ModelSpec, compile: bool = True, steps_per_execution: int = 1) -> keras.Model:
    """The Keras model the spec describes (compiled unless asked not to); raises SpecError if invalid."""
    check(spec)
    layers = [make_layer(layer, position) for position, layer in enumerate(spec.layers, start=1)]
    model = keras.Sequential([keras.Input(shape=spec.input_shape, name="input"), *layers], name="model")
    if compile:
        model.compile(
            optimizer=make_optimizer(spec.optimizer),
            loss=spec.loss,
            metrics=list(spec.metrics),
            steps_per_execution=steps_per_execution,
        )
    return model
