"""The names a learner can pick besides layer kinds: activations, initializers, losses, optimizers and metrics."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """One argument of a layer or optimizer: its type, default and allowed range."""

    name: str
    kind: str  # "int", "float", "pair", "choice", "bool", "activation", "initializer", "regularizer"
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    required: bool = False


ACTIVATIONS = (
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "elu",
    "selu",
    "gelu",
    "silu",
    "leaky_relu",
    "softplus",
    "linear",
)

INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_normal",
    "random_normal",
    "zeros",
)

PADDINGS = ("valid", "same")

# Arguments several layer kinds share (the kinds themselves live in playground.layers).
ACTIVATION = Param("activation", "activation", "linear", choices=ACTIVATIONS)
INITIALIZER = Param("kernel_initializer", "initializer", "glorot_uniform", choices=INITIALIZERS)
REGULARIZER = Param("kernel_regularizer", "regularizer", None, low=0.0, high=1.0)
PADDING = Param("padding", "choice", "valid", choices=PADDINGS)

# How the data pipeline encodes labels for each loss: the learner never does it by hand.
LOSSES: dict[str, str] = {
    "categorical_crossentropy": "one_hot",
    "sparse_categorical_crossentropy": "integer",
    "mean_squared_error": "one_hot",
    "mean_absolute_error": "one_hot",
    "categorical_hinge": "one_hot",
    "kl_divergence": "one_hot",
}
CROSS_ENTROPY_LOSSES = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy"})
REGRESSION_STYLE_LOSSES = frozenset({"mean_squared_error", "mean_absolute_error"})

METRICS = ("accuracy",)

_LEARNING_RATE = Param("learning_rate", "float", 0.001, low=1e-6, high=10.0)
_BETA_1 = Param("beta_1", "float", 0.9, low=0.0, high=0.999999)
_BETA_2 = Param("beta_2", "float", 0.999, low=0.0, high=0.999999)

OPTIMIZERS: dict[str, tuple[Param, ...]] = {
    "SGD": (
        Param("learning_rate", "float", 0.01, low=1e-6, high=10.0),
        Param("momentum", "float", 0.0, low=0.0, high=0.999),
        Param("nesterov", "bool", False),
    ),
    "Adam": (_LEARNING_RATE, _BETA_1, _BETA_2),
    "AdamW": (_LEARNING_RATE, Param("weight_decay", "float", 0.004, low=0.0, high=1.0), _BETA_1, _BETA_2),
    "RMSprop": (
        _LEARNING_RATE,
        Param("rho", "float", 0.9, low=0.0, high=0.999999),
        Param("momentum", "float", 0.0, low=0.0, high=0.999),
    ),
    "Adagrad": (_LEARNING_RATE, Param("initial_accumulator_value", "float", 0.1, low=0.0, high=10.0)),
    "Adadelta": (_LEARNING_RATE, Param("rho", "float", 0.95, low=0.0, high=0.999999)),
    "Adamax": (_LEARNING_RATE, _BETA_1, _BETA_2),
    "Nadam": (_LEARNING_RATE, _BETA_1, _BETA_2),
    "Lion": (
        Param("learning_rate", "float", 0.0001, low=1e-6, high=10.0),
        _BETA_1,
        Param("beta_2", "float", 0.99, low=0.0, high=0.999999),
    ),
}

DEFAULT_MAX_PARAMS = 5_000_000


def optimizer_params(kind: str) -> dict[str, Param]:
    """The arguments an optimizer takes, by name."""
    return {param.name: param for param in OPTIMIZERS[kind]}


def label_encoding(loss: str) -> str:
    """'one_hot' or 'integer': how labels must be encoded for this loss."""
    return LOSSES[loss]
