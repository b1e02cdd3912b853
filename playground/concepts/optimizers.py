"""The optimizer race: real keras.optimizers moving a 2-element variable downhill on 2-D loss surfaces."""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from playground.backend import keras, tf
from playground.model import make_optimizer
from playground.spec import OptimizerSpec

ops = keras.ops

# Racers in the order they are drawn; "gd" and "sgd" are both keras.optimizers.SGD, the second fed noisy gradients.
RACERS = ("gd", "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")
MOMENTUM = 0.9
# A point further than this from the origin has left every surface for good.
DIVERGED_NORM = 1e4


def racer_spec(racer: str, learning_rate: float) -> OptimizerSpec:
    """The Keras optimizer (class and arguments) behind each racer."""
    lr = {"learning_rate": float(learning_rate)}
    return {
        "gd": OptimizerSpec("SGD", lr),
        "sgd": OptimizerSpec("SGD", lr),
        "momentum": OptimizerSpec("SGD", lr | {"momentum": MOMENTUM}),
        "nesterov": OptimizerSpec("SGD", lr | {"momentum": MOMENTUM, "nesterov": True}),
        "rmsprop": OptimizerSpec("RMSprop", lr),
        "adagrad": OptimizerSpec("Adagrad", lr),
        "adam": OptimizerSpec("Adam", lr),
    }[racer]


def _bowl(x, y):
    return 0.5 * x**2 + 10.0 * y**2


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _saddle(x, y):
    # A saddle at the origin, with two valleys at y = ±√2 so that escaping it leads somewhere.
    return x**2 - y**2 + 0.25 * y**4


def _himmelblau(x, y):
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def _noisy(x, y):
    # A gentle bowl covered in small dips: gradient descent stops in the first one it meets.
    return 0.2 * (x**2 + y**2) + 0.25 * (1.0 - ops.cos(3.0 * x) * ops.cos(3.0 * y))


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: its function, the plotted window, its global minima and good race defaults."""

    key: str
    function: Callable
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    start: tuple[float, float]
    learning_rates: Mapping[str, float]
    steps: int
    noise: float  # standard deviation of the mini-batch noise added to SGD's gradient
    reach: float = 0.05  # within this distance of a minimum, a racer has arrived

    @property
    def lowest(self) -> float:
        """The loss at the global minimum."""
        return float(min(self.loss(point) for point in self.minima))

    def loss(self, point) -> float:
        """The loss at one (x, y) point."""
        return float(self.function(np.float64(point[0]), np.float64(point[1])))


def _rates(gd, sgd, momentum, rmsprop, adagrad, adam):
    return {"gd": gd, "sgd": sgd, "momentum": momentum, "nesterov": momentum, "rmsprop": rmsprop,
            "adagrad": adagrad, "adam": adam}  # fmt: skip


# Defaults chosen so each race tells its story: zig-zag on the bowl, Adam through Rosenbrock's valley,
# escaping the saddle, and noise or momentum carrying a racer past the small dips of the noisy bowl.
SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", _bowl, (-5, 5), (-2.5, 2.5), ((0.0, 0.0),), (-4.5, 2.0),
        _rates(0.09, 0.09, 0.02, 0.1, 1.0, 0.3), 120, 1.0,
    ),
    "rosenbrock": Surface(
        "rosenbrock", _rosenbrock, (-2, 2), (-1, 3), ((1.0, 1.0),), (-1.2, 1.0),
        _rates(0.001, 0.001, 0.001, 0.01, 1.0, 0.2), 800, 2.0,
    ),
    "saddle": Surface(
        "saddle", _saddle, (-3, 3), (-3, 3), ((0.0, 2**0.5), (0.0, -(2**0.5))), (-2.5, 0.01),
        _rates(0.05, 0.05, 0.01, 0.05, 0.5, 0.1), 150, 1.0,
    ),
    "himmelblau": Surface(
        "himmelblau", _himmelblau, (-5, 5), (-5, 5),
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        (0.0, -0.5), _rates(0.01, 0.01, 0.002, 0.1, 1.0, 0.2), 200, 5.0,
    ),
    "noisy": Surface(
        "noisy", _noisy, (-3, 3), (-3, 3), ((0.0, 0.0),), (2.6, 2.3),
        _rates(0.1, 0.1, 0.02, 0.05, 0.5, 0.1), 300, 0.5,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Trajectory:
    """One racer's path: the point and loss after each step (NaN once it diverged), and when it arrived."""

    racer: str
    learning_rate: float
    points: np.ndarray  # (steps + 1, 2), the start first
    losses: np.ndarray  # (steps + 1,)
    diverged_at: int | None  # first step whose point is no longer finite or has left for good
    reached_at: int | None  # first step within the surface's reach of a global minimum

    @property
    def steps(self) -> int:
        """How many steps were asked for."""
        return len(self.points) - 1

    def final(self) -> tuple[np.ndarray, float]:
        """The last point reached before any divergence, and its loss."""
        last = self.steps if self.diverged_at is None else self.diverged_at - 1
        return self.points[last], float(self.losses[last])


class _CompiledRacer:
    """One racer on one surface, traced once: its position variable, its optimizer and the compiled race loop.

    Every traced graph stays in memory for good (about 1 MB each), so a race reuses this object and only
    resets its state: start point, optimizer slots and learning rate.
    """

    def __init__(self, surface: Surface, racer: str):
        self.point = keras.Variable(np.zeros(2, np.float32), dtype="float32")
        self.optimizer = make_optimizer(racer_spec(racer, 0.01))
        self.optimizer.build([self.point])
        self.fresh = [variable.numpy() for variable in self.optimizer.variables]
        self.lock = threading.Lock()  # sessions are threads: one race at a time on these variables
        self.function = surface.function
        scalar = tf.TensorSpec([], tf.int32)
        self.loop = tf.function(self._race).get_concrete_function(scalar, tf.TensorSpec([], tf.float32), scalar)

    def _race(self, count, noise_std, seed):
        path = tf.TensorArray(tf.float32, size=count + 1).write(0, self.point.value)
        for step in tf.range(count):
            with tf.GradientTape() as tape:
                tape.watch(self.point.value)
                loss = self.function(self.point.value[0], self.point.value[1])
            gradient = tape.gradient(loss, self.point.value)
            # Mini-batch noise: a gradient estimated from a few samples is the true one plus random error.
            gradient += noise_std * tf.random.stateless_normal([2], seed=tf.stack([seed, step]))
            self.optimizer.apply_gradients([(gradient, self.point)])
            path = path.write(step + 1, self.point.value)
        return path.stack()

    def run(self, learning_rate: float, start, steps: int, noise_std: float, seed: int) -> np.ndarray:
        """The points visited from start, one per step, the start first."""
        with self.lock:
            for variable, value in zip(self.optimizer.variables, self.fresh, strict=True):
                variable.assign(value)
            self.optimizer.learning_rate = float(learning_rate)
            self.point.assign(np.asarray(start, np.float32))
            path = self.loop(tf.constant(steps, tf.int32), tf.constant(noise_std, tf.float32), tf.constant(seed))
            return path.numpy().astype(np.float64)


_COMPILED: dict[tuple[str, str], _CompiledRacer] = {}
_COMPILING = threading.Lock()


def _compiled(surface_key: str, racer: str) -> _CompiledRacer:
    with _COMPILING:
        if (surface_key, racer) not in _COMPILED:
            _COMPILED[surface_key, racer] = _CompiledRacer(SURFACES[surface_key], racer)
        return _COMPILED[surface_key, racer]


def trajectory(
    surface_key: str,
    racer: str,
    learning_rate: float,
    start: tuple[float, float] | None = None,
    steps: int | None = None,
    noise: float = 1.0,
    seed: int = 0,
) -> Trajectory:
    """Run one Keras optimizer for `steps` steps from `start` on the surface, in one compiled loop.

    noise scales the surface's mini-batch noise; only the "sgd" racer receives it.
    """
    surface = SURFACES[surface_key]
    start = surface.start if start is None else start
    steps = surface.steps if steps is None else steps
    sigma = surface.noise * noise if racer == "sgd" else 0.0
    points = _compiled(surface_key, racer).run(learning_rate, start, steps, sigma, seed)
    return _summarise(surface, racer, learning_rate, points)


def _summarise(surface: Surface, racer: str, learning_rate: float, points: np.ndarray) -> Trajectory:
    with np.errstate(all="ignore"):
        gone = ~np.isfinite(points).all(axis=1) | (np.linalg.norm(points, axis=1) > DIVERGED_NORM)
        diverged_at = int(np.argmax(gone)) if gone.any() else None
        if diverged_at is not None:
            points[diverged_at:] = np.nan
        losses = np.asarray(surface.function(points[:, 0], points[:, 1]), np.float64)
        distance = np.min([np.linalg.norm(points - np.asarray(m), axis=1) for m in surface.minima], axis=0)
    arrived = np.flatnonzero(distance < surface.reach)
    reached_at = int(arrived[0]) if len(arrived) else None
    return Trajectory(racer, float(learning_rate), points, losses, diverged_at, reached_at)


def surface_grid(surface_key: str, resolution: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, losses[y, x]) over the surface's plotted window, for contour plots."""
    surface = SURFACES[surface_key]
    xs = np.linspace(*surface.x_range, resolution)
    ys = np.linspace(*surface.y_range, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, np.asarray(surface.function(grid_x, grid_y), np.float64)
