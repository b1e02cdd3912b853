"""Share links: a model spec packed into a short, URL-safe query value and back."""

import base64
import binascii
import json
import zlib

from playground import presets
from playground import spec as specs

MAX_LINK_CHARS = 20_000


def encode_spec(model_spec: specs.ModelSpec) -> dict[str, str]:
    """Query parameters that restore this spec: {'preset': name} for a preset, else {'model': packed}."""
    for name, preset in presets.PRESETS.items():
        if preset == model_spec:
            return {"preset": name}
    raw = json.dumps(model_spec.to_dict(), separators=(",", ":")).encode()
    return {"model": base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")}


def decode_spec(params: dict[str, str]) -> specs.ModelSpec | None:
    """The spec a link's query parameters carry, None when they carry none; SpecError when damaged."""
    if "preset" in params:
        try:
            return presets.preset(params["preset"])
        except KeyError as error:
            raise specs.SpecError([specs.Problem("malformed", {"detail": error.args[0]}, field="link")]) from None
    packed = params.get("model")
    if not packed:
        return None
    try:
        if len(packed) > MAX_LINK_CHARS:
            raise ValueError("link too long")
        raw = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)), bufsize=65536)
        data = json.loads(raw)
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        raise specs.SpecError([specs.Problem("malformed", {"detail": "the link is damaged"}, field="link")]) from None
    return specs.from_dict(data)
