"""Anthropic-style content blocks in a LangChain history, turned into OpenAI chat form.

LangChain messages written for Anthropic carry tool traffic inside ``content``:
an assistant's ``{"type": "tool_use", "id", "name", "input"}`` blocks and a
user's ``{"type": "tool_result", "tool_use_id", "content"}`` blocks. An
OpenAI-compatible server rejects both ("unsupported content part type"); in
OpenAI form the first are the assistant's ``tool_calls`` and the second are
``role: tool`` messages. LangChain's own ``tool_call`` blocks are treated like
``tool_use``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from toolkit.tokens.canonical import canonical_dumps

__all__ = ["split_tool_results", "split_tool_uses"]

_TOOL_USE = frozenset({"tool_use", "tool_call"})


def _arguments(block: Mapping[str, Any]) -> str:
    value = block.get("input", block.get("args", {}))
    if isinstance(value, str):
        return value
    return canonical_dumps(value if value is not None else {})


def split_tool_uses(content: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Take ``tool_use`` blocks out of an assistant message's content.

    Args:
        content: The message content (a string, or a list of blocks).

    Returns:
        ``(content without them, OpenAI tool_calls made from them)``; a string or an
        empty remainder comes back as it was (an empty list becomes None).
    """
    if not isinstance(content, list):
        return content, []
    kept: list[Any] = []
    calls: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, Mapping) and block.get("type") in _TOOL_USE:
            calls.append(
                {
                    "id": str(block.get("id") or f"call_{len(calls)}"),
                    "type": "function",
                    "function": {
                        "name": str(block.get("name", "")),
                        "arguments": _arguments(block),
                    },
                }
            )
        else:
            kept.append(block)
    if not calls:
        return content, []
    return (kept or None), calls


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and not isinstance(content, bytes | bytearray):
        texts = [
            str(part.get("text", "")) if isinstance(part, Mapping) else str(part)
            for part in content
        ]
        if all(isinstance(part, Mapping) and part.get("type") == "text" for part in content):
            return "".join(texts)
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


def split_tool_results(content: Any) -> tuple[list[dict[str, Any]], Any]:
    """Take ``tool_result`` blocks out of a user message's content.

    Args:
        content: The message content (a string, or a list of blocks).

    Returns:
        ``(OpenAI tool messages, the remaining content or None when nothing remains)``;
        the tool messages go before the remaining user turn, answering the calls first.
    """
    if not isinstance(content, list):
        return [], content
    results: list[dict[str, Any]] = []
    kept: list[Any] = []
    for block in content:
        if isinstance(block, Mapping) and block.get("type") == "tool_result":
            text = _result_text(block.get("content", ""))
            if block.get("is_error"):
                text = f"Error: {text}"
            results.append(
                {"role": "tool", "tool_call_id": str(block.get("tool_use_id", "")), "content": text}
            )
        else:
            kept.append(block)
    if not results:
        return [], content
    return results, (kept or None)
