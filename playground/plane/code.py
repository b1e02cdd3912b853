"""The 2-D playground's experiment as a runnable Keras 3 script: the same points, features, network and training."""

import inspect

from playground.codegen import layer_source, optimizer_source
from playground.plane import data as plane
from playground.plane.settings import PlaneSettings, network_spec, normalized, task

_COMMENTS = {
    "en": {
        "header": "# The 2-D playground's experiment, written as plain Keras 3 (Deep Learning Playground).",
        "data": "# The points: the same generator, seed and train/test split as in the playground.",
        "features": "# The input features the network sees of each point.",
        "targets": "# Targets in the form the loss expects.",
        "model": "# The network: keras.Input first, then the layers in order.",
        "fit": "# Train with mini-batches and report the test loss.",
    },
    "zh": {
        "header": "# 二维游乐场中的实验，写成普通的 Keras 3 代码（深度学习游乐场）。",
        "data": "# 数据点：与游乐场中相同的生成函数、随机种子和训练/测试划分。",
        "features": "# 网络看到的每个点的输入特征。",
        "targets": "# 按损失函数要求的形式编码的目标值。",
        "model": "# 网络：先是 keras.Input，然后按顺序排列各层。",
        "fit": "# 用小批量训练，并报告测试损失。",
    },
}


def _target_lines(settings: PlaneSettings, units: int) -> list[str]:
    if task(settings) == "regression":
        return ["y = labels.astype(np.float32).reshape(-1, 1)"]
    if units == 1:
        return ["y = np.where(labels == 1, 1.0, -1.0).astype(np.float32).reshape(-1, 1)  # class 1 → +1, class 0 → −1"]
    return [f"y = keras.utils.to_categorical(labels, {units})"]


def plane_source(settings: PlaneSettings, epochs: int = 100, language: str = "en") -> str:
    """A runnable script that rebuilds the playground's data and network (and trains it when run)."""
    settings = normalized(settings)
    comments = _COMMENTS.get(language, _COMMENTS["en"])
    spec = network_spec(settings)
    generator = plane.DATASETS[settings.dataset].generate
    classes = settings.classes
    n_train = min(settings.points - 1, max(1, round(settings.points * settings.train / 100)))
    columns = ", ".join(plane.FEATURE_SOURCE[name] for name in settings.features)
    lines = [
        comments["header"],
        "import keras",
        "import numpy as np",
        "from keras import layers",
        "",
        "",
        inspect.getsource(generator).rstrip(),
        "",
        "",
        comments["data"],
        f"rng = np.random.default_rng({settings.seed})",
        f"points, labels = {generator.__name__}({settings.points}, {settings.noise!r}, rng, {classes})",
        f"order = rng.permutation({settings.points})",
        "points, labels = points[order].astype(np.float32), labels[order]",
        "",
        comments["features"],
        "p = points",
        f"x = np.stack([{columns}], axis=1).astype(np.float32)",
        comments["targets"],
        *_target_lines(settings, spec.num_classes),
        f"x_train, y_train, x_test, y_test = x[:{n_train}], y[:{n_train}], x[{n_train}:], y[{n_train}:]",
        "",
        comments["model"],
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(shape=({len(settings.features)},)),",
        *(f"        {layer_source(layer)}," for layer in spec.layers),
        "    ]",
        ")",
        "model.compile(",
        f"    optimizer={optimizer_source(spec)},",
        f"    loss={spec.loss!r},",
        f"    metrics={list(spec.metrics)!r},",
        ")",
        "",
        'if __name__ == "__main__":',
        "    model.summary()",
        "    " + comments["fit"],
        f"    model.fit(x_train, y_train, epochs={epochs}, batch_size={settings.batch}, verbose=2)",
        "    print(model.evaluate(x_test, y_test, verbose=0))",
        "",
    ]
    return "\n".join(lines)
