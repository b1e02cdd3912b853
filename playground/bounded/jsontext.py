"""JSON text from untrusted input, parsed within a size and a nesting limit (never a RecursionError or a hang).

json.loads recurses once per level of nesting and converts a number of any length, so a few kilobytes of
brackets or digits can raise RecursionError or cost seconds. Here the text's length and nesting are checked
first, in one pass, and every failure is a BoundedError of one line.
"""

import json

from playground.bounded import BoundedError, cut

MAX_NUMBER_CHARS = 40  # a number longer than this is no setting a learner types


class NotJson(BoundedError):
    """Text that is not JSON (params: detail)."""


class NestedTooDeep(BoundedError):
    """JSON nested deeper than allowed (params: limit)."""


class JsonTooLarge(BoundedError):
    """JSON text longer than allowed (params: limit)."""


def depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, strings skipped."""
    level = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def _number(text: str) -> float | int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"the number {cut(text, 20)} is too long")
    return float(text) if any(c in text for c in ".eE") else int(text)


def loads(text: str | bytes, *, max_chars: int, max_depth: int, what: str = "the JSON") -> object:
    """The value of JSON text (bytes must be UTF-8); a BoundedError when it is not JSON or passes a limit."""
    if isinstance(text, bytes):
        if len(text) > max_chars * 4:
            raise JsonTooLarge(f"{what} is longer than {max_chars:,} characters", limit=max_chars)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise NotJson(f"{what} is not UTF-8 text (byte {error.start})", detail="encoding") from None
    if len(text) > max_chars:
        raise JsonTooLarge(f"{what} is longer than {max_chars:,} characters", limit=max_chars)
    if depth(text) > max_depth:
        raise NestedTooDeep(f"{what} is nested more than {max_depth} levels deep", limit=max_depth)
    try:
        return json.loads(text, parse_int=_number, parse_float=_number)
    except (ValueError, RecursionError) as error:
        raise NotJson(f"{what} is not valid JSON: {cut(error, 120)}", detail=cut(error, 120)) from None
