"""Every page, rendered in each language under AppTest, shows only text of that language.

English pages show no Chinese; Chinese pages show no English words except the names of the field
that stay as they are (Keras class and argument names, activations, losses, optimizers, dataset names).
Text that is data (numbers, code, table cells) is not checked.
"""

import re
import sys
from pathlib import Path

import pytest

from playground import catalog, data, layers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app import PAGES  # noqa: E402  (app.py has no import-time side effects)

# Names that stay English in Chinese text: identifiers of Keras and of the field.
# fmt: off
IDENTIFIERS = {
    *layers.REGISTRY, *catalog.ACTIVATIONS, *catalog.LOSSES, *catalog.OPTIMIZERS, *catalog.INITIALIZERS,
    *catalog.PADDINGS, *data.FASHION, "Keras", "MNIST", "Fashion", "TensorFlow", "Python", "JSON", "ReLU", "LeNet",
    "LeCun", "Yann", "Corinna", "Cortes", "Christopher", "Burges", "mlxtend", "BY-SA", "CNN", "MLP", "GPU", "CPU",
    "ETA", "Nesterov", "Grad-CAM", "CAM", "PNG", "JPEG", "zip", "keras", "npz", "spec", "seed-cnn", "small-cnn", "mlp",
    "logistic", "lenet-5", "deep-sigmoid", "deep-relu", "resnet", "resnet-plain", "ResNet", "padding", "same", "valid", "Glorot", "softmax",
    "Rosenbrock", "Himmelblau", "Adagrad", "RMSprop", "AdamW", "Adamax", "Nadam", "Lion", "Adadelta", "XOR",
    "MSE", "MAE", "hinge", "sin", "tanh", "max", "min", "log", "exp", "English", "Language", "Zalando", "MIT", "URL", "Fashion-MNIST",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
LABELLED = ("button", "selectbox", "slider", "number_input", "checkbox", "toggle", "radio", "text_area",
            "text_input", "multiselect", "metric", "tabs", "expander", "select_slider")
# fmt: on


def visible_texts(app) -> list[str]:
    texts = []
    for kind in TEXT_ELEMENTS:
        texts += [str(element.value) for element in getattr(app, kind)]
    for kind in LABELLED:
        try:
            elements = app.get(kind)
        except Exception:
            continue
        texts += [str(getattr(element, "label", "") or "") for element in elements]
        texts += [str(getattr(element, "help", "") or "") for element in elements]
    return [re.sub(r"`[^`]*`|\$[^$]*\$|https?://\S+", " ", text) for text in texts if text]


def english_words(text: str) -> set[str]:
    return {word for word in WORD.findall(text) if word not in IDENTIFIERS and not word.isupper()}


@pytest.mark.parametrize("path", [page[0] for page in PAGES], ids=lambda p: Path(p).stem)
def test_page_shows_only_chinese_in_chinese(app_test, path):
    app = app_test(path, lang="zh", timeout=120)
    assert not app.exception, app.exception
    offending = {text: english_words(text) for text in visible_texts(app) if english_words(text)}
    assert not offending, offending


@pytest.mark.parametrize("path", [page[0] for page in PAGES], ids=lambda p: Path(p).stem)
def test_page_shows_no_chinese_in_english(app_test, path):
    app = app_test(path, lang="en", timeout=120)
    assert not app.exception, app.exception
    offending = [text for text in visible_texts(app) if CJK.search(text) and "简体中文" not in text]
    assert not offending, offending
