"""Text of the Draw page's "explain a number" tab: how any activation was computed."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "draw_explain",
    en={
        "tab": "Explain a number",
        "intro": (
            "Pick any number the network computed for this input: click a cell of the map, or choose the layer "
            "and the place with the fields below (the keyboard way). You see how it was computed from what the "
            "layer read and its trained weights, and that it is the number the model itself computed."
        ),
        "target": "Layer (or part of a block)",
        "target_label": "Layer {position} · {kind} · {shape}",
        "target_part": "Layer {position} · {kind} · part {part} · {shape}",
        "channel": "Feature map (channel)",
        "row": "Row",
        "column": "Column",
        "unit": "Unit",
        "value": "value",
        "map_title": "Map {channel}: click a cell to explain it",
        "map_alt": (
            "The picture shows map {channel} of this output, {height}×{width} values from `{low}` to `{high}`; "
            "the chosen cell, row {row}, column {column}, is outlined in blue."
        ),
        "chosen_cell": "How was the value at row {row}, column {column} of map {channel} computed?",
        "chosen_unit": "How was the value of unit {unit} computed?",
        "source_image": "the input image",
        "source_layer": "layer {position}'s output",
        "source_part": "part `{part}` of layer {position}",
        "source_title": "What it read: {source}, map {channel}",
        "source_alt": (
            "The picture shows {source}, map {channel}; the cells read, rows {top} to {bottom} and columns {left} "
            "to {right}, are outlined in orange."
        ),
        "conv_words": (
            "**A convolution.** The {height}×{width} window of {source} whose top-left cell is row {top}, column "
            "{left} ({channels}; cells outside the map count as 0) is multiplied cell by cell by this "
            "filter's kernel; the products are summed, the bias is added and the activation applied."
        ),
        "one_channel": "its one channel",
        "all_channels": "all {count} channels",
        "patch": "Input window",
        "kernel": "Kernel of filter {channel}",
        "products": "Input × weight",
        "window": "Window",
        "numbers_small": "Inputs: `{patch}`. Weights: `{weights}`. Products: `{products}`.",
        "numbers_large": (
            "The pictures show the {count} inputs, the weights and their products (channels side by side); the "
            "largest product, `{largest}`, is at row {row}, column {column} of input channel {channel}."
        ),
        "window_small": "Values in the window: `{patch}`.",
        "sum_line": "Sum of the {count} products: `{total}`",
        "bias_line": "Plus the bias: `{total} + {bias} = {pre}`",
        "activation_line": "Through the activation: `{activation}({pre}) = {value}`",
        "no_activation": "No activation (linear): the value is `{value}`.",
        "max_words": (
            "**Max pooling.** The largest value in the {height}×{width} window of map {channel} of {source}, top-left "
            "cell row {top}, column {left}."
        ),
        "max_line": "The maximum is `{value}`, at row {row}, column {column} of the window.",
        "padding_note": "Cells of the window outside the map are left out.",
        "mean_words": (
            "**Average pooling.** The mean of the {height}×{width} window of map {channel} of {source}, top-left "
            "cell row {top}, column {left}."
        ),
        "mean_line": "Sum divided by the number of cells: `{total} / {count} = {value}`",
        "global_words": "**Global average pooling.** The mean of the whole {height}×{width} map {channel} of {source}.",
        "flatten_words": (
            "**Flatten** only rearranges: this value is copied from row {row}, column {column}, channel {channel} of "
            "{source} (read row by row, the channels of each cell one after another): `{value}`."
        ),
        "flatten_vector": "**Flatten** copies value {unit} of {source}: `{value}`.",
        "identity_words": (
            "**Dropout** passes the value on unchanged when the model predicts (it drops units only while training): "
            "the same place in {source} holds `{value}`."
        ),
        "normalize_words": (
            "**Batch normalisation**, with the statistics kept from training: γ × (x − mean) / √(variance + ε) + β, "
            "for x, the same place in {source}."
        ),
        "normalize_line": "`{gamma} × ({x} − {mean}) / √({variance} + {epsilon}) + {beta} = {value}`",
        "statistic": "Statistic",
        "statistic_value": "Value",
        "gamma": "γ (scale, learned)",
        "beta": "β (shift, learned)",
        "mean": "mean (moving average)",
        "variance": "variance (moving average)",
        "epsilon": "ε (keeps the division safe)",
        "dense_words": (
            "**Dense.** Each of the {count} inputs from {source} is multiplied by its weight; the products are "
            "summed, the bias is added and the activation applied. The {shown} largest contributions:"
        ),
        "col_unit": "Input unit",
        "col_input": "Input",
        "col_weight": "Weight",
        "col_product": "Weight × input",
        "dense_rest": "The other {others} contributions add up to `{rest}`.",
        "activation_words": "**An activation**: {activation} applied to the same place in {source}.",
        "sum_words": "**The block adds its two paths**: {first} plus {second} at the same place.",
        "add_line": "`{first} + {second} = {value}`",
        "softmax_words": (
            "**Softmax** turns the {count} logits (the values before the activation) into the probabilities shown: "
            "exp of each logit divided by the sum of exp of all of them."
        ),
        "col_class": "Class",
        "col_logit": "Logit",
        "col_probability": "Probability",
        "softmax_line": "`exp({logit}) / Σ exp(logits) = {value}`",
        "keras_value": "The model computed",
        "recomputed": "Recomputed here",
        "match": "The two agree: the arithmetic above is what Keras computed (difference `{difference}`).",
        "mismatch": "The recomputed value differs from the model's by `{difference}`.",
        "not_explained": "The arithmetic of this kind of layer is not shown yet.",
    },
    zh={
        "tab": "解释一个数",
        "intro": (
            "选出网络为这个输入算出的任意一个数：点击图中的一个格子，或者用下面的输入框选层和位置（键盘也能操作）。"
            "你会看到它是怎样由这一层读到的数和训练得到的权重算出来的，以及它正是模型自己算出的那个数。"
        ),
        "target": "层（或模块中的一部分）",
        "target_label": "第 {position} 层 · {kind} · {shape}",
        "target_part": "第 {position} 层 · {kind} · 部分 {part} · {shape}",
        "channel": "特征图（通道）",
        "row": "行",
        "column": "列",
        "unit": "单元",
        "value": "值",
        "map_title": "第 {channel} 张特征图：点击一个格子来解释它",
        "map_alt": "图中是这一输出的第 {channel} 张特征图，共 {height}×{width} 个值，范围从 `{low}` 到 `{high}`；所选格子（第 {row} 行、第 {column} 列）用蓝框标出。",
        "chosen_cell": "第 {channel} 张特征图第 {row} 行、第 {column} 列的值是怎样算出来的？",
        "chosen_unit": "第 {unit} 个单元的值是怎样算出来的？",
        "source_image": "输入图像",
        "source_layer": "第 {position} 层的输出",
        "source_part": "第 {position} 层的部分 `{part}`",
        "source_title": "它读到的：{source}，第 {channel} 张特征图",
        "source_alt": "图中是{source}的第 {channel} 张特征图；被读到的格子（第 {top} 到 {bottom} 行、第 {left} 到 {right} 列）用橙框标出。",
        "conv_words": (
            "**卷积。** 取{source}中左上角位于第 {top} 行、第 {left} 列的 {height}×{width} 窗口（{channels}；"
            "超出特征图的格子按 0 计），与这个卷积核逐格相乘；乘积求和，加上偏置，再经过激活函数。"
        ),
        "one_channel": "它唯一的通道",
        "all_channels": "全部 {count} 个通道",
        "patch": "输入窗口",
        "kernel": "第 {channel} 个卷积核",
        "products": "输入 × 权重",
        "window": "窗口",
        "numbers_small": "输入：`{patch}`。权重：`{weights}`。乘积：`{products}`。",
        "numbers_large": "图中是 {count} 个输入、对应的权重和它们的乘积（各通道并排）；最大的乘积 `{largest}` 位于输入通道 {channel} 的第 {row} 行、第 {column} 列。",
        "window_small": "窗口中的值：`{patch}`。",
        "sum_line": "{count} 个乘积之和：`{total}`",
        "bias_line": "加上偏置：`{total} + {bias} = {pre}`",
        "activation_line": "经过激活函数：`{activation}({pre}) = {value}`",
        "no_activation": "没有激活函数（线性）：值就是 `{value}`。",
        "max_words": "**最大池化。** {source}第 {channel} 张特征图中左上角位于第 {top} 行、第 {left} 列的 {height}×{width} 窗口里的最大值。",
        "max_line": "最大值是 `{value}`，位于窗口的第 {row} 行、第 {column} 列。",
        "padding_note": "窗口中超出特征图的格子不参与计算。",
        "mean_words": "**平均池化。** {source}第 {channel} 张特征图中左上角位于第 {top} 行、第 {left} 列的 {height}×{width} 窗口的平均值。",
        "mean_line": "总和除以格子数：`{total} / {count} = {value}`",
        "global_words": "**全局平均池化。** {source}中整张 {height}×{width} 的第 {channel} 张特征图的平均值。",
        "flatten_words": "**Flatten** 只是重新排列：这个值复制自{source}的第 {row} 行、第 {column} 列、第 {channel} 个通道（逐行读取，每个格子的各通道依次排列）：`{value}`。",
        "flatten_vector": "**Flatten** 复制了{source}的第 {unit} 个值：`{value}`。",
        "identity_words": "**Dropout** 在模型预测时把值原样传下去（它只在训练时丢弃单元）：{source}中同一位置的值是 `{value}`。",
        "normalize_words": "**批归一化**，使用训练中保存的统计量：γ × (x − 均值) / √(方差 + ε) + β，其中 x 是{source}中同一位置的值。",
        "normalize_line": "`{gamma} × ({x} − {mean}) / √({variance} + {epsilon}) + {beta} = {value}`",
        "statistic": "统计量",
        "statistic_value": "值",
        "gamma": "γ（缩放，学到的）",
        "beta": "β（平移，学到的）",
        "mean": "均值（滑动平均）",
        "variance": "方差（滑动平均）",
        "epsilon": "ε（保证除法安全）",
        "dense_words": "**全连接层（Dense）。** 来自{source}的 {count} 个输入分别乘以各自的权重；乘积求和，加上偏置，再经过激活函数。贡献最大的 {shown} 项：",
        "col_unit": "输入单元",
        "col_input": "输入",
        "col_weight": "权重",
        "col_product": "权重 × 输入",
        "dense_rest": "其余 {others} 项贡献之和为 `{rest}`。",
        "activation_words": "**激活函数**：对{source}中同一位置的值应用 {activation}。",
        "sum_words": "**模块把两条路径相加**：{first}与{second}在同一位置的值相加。",
        "add_line": "`{first} + {second} = {value}`",
        "softmax_words": "**softmax** 把 {count} 个 `logit`（激活之前的值）变成显示的概率：每个 `logit` 的 exp 除以所有 `logit` 的 exp 之和。",
        "col_class": "类别",
        "col_logit": "logit",
        "col_probability": "概率",
        "softmax_line": "`exp({logit}) / Σ exp(logits) = {value}`",
        "keras_value": "模型算出的值",
        "recomputed": "这里重新算出的值",
        "match": "两者一致：上面的计算正是 Keras 算出的结果（差值 `{difference}`）。",
        "mismatch": "重新算出的值与模型的值相差 `{difference}`。",
        "not_explained": "这种层的计算过程暂时还不能显示。",
    },
)
