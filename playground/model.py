"""The one place where spec names become Keras objects: build_model(spec) and friends."""

import functools
from collections.abc import Callable, Mapping

from playground import catalog, layers
from playground.backend import keras
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec, check


def make_regularizer(value: Mapping | None):
    """keras.regularizers.L1L2 for {"l1": a, "l2": b}, or None."""
    if not value:
        return None
    return keras.regularizers.L1L2(l1=float(value.get("l1", 0.0)), l2=float(value.get("l2", 0.0)))


class Builder:
    """What a layer kind's build function uses to make Keras layers by name (layers.kind.LayerKind.build); with a
    dtype, every layer it makes has that dtype policy instead of the global one."""

    def __init__(self, dtype: str | None = None):
        self.dtype = dtype

    def layer(self, class_name: str, **args) -> keras.layers.Layer:
        """The Keras layer of this class with these spec arguments (a regularizer as {"l1", "l2"})."""
        if "kernel_regularizer" in args:
            args["kernel_regularizer"] = make_regularizer(args["kernel_regularizer"])
        if self.dtype is not None:
            args["dtype"] = self.dtype
        return getattr(keras.layers, class_name)(**args)


BUILDER = Builder()
FLOAT32_BUILDER = Builder("float32")


def output_builder() -> Builder:
    """The builder of a model's last layer: float32 under a mixed precision policy (softmax and loss stay exact in
    float32, as Keras's mixed precision guide advises), else the plain one: a float32 model is built as ever."""
    return FLOAT32_BUILDER if keras.mixed_precision.global_policy().compute_dtype != "float32" else BUILDER


def layer_name(position: int, layer: LayerSpec) -> str:
    """The Keras name of the layer at a 1-based position, e.g. 'conv2d_1'."""
    # Explicit names: Keras numbers unnamed layers from one process-wide counter, which two threads building models
    # at once (a class on one server) can hand the same name. The Draw page finds each layer's output by this name.
    return f"{layer.kind.lower()}_{position}"


def output_layer_name(position: int, layer: LayerSpec) -> str:
    """The Keras layer whose output is this spec layer's output (a composite kind's last layer)."""
    return layers.get(layer.kind).output_layer(layer_name(position, layer))


def keras_layers(model: keras.Model, position: int, layer: LayerSpec) -> list:
    """The Keras layers that make the spec layer at this 1-based position: one, or a composite kind's several."""
    name = layer_name(position, layer)
    return [part for part in model.layers if part.name == name or part.name.startswith(name + "_")]


def make_activation(name: str, **params: float) -> Callable:
    """The keras.activations function a catalog name refers to, with parameters (e.g. alpha) bound."""
    function = keras.activations.get(name)
    return functools.partial(function, **params) if params else function


def make_loss(name: str) -> Callable:
    """The keras.losses function a catalog loss name refers to: y_true, y_pred -> one value per sample."""
    return keras.losses.get(name)


def make_optimizer(optimizer: OptimizerSpec) -> keras.optimizers.Optimizer:
    """The Keras optimizer an OptimizerSpec names, with its arguments."""
    params = catalog.optimizer_params(optimizer.kind)
    # A spec may say 1 for 1.0 (JSON does not tell them apart); Keras refuses an int learning rate or momentum.
    args = {name: float(value) if params[name].kind == "float" else value for name, value in optimizer.args.items()}
    return getattr(keras.optimizers, optimizer.kind)(**args)


def build_model(spec: ModelSpec, compile: bool = True, steps_per_execution: int = 1) -> keras.Model:
    """The Keras model the spec describes (functional API; compiled unless asked not to); SpecError if invalid."""
    check(spec)
    inputs = keras.Input(shape=spec.input_shape, name="input")
    x = inputs
    for position, layer in enumerate(spec.layers, start=1):
        builder = output_builder() if position == len(spec.layers) else BUILDER
        x = layers.get(layer.kind).build(dict(layer.args), layer_name(position, layer), builder)(x)
    model = keras.Model(inputs, x, name="model")
    if compile:
        model.compile(
            optimizer=make_optimizer(spec.optimizer),
            loss=spec.loss,
            metrics=list(spec.metrics),
            steps_per_execution=steps_per_execution,
        )
    return model
