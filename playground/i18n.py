"""Catalogue-based translation: every visible string is looked up by key in 简体中文 or English."""

from collections.abc import Callable, Mapping

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"


class Catalogue:
    """One page's strings in every language: `catalogue.translator("zh")("start")`."""

    def __init__(self, name: str, **languages: Mapping[str, str]):
        self.name = name
        self.languages = {code: dict(languages[code]) for code in LANGUAGES}

    def text(self, language: str, key: str, **params: object) -> str:
        """The string for key in language (English when missing), with params filled in."""
        table = self.languages.get(language) or self.languages[DEFAULT_LANGUAGE]
        template = table.get(key, self.languages[DEFAULT_LANGUAGE][key])
        return template.format(**params) if params else template

    def translator(self, language: str) -> Callable[..., str]:
        """A function key, **params -> text in the given language."""
        return lambda key, **params: self.text(language, key, **params)

    def missing(self) -> dict[str, set[str]]:
        """Keys present in some language but missing in others, by language."""
        every = set().union(*(table.keys() for table in self.languages.values()))
        return {code: every - table.keys() for code, table in self.languages.items()}


def normalize_language(value: object) -> str | None:
    """'en' or 'zh' for values such as 'zh-CN', 'zh_Hans', 'en-US'; None when not recognised."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None
