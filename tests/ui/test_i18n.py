"""Every catalogue has every string in every language, with the same placeholders."""

import importlib
import pkgutil
import string

import pytest

import playground.text
from playground import i18n


def catalogues():
    found = []
    for module in pkgutil.iter_modules(playground.text.__path__):
        catalogue = getattr(importlib.import_module(f"playground.text.{module.name}"), "CATALOGUE", None)
        if catalogue is not None:
            found.append(catalogue)
    return found


def test_catalogues_are_found():
    names = {c.name for c in catalogues()}
    assert {"common", "home", "build", "spec"} <= names


@pytest.mark.parametrize("catalogue", catalogues(), ids=lambda c: c.name)
def test_no_string_exists_in_one_language_only(catalogue):
    assert catalogue.missing() == {code: set() for code in i18n.LANGUAGES}


@pytest.mark.parametrize("catalogue", catalogues(), ids=lambda c: c.name)
def test_placeholders_agree_between_languages(catalogue):
    def fields(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    english = catalogue.languages["en"]
    for key, template in catalogue.languages["zh"].items():
        assert fields(template) == fields(english[key]), key


def test_language_codes_are_normalised():
    assert i18n.normalize_language("zh-CN") == "zh"
    assert i18n.normalize_language("en_US") == "en"
    assert i18n.normalize_language("fr") is None
    assert i18n.normalize_language(None) is None
