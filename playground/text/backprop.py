"""Text of the back-propagation page."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "backprop",
    en={
        "title": "Back-propagation, step by step",
        "intro": (
            "A tiny network (2 inputs, 2 hidden neurons, 1 output) learns one example. Forward propagation computes "
            "every node's value and the loss. Back-propagation works backwards from the loss with the chain rule and "
            "finds how the loss changes with every weight: its gradient. The optimizer then moves each weight a "
            "little against its gradient. Take steps and watch the loss fall."
        ),
        "example": "The example",
        "x1": "Input x₁",
        "x2": "Input x₂",
        "target": "Target output",
        "activation": "Hidden activation",
        "loss": "Loss",
        "loss_mean_squared_error": "mean squared error",
        "loss_binary_crossentropy": "binary cross-entropy",
        "learning_rate": "Learning rate η",
        "step": "1 step",
        "step10": "10 steps",
        "reset": "Reset the weights",
        "steps_taken": "Steps taken",
        "loss_now": "Loss now",
        "output_now": "Output o",
        "diagram_note": (
            "z: weighted sum, a: activation, δ = ∂loss/∂z. Each edge is a weight with its gradient ∂L/∂w; the "
            "thicker the edge, the larger |∂L/∂w|. Blue: positive weight, orange: negative."
        ),
        "forward_title": "1 · Forward propagation",
        "forward_text": (
            "Each neuron: z = w·x + b, then a = activation(z). The output neuron uses sigmoid, and the loss compares o "
            "with the target."
        ),
        "backward_title": "2 · Back-propagation",
        "backward_text": (
            "The chain rule, from the loss back: δ of the output, then δ of each hidden neuron = (weight to the "
            "output × δ of the output) × slope of its activation. A weight's gradient = δ of the neuron it feeds × "
            "the value on its input. The finite-difference column nudges each weight by ±`{epsilon:g}` and measures "
            "the loss change: it agrees with automatic differentiation."
        ),
        "update_title": "3 · Update",
        "update_text": "w ← w − η · ∂L/∂w, applied by `keras.optimizers.SGD`.",
        "col_weight": "Weight",
        "col_value": "Value",
        "col_autodiff": "∂L/∂w (automatic differentiation)",
        "col_numeric": "∂L/∂w (finite differences)",
        "col_difference": "Difference",
        "col_update": "−η · ∂L/∂w",
        "col_after": "After the step",
        "fig_loss": "loss",
        "fig_target": "target",
        "fig_step": "step",
        "history_title": "Loss after each step",
        "link_build": "Every Dense layer on the Build page is made of neurons like these",
        "link_train": "Training repeats this step thousands of times on the Train page",
    },
    zh={
        "title": "反向传播，一步一步来",
        "intro": (
            "一个很小的网络（2 个输入、2 个隐藏神经元、1 个输出）学习一个样本。前向传播算出每个节点的值和损失；"
            "反向传播用链式法则从损失往回推，求出损失随每个权重的变化率，也就是梯度；优化算法再让每个权重逆着梯度"
            "移动一小步。一步步执行，看损失如何下降。"
        ),
        "example": "样本",
        "x1": "输入 x₁",
        "x2": "输入 x₂",
        "target": "目标输出",
        "activation": "隐藏层激活函数",
        "loss": "损失函数",
        "loss_mean_squared_error": "均方误差",
        "loss_binary_crossentropy": "二元交叉熵",
        "learning_rate": "学习率 η",
        "step": "走一步",
        "step10": "走 10 步",
        "reset": "重置权重",
        "steps_taken": "已执行步数",
        "loss_now": "当前损失",
        "output_now": "输出 o",
        "diagram_note": (
            "z：加权和，a：激活值，δ = ∂损失/∂z。每条边是一个权重及其梯度 ∂L/∂w；|∂L/∂w| 越大，边越粗。"
            "蓝色：正权重，橙色：负权重。"
        ),
        "forward_title": "1 · 前向传播",
        "forward_text": "每个神经元：z = w·x + b，然后 a = 激活函数(z)。输出神经元使用 sigmoid，损失函数比较 o 与目标值。",
        "backward_title": "2 · 反向传播",
        "backward_text": (
            "从损失往回应用链式法则：先求输出的 δ，再求每个隐藏神经元的 δ =（通往输出的权重 × 输出的 δ）× 它的激活函数"
            "斜率。一个权重的梯度 = 它所连接神经元的 δ × 它的输入值。有限差分一列把每个权重分别加减 `{epsilon:g}`，"
            "测量损失的变化：结果与自动微分一致。"
        ),
        "update_title": "3 · 更新",
        "update_text": "w ← w − η · ∂L/∂w，由 `keras.optimizers.SGD` 执行。",
        "col_weight": "权重",
        "col_value": "数值",
        "col_autodiff": "∂L/∂w（自动微分）",
        "col_numeric": "∂L/∂w（有限差分）",
        "col_difference": "差值",
        "col_update": "−η · ∂L/∂w",
        "col_after": "更新后",
        "fig_loss": "损失",
        "fig_target": "目标",
        "fig_step": "步数",
        "history_title": "每一步之后的损失",
        "link_build": "“搭建模型”页上的每个全连接层都由这样的神经元组成",
        "link_train": "在“训练”页，训练就是把这一步重复成千上万次",
    },
)
