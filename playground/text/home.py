"""Text of the landing page."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "home",
    en={
        "title": "Deep Learning Playground",
        "tagline": "Compose a neural network, train it live, then draw a digit and watch it think.",
        "intro": (
            "A neural network is made of layers of neurons. Each neuron weighs its inputs, adds them up and "
            "passes the sum through an activation function. Training shows the network examples, measures its "
            "mistakes with a loss function (forward propagation) and nudges every weight to make the loss "
            "smaller (back-propagation and an optimizer). Here you can touch every one of those ideas."
        ),
        "step_build": "1 · Build",
        "step_build_text": "Start from the seed article's CNN or another preset; add, remove and edit layers; "
        "see every layer's output shape and parameter count, and the Keras code.",
        "step_train": "2 · Train",
        "step_train_text": "Press Start and watch loss and accuracy curves draw themselves; stop, continue, compare runs.",
        "step_draw": "3 · Draw",
        "step_draw_text": "Draw a digit with the mouse and see the prediction and every feature map of your model.",
        "go_build": "Start building",
        "concepts": "Concepts you can touch",
        "concepts_text": "Activation functions, loss functions, optimizers, back-propagation step by step, "
        "and a 2-D playground where a small network learns to separate points.",
    },
    zh={
        "title": "深度学习游乐场",
        "tagline": "搭建一个神经网络，实时训练它，然后手写一个数字，看它如何思考。",
        "intro": (
            "神经网络由一层层神经元组成。每个神经元对输入加权求和，再经过激活函数。训练时，网络看到样本，"
            "用损失函数衡量自己的错误（前向传播），再由优化算法沿梯度调整每个权重，让损失变小（反向传播）。"
            "在这里，你可以亲手触摸每一个概念。"
        ),
        "step_build": "1 · 搭建",
        "step_build_text": "从原文中的卷积神经网络或其他预设开始；添加、删除、修改各层；查看每层的输出形状、参数数量和 Keras 代码。",
        "step_train": "2 · 训练",
        "step_train_text": "点击开始，看损失和准确率曲线自己画出来；可以停止、继续并比较多次训练。",
        "step_draw": "3 · 手写",
        "step_draw_text": "用鼠标写一个数字，看模型的预测和每一层的特征图。",
        "go_build": "开始搭建",
        "concepts": "可以动手体验的核心概念",
        "concepts_text": "激活函数、损失函数、优化算法、逐步演示的反向传播，以及一个二维游乐场：小网络学习把平面上的点分开。",
    },
)
