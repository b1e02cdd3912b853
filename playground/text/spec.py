"""Messages of model-spec validation, in every language."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "spec",
    en={
        "where_layer": "Layer {position} ({kind}) ",
        "malformed": "the spec cannot be read: {detail}.",
        "malformed_json": "this is not valid JSON ({detail}).",
        "no_layers": "the model has no layers: add at least an output Dense layer.",
        "unknown_kind": "is not a layer kind I know: use one of {known}.",
        "unknown_arg": "does not take an argument '{name}': it takes {known}.",
        "bad_arg": "has {name} = {value!r}, but it must be {allowed}.",
        "missing_arg": "needs a value for '{name}'.",
        "needs_image_after_flat": (
            "needs an image but gets a flat vector of {size} values: move it before Flatten "
            "(or before the first Dense layer)."
        ),
        "needs_image_flat_input": (
            "needs an image but this data gives a flat vector of {size} values: remove it or use Dense layers."
        ),
        "dense_needs_flat": (
            "gets an image of {shape} values but needs a flat vector: add Flatten or GlobalAveragePooling2D before it."
        ),
        "shrinks_to_zero": (
            "gets a {size} image but its window is {window}: the output would have no pixels left. "
            "Use padding 'same', a smaller window, or fewer pooling layers before it."
        ),
        "output_size": (
            "is the output layer and has {units} units, but the data has {classes} classes: set its units to {classes}."
        ),
        "output_not_flat": (
            "the model ends with a {shape} image, but it must end with {classes} values: "
            "add Flatten and a Dense layer with {classes} units."
        ),
        "too_many_params": (
            "the model has {count} parameters, more than the {cap} this playground allows: "
            "use fewer filters or units, or pool before Flatten."
        ),
        "too_many_layers": "the model has {count} layers, more than the {cap} this playground allows.",
        "input_too_large": "the input {shape} is larger than this playground allows: at most {values} values.",
        "too_many_classes": "the model has {count} classes, more than the {cap} this playground allows.",
        "unknown_loss": "unknown name '{name}': use one of {known}.",
        "unknown_optimizer": "unknown name '{name}': use one of {known}.",
        "unknown_metric": "unknown name '{name}': use one of {known}.",
        "dataset_mismatch": (
            "the model expects {model} (input → classes) but the dataset gives {data}: "
            "start from a preset for this dataset or change the input and output layers."
        ),
        "warn_softmax_mse": (
            "{loss} with a softmax output trains, but slowly: its gradient vanishes when the model is confidently "
            "wrong. Cross-entropy is the loss made for probabilities."
        ),
        "warn_ce_without_softmax": (
            "cross-entropy expects probabilities, but the last layer uses '{activation}': "
            "use softmax on the output layer so its values are probabilities that sum to 1."
        ),
        "warn_deep_sigmoid": (
            "{count} sigmoid layers in a row: sigmoid's gradient is at most 0.25, so it shrinks layer by layer "
            "and the first layers barely learn (vanishing gradients). Try relu."
        ),
    },
    zh={
        "where_layer": "第 {position} 层（{kind}）",
        "malformed": "无法读取模型描述：{detail}。",
        "malformed_json": "这不是有效的 JSON（{detail}）。",
        "no_layers": "模型没有任何层：至少添加一个作为输出的 Dense 层。",
        "unknown_kind": "不是已知的层类型：请使用 {known} 之一。",
        "unknown_arg": "没有参数“{name}”：它接受 {known}。",
        "bad_arg": "的 {name} = {value!r}，但它必须是 {allowed}。",
        "missing_arg": "需要为“{name}”设置一个值。",
        "needs_image_after_flat": (
            "需要图像输入，却得到一个含 {size} 个值的扁平向量：请把它移到 Flatten 之前（或第一个 Dense 层之前）。"
        ),
        "needs_image_flat_input": "需要图像输入，但这份数据给出的是含 {size} 个值的扁平向量：请删除它或改用 Dense 层。",
        "dense_needs_flat": "得到的是 {shape} 的图像，但它需要扁平向量：请在它之前添加 Flatten 或 GlobalAveragePooling2D。",
        "shrinks_to_zero": (
            "得到 {size} 的图像，但窗口是 {window}：输出将没有任何像素。"
            "请使用 padding 'same'、更小的窗口，或减少它之前的池化层。"
        ),
        "output_size": "是输出层，有 {units} 个单元，但数据有 {classes} 个类别：请把单元数设为 {classes}。",
        "output_not_flat": "模型以 {shape} 的图像结束，但它必须输出 {classes} 个值：请添加 Flatten 和一个 {classes} 单元的 Dense 层。",
        "too_many_params": "模型有 {count} 个参数，超过了本平台允许的 {cap} 个：请减少卷积核或神经元数量，或在 Flatten 之前池化。",
        "too_many_layers": "模型有 {count} 层，超过了本平台允许的 {cap} 层。",
        "input_too_large": "输入 {shape} 超过了本平台允许的大小：最多 {values} 个值。",
        "too_many_classes": "模型有 {count} 个类别，超过了本平台允许的 {cap} 个。",
        "unknown_loss": "未知的名称“{name}”：请使用 {known} 之一。",
        "unknown_optimizer": "未知的名称“{name}”：请使用 {known} 之一。",
        "unknown_metric": "未知的名称“{name}”：请使用 {known} 之一。",
        "dataset_mismatch": (
            "模型期望 {model}（输入 → 类别），但数据集给出的是 {data}：请从适合该数据集的预设开始，或修改输入层和输出层。"
        ),
        "warn_softmax_mse": (
            "{loss} 配合 softmax 输出也能训练，但很慢：模型自信地犯错时梯度几乎消失。交叉熵才是为概率设计的损失函数。"
        ),
        "warn_ce_without_softmax": (
            "交叉熵需要概率作为输入，但最后一层使用的是“{activation}”：请在输出层使用 softmax，使输出成为和为 1 的概率。"
        ),
        "warn_deep_sigmoid": (
            "连续 {count} 个 sigmoid 层：sigmoid 的导数最大只有 0.25，梯度逐层变小，前面的层几乎学不到东西（梯度消失）。试试 relu。"
        ),
    },
)
