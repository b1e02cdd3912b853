"""Named model specs a learner can start from: the seed article's CNN and friends."""

from playground.spec import LayerSpec, ModelSpec, OptimizerSpec

MNIST_SHAPE = (28, 28, 1)


def _dense(units: int, activation: str) -> LayerSpec:
    return LayerSpec("Dense", {"units": units, "activation": activation})


def _conv(filters: int, size: int, activation: str, **extra) -> LayerSpec:
    return LayerSpec("Conv2D", {"filters": filters, "kernel_size": (size, size), "activation": activation, **extra})


def _max_pool() -> LayerSpec:
    return LayerSpec("MaxPooling2D", {"pool_size": (2, 2)})


def _average_pool() -> LayerSpec:
    return LayerSpec("AveragePooling2D", {"pool_size": (2, 2)})


FLATTEN = LayerSpec("Flatten", {})


ADAM = OptimizerSpec("Adam", {"learning_rate": 0.001})


def _spec(layers, optimizer=ADAM, loss="categorical_crossentropy"):
    return ModelSpec(MNIST_SHAPE, 10, tuple(layers), loss, optimizer, ("accuracy",))


def _deep_mlp(activation: str) -> ModelSpec:
    hidden = [_dense(64, activation) for _ in range(6)]
    return _spec([FLATTEN, *hidden, _dense(10, "softmax")], OptimizerSpec("SGD", {"learning_rate": 0.05}))


def resnet(skip: bool, blocks: tuple[int, int] = (4, 3)) -> ModelSpec:
    """A small ResNet for 28×28 digits: a strided stem, blocks of 16 then of 32 filters, global pooling, softmax.
    With skip=False the same network without its skip connections (the comparison the ResNet paper made)."""
    stem = LayerSpec("Conv2D", {"filters": 16, "kernel_size": (3, 3), "strides": (2, 2), "padding": "same",
                                "activation": "relu"})  # fmt: skip
    first = [LayerSpec("ResidualBlock", {"filters": 16, "skip": skip}) for _ in range(blocks[0])]
    down = LayerSpec("ResidualBlock", {"filters": 32, "strides": (2, 2), "skip": skip})
    second = [LayerSpec("ResidualBlock", {"filters": 32, "skip": skip}) for _ in range(blocks[1] - 1)]
    head = [LayerSpec("GlobalAveragePooling2D"), _dense(10, "softmax")]
    return _spec([stem, *first, down, *second, *head])


PRESETS: dict[str, ModelSpec] = {
    # Exactly the network of the seed article: 93,322 parameters.
    "seed-cnn": _spec(
        [
            _conv(32, 3, "relu"),
            _max_pool(),
            _conv(64, 3, "relu"),
            _max_pool(),
            _conv(64, 3, "relu"),
            FLATTEN,
            _dense(64, "relu"),
            _dense(10, "softmax"),
        ]
    ),
    "small-cnn": _spec(
        [_conv(8, 3, "relu"), _max_pool(), _conv(16, 3, "relu"), _max_pool(), FLATTEN, _dense(10, "softmax")]
    ),
    "mlp": _spec([FLATTEN, _dense(128, "relu"), LayerSpec("Dropout", {"rate": 0.2}), _dense(10, "softmax")]),
    "logistic": _spec([FLATTEN, _dense(10, "softmax")], OptimizerSpec("SGD", {"learning_rate": 0.1})),
    "lenet-5": _spec(
        [
            _conv(6, 5, "tanh", padding="same"),
            _average_pool(),
            _conv(16, 5, "tanh"),
            _average_pool(),
            FLATTEN,
            _dense(120, "tanh"),
            _dense(84, "tanh"),
            _dense(10, "softmax"),
        ]
    ),
    # A lesson in failure: six sigmoid layers learn far worse than their ReLU twin on the same budget.
    "deep-sigmoid": _deep_mlp("sigmoid"),
    "deep-relu": _deep_mlp("relu"),
    # The idea behind modern networks: the same deep stack with and without skip connections.
    "resnet": resnet(skip=True),
    "resnet-plain": resnet(skip=False),
}

DEFAULT_PRESET = "seed-cnn"


def preset(name: str) -> ModelSpec:
    """The named preset spec; raises KeyError naming the known presets."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset '{name}': use one of {', '.join(PRESETS)}")
    return PRESETS[name]
