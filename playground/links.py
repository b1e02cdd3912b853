"""Every link the playground reads or writes, through one pack/unpack bounded in size and depth.

Three kinds of address, kept as they always were:
- a share link: `?preset=seed-cnn`, or `?model=<packed spec>` for any other model;
- a teacher link: `?lesson=<packed lesson>` (a page's settings, its model or the presets it compares, the locked
  and hidden controls);
- the 2-D playground's readable parameters: `?dataset=spiral&layers=8-tanh.8-tanh&lock=dataset&hide=1`.

A link is text anyone can write. Whatever it holds, reading it costs at most MAX_VALUE_CHARS of input,
MAX_JSON_BYTES of inflated JSON and MAX_DEPTH levels of nesting, and anything else gives LinkError: the one
"damaged link" note.
"""

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from playground import presets
from playground import spec as specs
from playground.bounded import BoundedError, jsontext

MAX_VALUE_CHARS = 20_000  # one packed value in the address
MAX_JSON_BYTES = 256 * 1024  # what a packed value may inflate to
MAX_DEPTH = 8  # nesting of lists and objects (a lesson with its model needs 5)
MAX_PARAMS = 40  # query parameters read from one address
MAX_PLAIN_CHARS = 200  # one readable parameter, e.g. the 2-D page's layers
MAX_COMPARED = 4  # models one lesson may set side by side (presets, by name)
_PLAIN = (str, int, float, bool, type(None))


class LinkError(ValueError):
    """A link that cannot be read: damaged, tampered with, or beyond the limits."""


# ---------------------------------------------------------------- packing


def pack(data: Mapping) -> str:
    """JSON-ready data as a short URL-safe string (compact JSON, deflated, base64url without padding)."""
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def unpack(text: object) -> object:
    """The data a packed value carries; LinkError when it is not one, or passes a limit."""
    if not isinstance(text, str) or not text or len(text) > MAX_VALUE_CHARS:
        raise LinkError("the link is empty or too long")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflate = zlib.decompressobj()
        raw = inflate.decompress(compressed, MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES or inflate.unconsumed_tail:
            raise LinkError("the link holds too much")
        if not inflate.eof:  # cut short
            raise LinkError("the link is damaged")
        decoded = raw.decode()
    except (ValueError, binascii.Error, zlib.error) as error:
        raise LinkError(str(error) if isinstance(error, LinkError) else "the link is damaged") from None
    try:  # NaN or Infinity in a value: the widget or the validator refuses it
        return jsontext.loads(decoded, max_chars=MAX_JSON_BYTES, max_depth=MAX_DEPTH, what="the link")
    except jsontext.NestedTooDeep:
        raise LinkError("the link is nested too deeply") from None
    except BoundedError:
        raise LinkError("the link is damaged") from None


def readable(query: Mapping[str, object], names) -> dict[str, str]:
    """The query's plain parameters among `names`, each as stripped text; LinkError beyond the limits."""
    if len(query) > MAX_PARAMS:
        raise LinkError("the link has too many parameters")
    found = {}
    for name in names:
        if name in query:
            value = query[name]
            value = value[-1] if isinstance(value, list) and value else value  # repeated: the last one counts
            if not isinstance(value, str) or len(value) > MAX_PLAIN_CHARS:
                raise LinkError(f"the link's {name} is too long")
            found[name] = value.strip()
    return found


def _link_problem(detail: str) -> specs.SpecError:
    return specs.SpecError([specs.Problem("malformed", {"detail": detail}, field="link")])


# ---------------------------------------------------------------- share links: a model


def spec_query(model_spec: specs.ModelSpec) -> dict[str, str]:
    """Query parameters that restore this spec: {'preset': name} for a preset, else {'model': packed}."""
    for name, preset in presets.PRESETS.items():
        if preset == model_spec:
            return {"preset": name}
    return {"model": pack(model_spec.to_dict())}


def spec_from_query(query: Mapping[str, object]) -> specs.ModelSpec | None:
    """The spec a share link carries, None when it carries none; SpecError (field 'link') when damaged."""
    try:
        params = readable(query, ("preset",))
        if "preset" in params:
            return presets.preset(params["preset"])
        if "model" not in query:
            return None
        data = unpack(query["model"])
    except KeyError:
        raise _link_problem(f"there is no preset called '{params['preset'][:40]}'") from None
    except LinkError as error:
        raise _link_problem(str(error)) from None
    return specs.from_dict(data)


# ---------------------------------------------------------------- teacher links: a lesson


@dataclass(frozen=True)
class Lesson:
    """What a teacher fixed for a page: widget values, an optional model spec, locked and hidden controls, and the
    presets the learner compares (trained in turn with the same settings; the first one opens)."""

    page: str
    settings: Mapping[str, object] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    hide_locked: bool = False
    spec: Mapping | None = None
    compare: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The lesson as JSON-ready data ("compare" only when it compares: earlier links read as they did)."""
        data = {
            "page": self.page,
            "settings": dict(self.settings),
            "locked": list(self.locked),
            "hide": self.hide_locked,
            "spec": dict(self.spec) if self.spec else None,
        }
        return {**data, "compare": list(self.compare)} if self.compare else data


def lesson_value(lesson: Lesson) -> str:
    """The lesson as the value of `?lesson=`."""
    return pack(lesson.to_dict())


def _plain_value(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, _PLAIN) for item in value)
    return isinstance(value, _PLAIN)


def lesson_from_value(text: object) -> Lesson:
    """The lesson a `?lesson=` value carries; LinkError when it is damaged or tampered with."""
    data = unpack(text)
    if not isinstance(data, dict) or not isinstance(data.get("page"), str):
        raise LinkError("the lesson link has no page")
    settings, locked = data.get("settings", {}), data.get("locked", [])
    if not isinstance(settings, dict) or not all(isinstance(k, str) and _plain_value(v) for k, v in settings.items()):
        raise LinkError("the lesson link's settings are not plain values")
    if not isinstance(locked, list) or not all(isinstance(name, str) for name in locked):
        raise LinkError("the lesson link's locked controls are not names")
    hide = data.get("hide", False)
    if not isinstance(hide, bool):
        raise LinkError("the lesson link's hide flag is not true or false")
    spec = data.get("spec")
    if spec is not None and not isinstance(spec, dict):
        raise LinkError("the lesson link's model is not an object")
    return Lesson(data["page"], settings, tuple(locked), hide, spec, _compared(data.get("compare", [])))


def _compared(names: object) -> tuple[str, ...]:
    """The presets a lesson compares: 2 to MAX_COMPARED distinct known names (none: an empty list)."""
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise LinkError("the lesson link's comparison is not a list of preset names")
    if names and not 2 <= len(names) <= MAX_COMPARED:
        raise LinkError(f"the lesson link compares {len(names)} models (2 to {MAX_COMPARED} can be compared)")
    if len(set(names)) != len(names):
        raise LinkError("the lesson link compares a model with itself")
    if unknown := [name for name in names if name not in presets.PRESETS]:
        raise LinkError(f"the lesson link compares '{unknown[0][:40]}', which is not a preset")
    return tuple(names)


# ---------------------------------------------------------------- readable flags


def flag(text: str) -> bool:
    """A readable on/off parameter: '1' or 'true' is on, '0' or 'false' off; LinkError for anything else."""
    if text not in ("0", "1", "true", "false"):
        raise LinkError(f"'{text[:20]}' is not 0, 1, true or false")
    return text in ("1", "true")
