"""Text of the activation functions page."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "activations",
    en={
        "title": "Activation functions",
        "intro": (
            "A neuron adds up its weighted inputs and passes the sum through an activation function. Without it, "
            "any stack of layers would still be one linear function. Pick functions and compare their shapes and "
            "slopes: the slope (derivative) is what back-propagation multiplies the gradient by."
        ),
        "choose": "Activation functions",
        "range": "Input range",
        "param_leaky_relu_negative_slope": "leaky_relu: slope for x < 0",
        "param_elu_alpha": "elu: α (the value it approaches for very negative x is −α)",
        "probe": "Look at x =",
        "flat_note": (
            "Pale bands mark flat stretches, where the slope f′(x) is below {threshold}. Back-propagation multiplies "
            "the gradient by this slope, so a neuron working there (a saturated sigmoid or tanh, a ReLU below zero) "
            "passes almost nothing back and the weights before it learn very slowly."
        ),
        "softmax_note": "softmax acts on a whole vector: the curve is its first output for the scores (x, 0), "
        "which equals sigmoid(x).",
        "col_activation": "Activation",
        "col_value": "f(x)",
        "col_slope": "f′(x)",
        "col_flat": "Flat here?",
        "yes": "yes",
        "no": "no",
        "fig_value": "f(x)",
        "fig_derivative": "Derivative f′(x), by automatic differentiation",
        "fig_input": "input x (the weighted sum)",
        "fig_output": "output",
        "fig_slope": "slope",
        "fig_flat": "flat",
        "fig_layer": "layer {n}",
        "fig_layers_axis": "Dense layer (1 = nearest the input)",
        "fig_grad_size": "mean |∂loss/∂weight| (log scale)",
        "experiment_title": "Experiment: six sigmoid layers or six ReLU layers",
        "experiment_text": (
            "The same deep network (six hidden Dense layers of 64 neurons: the presets deep-sigmoid and deep-relu) "
            "is trained briefly on MNIST digits. The bars show how large the gradient reaching each layer's weights "
            "is. A sigmoid's slope is at most 0.25, so on its way back the gradient shrinks at every sigmoid layer, "
            "and the layers near the input hardly learn: the vanishing gradient."
        ),
        "samples": "Training images",
        "epochs": "Epochs",
        "run": "Run the experiment",
        "running": "Training both networks in a separate process…",
        "experiment_failed": "The experiment could not run: {error}",
        "when": "Gradients measured",
        "when_start": "before training",
        "when_end": "after training",
        "preset_deep-sigmoid": "sigmoid network",
        "preset_deep-relu": "ReLU network",
        "accuracy": "{name}: test accuracy",
        "accuracy_help": "On 1,000 test digits; it was {before:.0%} before training (a guess is 10%).",
        "ratio": "In layer 1 the sigmoid network's gradient is {ratio:,.0f}× smaller than the ReLU network's.",
        "link_build": "Choose each layer's activation on the Build page",
        "link_train": "Train the deep-sigmoid and deep-relu presets for longer on the Train page",
    },
    zh={
        "title": "激活函数",
        "intro": (
            "神经元对输入加权求和，再把和送进激活函数。没有激活函数，再多的层叠在一起也仍然只是一个线性函数。"
            "选择几个函数，比较它们的形状和斜率：反向传播时，梯度正是乘以这个斜率（导数）向后传递的。"
        ),
        "choose": "激活函数",
        "range": "输入范围",
        "param_leaky_relu_negative_slope": "leaky_relu：x < 0 时的斜率",
        "param_elu_alpha": "elu：α（x 很小时函数值趋近 −α）",
        "probe": "查看 x =",
        "flat_note": (
            "浅色宽带标出平坦区：这里的斜率 f′(x) 小于 {threshold}。反向传播把梯度乘以这个斜率，所以工作在这里的神经元"
            "（饱和的 sigmoid 或 tanh、小于零的 ReLU）几乎传不回梯度，它前面的权重学得非常慢。"
        ),
        "softmax_note": "softmax 作用于整个向量：曲线是它对得分 (x, 0) 的第一个输出，恰好等于 sigmoid(x)。",
        "col_activation": "激活函数",
        "col_value": "f(x)",
        "col_slope": "f′(x)",
        "col_flat": "这里平坦？",
        "yes": "是",
        "no": "否",
        "fig_value": "f(x)",
        "fig_derivative": "导数 f′(x)（自动微分计算）",
        "fig_input": "输入 x（加权和）",
        "fig_output": "输出",
        "fig_slope": "斜率",
        "fig_flat": "平坦区",
        "fig_layer": "第 {n} 层",
        "fig_layers_axis": "全连接层（1 = 最靠近输入）",
        "fig_grad_size": "平均 |∂损失/∂权重|（对数坐标）",
        "experiment_title": "实验：六层 sigmoid 还是六层 ReLU",
        "experiment_text": (
            "同一个深层网络（六个各 64 个神经元的隐藏全连接层：预设 deep-sigmoid 和 deep-relu）在 MNIST 手写数字上"
            "短暂训练。柱子表示到达每层权重的梯度有多大。sigmoid 的斜率最大只有 0.25，梯度每向后经过一层 sigmoid "
            "就缩小一次，靠近输入的层几乎学不动：这就是梯度消失。"
        ),
        "samples": "训练图片数",
        "epochs": "训练轮数",
        "run": "运行实验",
        "running": "正在另一个进程中训练两个网络……",
        "experiment_failed": "实验无法运行：{error}",
        "when": "梯度的测量时刻",
        "when_start": "训练前",
        "when_end": "训练后",
        "preset_deep-sigmoid": "sigmoid 网络",
        "preset_deep-relu": "ReLU 网络",
        "accuracy": "{name}：测试准确率",
        "accuracy_help": "在 1,000 个测试数字上；训练前为 {before:.0%}（随便猜是 10%）。",
        "ratio": "在第 1 层，sigmoid 网络的梯度比 ReLU 网络小 {ratio:,.0f} 倍。",
        "link_build": "在“搭建模型”页为每一层选择激活函数",
        "link_train": "在“训练”页把 deep-sigmoid 和 deep-relu 预设训练得更久",
    },
)
