"""The 2-D playground's experiment as a runnable Keras 3 script: the same points, features, network and training."""

import inspect

from playground.codegen import compile_lines, layer_source
from playground.plane import data as plane
from playground.plane.settings import PlaneSettings, network_spec, normalized, task

MAX_EMBEDDED = 500  # own points written into the script; more are read from the points file
POINTS_FILE = "playground_points.csv"

_COMMENTS = {
    "en": {
        "header": "# The 2-D playground's experiment, written as plain Keras 3 (Deep Learning Playground).",
        "data": "# The points: the same generator, seed and train/test split as in the playground.",
        "own": "# The points: your own, with the playground's train/test split (training points first).",
        "csv": "# Save the page's points file (playground_points.csv) beside this script.",
        "features": "# The input features the network sees of each point.",
        "targets": "# Targets in the form the loss expects.",
        "model": "# The network: keras.Input first, then the layers in order.",
        "fit": "# Train with mini-batches and report the test loss.",
    },
    "zh": {
        "header": "# 二维游乐场中的实验，写成普通的 Keras 3 代码（深度学习游乐场）。",
        "data": "# 数据点：与游乐场中相同的生成函数、随机种子和训练/测试划分。",
        "own": "# 数据点：你自己的数据，与游乐场中相同的训练/测试划分（训练点在前）。",
        "csv": "# 请把页面上的数据点文件（playground_points.csv）保存在本脚本旁边。",
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


def points_table(data: plane.PlaneData) -> str:
    """Own points as CSV text: x1, x2 and label (or value), training points first, then the test points."""
    rows = ["x1,x2,label"]
    for points, labels in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        rows += [f"{x1!r},{x2!r},{label!r}" for (x1, x2), label in zip(points.tolist(), labels.tolist(), strict=True)]
    return "\n".join(rows) + "\n"


def _own_points(data: plane.PlaneData, comments: dict) -> list[str]:
    count = len(data.x_train) + len(data.x_test)
    if count > MAX_EMBEDDED:
        load = [comments["csv"], f"table = np.loadtxt({POINTS_FILE!r}, delimiter=',', skiprows=1, ndmin=2)"]
    else:
        rows = points_table(data).splitlines()[1:]
        load = ["table = np.array(", "    [", *(f"        [{row}]," for row in rows), "    ]", ")"]
    label_type = "np.float32" if data.task == "regression" else "np.int64"
    return [
        comments["own"],
        *load,
        f"points, labels = table[:, :2].astype(np.float32), table[:, 2].astype({label_type})",
        "",
    ]


def _generated_points(settings: PlaneSettings, comments: dict) -> list[str]:
    generator = plane.DATASETS[settings.dataset].generate
    return [
        inspect.getsource(generator).rstrip(),
        "",
        "",
        comments["data"],
        f"rng = np.random.default_rng({settings.seed})",
        f"points, labels = {generator.__name__}({settings.points}, {settings.noise!r}, rng, {settings.classes})",
        f"order = rng.permutation({settings.points})",
        "points, labels = points[order].astype(np.float32), labels[order]",
        "",
    ]


def plane_source(
    settings: PlaneSettings, epochs: int = 100, language: str = "en", data: plane.PlaneData | None = None
) -> str:
    """A runnable script that rebuilds the playground's data and network (and trains it when run).

    Own data (a placed, uploaded or rule set, passed as `data`) is written into the script up to MAX_EMBEDDED
    points, else read from POINTS_FILE (points_table's text).
    """
    settings = normalized(settings)
    comments = _COMMENTS.get(language, _COMMENTS["en"])
    spec = network_spec(settings)
    own = settings.source != "builtin" and data is not None
    if own:
        n_train = len(data.x_train)
    else:
        n_train = min(settings.points - 1, max(1, round(settings.points * settings.train / 100)))
    columns = ", ".join(plane.FEATURE_SOURCE[name] for name in settings.features)
    lines = [
        comments["header"],
        "import keras",
        "import numpy as np",
        "from keras import layers",
        "",
        "",
        *(_own_points(data, comments) if own else _generated_points(settings, comments)),
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
        *compile_lines(spec),
        "",
        'if __name__ == "__main__":',
        "    model.summary()",
        "    " + comments["fit"],
        f"    model.fit(x_train, y_train, epochs={epochs}, batch_size={settings.batch}, verbose=2)",
        "    print(model.evaluate(x_test, y_test, verbose=0))",
        "",
    ]
    return "\n".join(lines)
