"""Parse JSON from files and lines the toolkit did not write itself, within limits.

`json.loads` raises RecursionError on deeply nested input (100,000 brackets) and
nothing bounds what a caller does next with a 900-level structure; `loads_bounded`
turns both into a `JSONLimitError` (a ``ValueError``), which every reader already
maps to its own typed error naming the file.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JSONLimitError", "json_depth", "loads_bounded"]

#: Deepest nesting of arrays and objects accepted.
MAX_JSON_DEPTH = 100


class JSONLimitError(ValueError):
    """JSON text nested past the limit; caught by readers and reported as their typed error."""


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in item)
    return deepest


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth``.

    Raises:
        JSONLimitError: nested too deeply.
        json.JSONDecodeError: not JSON (also a ``ValueError``).
        UnicodeDecodeError: bytes that are not UTF-8 (also a ``ValueError``).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    # Cheap pre-check: text with few brackets cannot be deep.
    if text.count("[") + text.count("{") <= max_depth:
        return json.loads(text)
    try:
        value = json.loads(text)
    except RecursionError:
        raise JSONLimitError(f"nested deeper than {max_depth} levels") from None
    if json_depth(value) > max_depth:
        raise JSONLimitError(f"nested deeper than {max_depth} levels")
    return value
