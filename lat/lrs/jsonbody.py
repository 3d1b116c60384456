"""JSON from clients: parsed with orjson, refused (400) when nested deeper than ``LAT_LRS_MAX_DEPTH``.

Why a limit: orjson parses up to 1024 levels but serialises at most 254, and stored
statements are serialised again (the ``raw`` column, the answers to GET). A statement with
an extension nested 900 levels deep was accepted by the parser and the validator (extension
values are free-form) and then failed with a 500 when it was written. No xAPI statement
needs more than a dozen levels; the default, 64, leaves room for rich extensions.
"""

from __future__ import annotations

from typing import Any

import orjson

from lat.lrs.errors import bad_request

_SHOWN = 6  # keys of a too-deep path named in the error message, before "…"


def parse(body: bytes, what: str, max_depth: int) -> Any:
    """``body`` as JSON; 400 naming ``what`` when it is not JSON or nests deeper than ``max_depth``."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"{what} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    check_depth(value, what, max_depth, body)
    return value


def check_depth(value: Any, what: str, max_depth: int, text: bytes | None = None) -> None:
    """400 when ``value`` nests objects and arrays deeper than ``max_depth`` (the outermost is level 1).
    ``text``, the JSON it was parsed from, lets most single statements skip the walk."""
    if text is not None and text.count(b"{") + text.count(b"[") <= max_depth:
        return  # fewer brackets than levels allowed: it cannot be too deep
    if _deeper(value, max_depth):
        raise bad_request(f"{what} nests JSON deeper than {max_depth} levels (the limit, LAT_LRS_MAX_DEPTH), at {_path_below(value, max_depth)}")


def _deeper(value: Any, limit: int) -> bool:
    """Level by level, without recursion (a deep value must not exhaust Python's stack)."""
    level, depth = [value], 1
    while level:
        if depth > limit:
            return True
        # type() is, not isinstance: orjson makes exactly dict and list; about twice as fast
        level = [child for item in level for child in (item.values() if type(item) is dict else item) if type(child) is dict or type(child) is list]
        depth += 1
    return False


def _path_below(value: Any, limit: int) -> str:
    """Where the first container below ``limit`` levels is, as $.key[0]…, for the error message."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) >= limit:
            shown = "".join(path[:_SHOWN]) + ("…" if len(path) > _SHOWN else "")
            return f"${shown}"
        children = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, (*path, f"[{key}]" if isinstance(key, int) else f".{key}" if key.isidentifier() else f"[{key!r}]")))
    return "$"
