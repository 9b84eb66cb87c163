"""Tool results enter the history once, compacted, so later requests keep a short stable prefix."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact_tool_content"]

MAX_ITEMS = 12
MAX_CHARS = 8000


def _compact(value: Any, max_items: int) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v, max_items) for k, v in value.items()}
    if isinstance(value, list):
        items = [_compact(v, max_items) for v in value]
        if len(items) > max_items:
            head, tail = items[: max_items - 2], items[-2:]
            return [*head, f"... {len(items) - len(head) - len(tail)} more items ...", *tail]
        return items
    return value


def compact_tool_content(
    content: str, *, max_items: int = MAX_ITEMS, max_chars: int = MAX_CHARS
) -> str:
    """Shorten a tool result for the model: long JSON lists keep their ends, text is capped.

    The full result stays available to the harness (and the evaluation); only the
    copy in the conversation is shortened, once, when it is inserted.
    """
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    if isinstance(data, dict | list):
        content = json.dumps(_compact(data, max_items), ensure_ascii=False, separators=(",", ":"))
    if len(content) > max_chars:
        content = content[:max_chars] + f" ... [truncated {len(content) - max_chars} characters]"
    return content
