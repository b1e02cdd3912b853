"""Spec → runnable Keras 3 source: the same model, written as a learner would write it."""

from playground import catalog, layers
from playground.spec import LayerSpec, ModelSpec, check

_COMMENTS = {
    "en": {
        "model": "# The model: keras.Input first, then the layers in order.",
        "functional": "# The model, layer by layer with Keras's functional API (a block has a path of its own).",
        "compile": "# Loss, optimizer and metric.",
        "data": "# MNIST digits scaled to [0, 1] with a channel axis; labels one-hot for this loss.",
        "fit": "# Train as the seed article does.",
        "precision": (
            "# Mixed precision: layers compute in bfloat16 (fast on processors with bfloat16 units), their weights stay\n"
            "# float32, and the output layer computes in float32 so the probabilities and the loss stay exact."
        ),
    },
    "zh": {
        "model": "# 模型：先是 keras.Input，然后按顺序排列各层。",
        "functional": "# 模型：用 Keras 的函数式 API 逐层搭建（块内有自己的旁路）。",
        "compile": "# 损失函数、优化算法和评估指标。",
        "data": "# MNIST 数字缩放到 [0, 1] 并加上通道维；标签按该损失函数的要求编码。",
        "fit": "# 像原文一样训练模型。",
        "precision": (
            "# 混合精度：各层用 bfloat16 计算（在带 bfloat16 运算单元的处理器上更快），权重仍是 float32，\n"
            "# 输出层用 float32 计算，使概率和损失保持精确。"
        ),
    },
}


def _literal(value: object) -> str:
    # Every string through repr: a name from a spec can never break out of its quotes.
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):  # kernel_regularizer
        return "keras.regularizers.L1L2(" + ", ".join(f"{k}={v!r}" for k, v in value.items()) + ")"
    return repr(value)


def layer_source(layer: LayerSpec, dtype: str | None = None) -> str:
    """One layer as Keras source, e.g. 'layers.Conv2D(32, (3, 3), activation="relu")', with a dtype when given."""
    args = layer.args if dtype is None else {**layer.args, "dtype": dtype}
    return call_source(layer.kind, args, layers.get(layer.kind).positional)


def call_source(class_name: str, args, positional: tuple[str, ...] = ()) -> str:
    """A Keras layer's constructor call, e.g. 'layers.Dense(10, activation="softmax")' (composite kinds use it)."""
    parts = [_literal(args[name]) for name in positional if name in args]
    parts += [f"{name}={_literal(value)}" for name, value in args.items() if name not in positional]
    return f"layers.{class_name}({', '.join(parts)})"


def _model_lines(spec: ModelSpec, comments: dict, output_dtype: str | None = None) -> list[str]:
    last = len(spec.layers)
    if not any(layers.get(layer.kind).composite for layer in spec.layers):  # a stack: as the seed article writes it
        return [
            comments["model"],
            "model = keras.Sequential(",
            "    [",
            f"        keras.Input(shape={_literal(tuple(spec.input_shape))}),",
            *(
                f"        {layer_source(layer, output_dtype if position == last else None)},"
                for position, layer in enumerate(spec.layers, start=1)
            ),
            "    ]",
            ")",
        ]
    lines = [comments["functional"], f"inputs = keras.Input(shape={_literal(tuple(spec.input_shape))})", "x = inputs"]
    shapes = [tuple(spec.input_shape), *(shape.output_shape for shape in check(spec).shapes)]
    for position, (layer, shape) in enumerate(zip(spec.layers, shapes, strict=False), start=1):
        kind = layers.get(layer.kind)
        if kind.composite:
            lines += [f"# {position}. {layer.kind}", *kind.code_lines(kind.full_args(layer.args), shape, call_source)]
        else:
            lines.append(f"x = {layer_source(layer, output_dtype if position == last else None)}(x)")
    return [*lines, "model = keras.Model(inputs, x)"]


def compile_lines(spec: ModelSpec) -> list[str]:
    """The model.compile(...) call as lines of Keras source: optimizer, loss and metrics from the spec."""
    return [
        "model.compile(",
        f"    optimizer={optimizer_source(spec)},",
        f"    loss={spec.loss!r},",
        f"    metrics={list(spec.metrics)!r},",
        ")",
    ]


def optimizer_source(spec: ModelSpec) -> str:
    """The optimizer as Keras source."""
    args = ", ".join(f"{name}={value!r}" for name, value in spec.optimizer.args.items())
    return f"keras.optimizers.{spec.optimizer.kind}({args})"


def _data_lines(spec: ModelSpec) -> list[str]:
    if catalog.label_encoding(spec.loss) == "integer":
        labels = []
    else:
        labels = [
            f"    y_train = keras.utils.to_categorical(y_train, {spec.num_classes})",
            f"    y_test = keras.utils.to_categorical(y_test, {spec.num_classes})",
        ]
    return [
        "    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()",
        '    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)',
        '    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)',
        *labels,
    ]


def model_source(
    spec: ModelSpec, epochs: int = 10, batch_size: int = 32, language: str = "en", precision: str = "float32"
) -> str:
    """A runnable script that defines `model` (and trains it on MNIST when run as a program), in float32 or with
    Keras's mixed bfloat16 policy (precision "bfloat16"); SpecError if invalid."""
    check(spec)  # only catalogue names and checked values reach the source
    if precision not in ("float32", "bfloat16"):
        raise ValueError(f"precision {precision!r}: float32 or bfloat16")
    comments = _COMMENTS.get(language, _COMMENTS["en"])
    mixed = precision == "bfloat16"
    policy = [comments["precision"], "keras.mixed_precision.set_global_policy('mixed_bfloat16')", ""] if mixed else []
    lines = [
        "import keras",
        "import numpy as np",
        "from keras import layers",
        "",
        *policy,
        *_model_lines(spec, comments, "float32" if mixed else None),
        "",
        comments["compile"],
        *compile_lines(spec),
        "",
        'if __name__ == "__main__":',
        "    model.summary()",
        "    " + comments["data"],
        *_data_lines(spec),
        "    " + comments["fit"],
        f"    model.fit(x_train, y_train, epochs={epochs}, batch_size={batch_size})",
        "    print(model.evaluate(x_test, y_test, verbose=0))",
        "",
    ]
    return "\n".join(lines)
