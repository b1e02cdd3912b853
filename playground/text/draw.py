"""Text of the Draw page: canvas, prediction, inside the network, test-set mistakes, upload."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "draw",
    en={
        "title": "Draw a digit",
        "intro": (
            "Draw a digit and see what the network makes of it, layer by layer. Your drawing is turned into "
            "the 28×28 input MNIST models expect, the way MNIST's digits were made: cropped to the ink, "
            "scaled to fit 20×20 pixels and centred by its centre of mass."
        ),
        "model": "Model",
        "model_own": "Your trained model",
        "model_demo": "Demo model",
        "no_model": (
            "You have not trained a model in this session yet, so this page uses the demo model: the seed "
            "article's CNN, trained on the bundled MNIST sample."
        ),
        "train_link": "Train your own model",
        "source": "Input",
        "source_draw": "Draw",
        "source_test": "Test image",
        "source_upload": "Upload",
        "pen": "Pen width",
        "canvas_help": "Draw with the mouse or a finger. Hover over the canvas for undo, redo and clear (bin icon).",
        "empty_prompt": "Draw a digit (0–9) on the black canvas: the prediction appears when you lift the pen.",
        "blank_upload": "The image looks blank: no digit stands out from the background.",
        "upload": "A photo or scan of one handwritten digit (PNG or JPEG)",
        "upload_help": "Dark ink on light paper is inverted automatically. At most {mb} MB.",
        "upload_prompt": "Upload an image of a handwritten digit to see what the model makes of it.",
        "not_image": "This file cannot be used: {detail}",
        "pick": "Which test image",
        "pick_random": "Any",
        "pick_class": "Of one class",
        "pick_mistake": "A mistake",
        "which_class": "Class",
        "another": "Another one",
        "no_mistakes": "The model classifies every test image correctly: there are no mistakes to show.",
        "true_label": "Test image #{index}, labelled **{label}**.",
        "dataset_missing": "The test images of {dataset} are not available offline: {detail}",
        "model_sees": "What the model sees (28×28)",
        "model_sees_alt": "The {size}×{size} input the model reads, predicted as {prediction} ({percent} sure).",
        "ranking": "Most likely: {ranking}",
        "test_image_alt": "Test image #{index}, labelled {label}.",
        "upload_alt": "The uploaded photo, before it is prepared for the model.",
        "prediction": "Prediction",
        "confidence": "{percent} sure",
        "probabilities_title": "Probability of every class",
        "probability": "probability",
        "inside": "Inside the network",
        "inside_help": (
            "All of this comes from one forward pass of your input through the network (and one backward "
            "pass for the saliency map)."
        ),
        "tab_maps": "Feature maps",
        "tab_dense": "Dense layers",
        "tab_filters": "Learned filters",
        "tab_saliency": "Saliency",
        "layer": "Layer",
        "layer_label": "Layer {position} · {kind} · {shape}",
        "maps_title": "Layer {position} ({kind}): {count} feature maps for this input",
        "maps_help": (
            "Each small image is one channel's output: bright where that filter found its pattern. Early "
            "layers respond to strokes and edges, later ones to larger parts of the digit."
        ),
        "map": "Map",
        "no_maps": "This model has no convolution or pooling layers, so there are no feature maps to show.",
        "dense_title": "Layer {position} ({kind}): {count} neuron activations",
        "activation": "activation",
        "neuron": "Neuron",
        "no_dense": "This model has no Dense layers.",
        "filters_title": "First-layer filters ({count}), as learned in training",
        "filters_help_conv": (
            "Each Conv2D kernel slides over the image; red weights reward ink, blue ones penalise it. Their "
            "responses to your input are the first layer's feature maps."
        ),
        "filters_help_dense": (
            "The first Dense layer sees the image as 784 numbers: each neuron's weights, drawn back as a "
            "28×28 image, show the pattern it looks for (red: ink wanted, blue: ink unwanted)."
        ),
        "filter": "Filter",
        "no_filters": "The first layer with weights does not look at the image directly, so it has no filters to draw.",
        "saliency_title": "Which pixels drove the decision for “{label}”",
        "saliency_help": (
            "The gradient of the predicted class's score (before softmax) with respect to every input pixel, "
            "found by back-propagation. Red: more ink here would raise the score; blue: it would lower it. "
            "The black line is the outline of your digit."
        ),
        "gradient": "gradient",
        "test_set": "The test set: where the model goes wrong",
        "test_accuracy": "Test accuracy",
        "test_count": "{count} test images of {dataset}",
        "confusion_title": "Confusion matrix (click a cell)",
        "true_class": "true",
        "predicted_class": "predicted",
        "per_class_title": "Accuracy per class",
        "accuracy": "accuracy",
        "cell_true": "True class",
        "cell_predicted": "Predicted as",
        "cell_count": "{count} test images of class {true} classified as {predicted}.",
        "cell_empty": "No test image of class {true} is classified as {predicted}.",
        "cell_pick": "Example",
        "cell_example": "No. {number}: test image #{index}",
        "inspect_example": "Inspect this image",
    },
    zh={
        "title": "手写一个数字",
        "intro": (
            "写一个数字，看看神经网络如何逐层理解它。你的手写会按照 MNIST 数字的制作方式转换为模型需要的 "
            "28×28 输入：裁剪到笔迹、缩放到 20×20 像素以内，并按质心居中。"
        ),
        "model": "模型",
        "model_own": "你训练的模型",
        "model_demo": "示例模型",
        "no_model": (
            "本次会话中你还没有训练模型，所以本页使用示例模型：原文中的卷积神经网络，在内置的 MNIST 样本上训练。"
        ),
        "train_link": "训练你自己的模型",
        "source": "输入",
        "source_draw": "手写",
        "source_test": "测试图片",
        "source_upload": "上传",
        "pen": "笔画粗细",
        "canvas_help": "用鼠标或手指书写。鼠标悬停在画布上可撤销、重做和清空（垃圾桶图标）。",
        "empty_prompt": "在黑色画布上写一个数字（0–9）：抬笔后就会显示预测结果。",
        "blank_upload": "这张图片看起来是空白的：没有从背景中突出的数字。",
        "upload": "一张手写数字的照片或扫描件（PNG 或 JPEG）",
        "upload_help": "浅色纸上的深色笔迹会自动反色。最大 {mb} MB。",
        "upload_prompt": "上传一张手写数字图片，看看模型如何识别它。",
        "not_image": "无法使用这个文件：{detail}",
        "pick": "选择测试图片",
        "pick_random": "任意",
        "pick_class": "某一类",
        "pick_mistake": "识别错误的",
        "which_class": "类别",
        "another": "换一张",
        "no_mistakes": "模型把每一张测试图片都分类正确了：没有错误可以展示。",
        "true_label": "测试图片 #{index}，标签为 **{label}**。",
        "dataset_missing": "{dataset} 的测试图片在离线状态下不可用：{detail}",
        "model_sees": "模型看到的输入（28×28）",
        "model_sees_alt": "模型读入的 {size}×{size} 输入，预测为 {prediction}（置信度 {percent}）。",
        "ranking": "可能性最高：{ranking}",
        "test_image_alt": "测试图片 #{index}，标签为 {label}。",
        "upload_alt": "上传的照片（尚未处理成模型的输入）。",
        "prediction": "预测",
        "confidence": "置信度 {percent}",
        "probabilities_title": "每个类别的概率",
        "probability": "概率",
        "inside": "神经网络内部",
        "inside_help": "以下内容都来自你的输入在网络中的一次前向传播（显著图另需一次反向传播）。",
        "tab_maps": "特征图",
        "tab_dense": "全连接层",
        "tab_filters": "学到的卷积核",
        "tab_saliency": "显著图",
        "layer": "层",
        "layer_label": "第 {position} 层 · {kind} · {shape}",
        "maps_title": "第 {position} 层（{kind}）：此输入的 {count} 张特征图",
        "maps_help": "每张小图是一个通道的输出：亮的地方表示该卷积核找到了它的模式。浅层响应笔画和边缘，深层响应数字中更大的部件。",
        "map": "特征图",
        "no_maps": "这个模型没有卷积层或池化层，因此没有特征图可以展示。",
        "dense_title": "第 {position} 层（{kind}）：{count} 个神经元的激活值",
        "activation": "激活值",
        "neuron": "神经元",
        "no_dense": "这个模型没有全连接（Dense）层。",
        "filters_title": "第一层的卷积核（{count} 个），训练中学到的权重",
        "filters_help_conv": "每个 Conv2D 卷积核在图像上滑动；红色权重奖励笔迹，蓝色权重惩罚笔迹。它们对你的输入的响应就是第一层的特征图。",
        "filters_help_dense": "第一个全连接层把图像看作 784 个数：把每个神经元的权重还原成 28×28 的图像，就能看到它在寻找的模式（红色：希望有笔迹，蓝色：不希望有笔迹）。",
        "filter": "卷积核",
        "no_filters": "第一个带权重的层并不直接观察图像，因此没有可以画出的卷积核。",
        "saliency_title": "哪些像素决定了“{label}”这个判断",
        "saliency_help": (
            "预测类别的得分（softmax 之前）对每个输入像素的梯度，由反向传播求得。红色：这里多一些笔迹会提高得分；"
            "蓝色：会降低得分。黑线是你写的数字的轮廓。"
        ),
        "gradient": "梯度",
        "test_set": "测试集：模型在哪里出错",
        "test_accuracy": "测试集准确率",
        "test_count": "{dataset} 的 {count} 张测试图片",
        "confusion_title": "混淆矩阵（点击一个格子）",
        "true_class": "真实类别",
        "predicted_class": "预测类别",
        "per_class_title": "每个类别的准确率",
        "accuracy": "准确率",
        "cell_true": "真实类别",
        "cell_predicted": "被预测为",
        "cell_count": "类别 {true} 中有 {count} 张测试图片被分类为 {predicted}。",
        "cell_empty": "类别 {true} 中没有测试图片被分类为 {predicted}。",
        "cell_pick": "样例",
        "cell_example": "第 {number} 张：测试图片 #{index}",
        "inspect_example": "查看这张图片",
    },
)
