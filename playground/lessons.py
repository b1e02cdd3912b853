"""Teacher links: a page's settings, its model and which controls are locked, packed into one URL value."""

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_LINK_CHARS = 20_000
_PLAIN = (str, int, float, bool, type(None))


class LessonError(ValueError):
    """A lesson link that cannot be read."""


@dataclass(frozen=True)
class Lesson:
    """What a teacher fixed for a page: widget values, an optional model spec, locked and hidden controls."""

    page: str
    settings: Mapping[str, object] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    hide_locked: bool = False
    spec: Mapping | None = None

    def to_dict(self) -> dict:
        """The lesson as JSON-ready data."""
        return {
            "page": self.page,
            "settings": dict(self.settings),
            "locked": list(self.locked),
            "hide": self.hide_locked,
            "spec": dict(self.spec) if self.spec else None,
        }


def encode(lesson: Lesson) -> str:
    """The lesson as a short URL-safe string."""
    raw = json.dumps(lesson.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def _plain_value(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, _PLAIN) for item in value)
    return isinstance(value, _PLAIN)


def decode(text: str) -> Lesson:
    """The lesson a link carries; raises LessonError when it is damaged or tampered with."""
    try:
        if not text or len(text) > MAX_LINK_CHARS:
            raise ValueError("empty or too long")
        raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), bufsize=65536)
        data = json.loads(raw)
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        raise LessonError("the lesson link is damaged") from None
    if not isinstance(data, dict) or not isinstance(data.get("page"), str):
        raise LessonError("the lesson link has no page")
    settings, locked = data.get("settings", {}), data.get("locked", [])
    if not isinstance(settings, dict) or not all(isinstance(k, str) and _plain_value(v) for k, v in settings.items()):
        raise LessonError("the lesson link's settings are not plain values")
    if not isinstance(locked, list) or not all(isinstance(name, str) for name in locked):
        raise LessonError("the lesson link's locked controls are not names")
    spec = data.get("spec")
    if spec is not None and not isinstance(spec, dict):
        raise LessonError("the lesson link's model is not an object")
    return Lesson(data["page"], settings, tuple(locked), bool(data.get("hide", False)), spec)
