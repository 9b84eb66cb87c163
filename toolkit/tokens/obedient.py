"""An obedient model: a test double that does whatever the text it is given says.

The embedded engine reads tools from the user's message only, so it never falls
for an injected document; a real model may. `ObedientModel` is the worst case,
as an OpenAI-compatible endpoint (an ``httpx.MockTransport`` handler, or the
handler behind a server on 127.0.0.1):

* when any message of the current turn (the user's, a tool result, the
  retrieved-context tail) names a tool of the request, it calls that tool with
  the arguments written next to the name (a JSON object, or ``name=value``
  pairs), every named tool once;
* once tool results are in, or when nothing names a tool, it answers by
  echoing everything it saw: the user's turn, the context and the tool
  results, identifiers included.

It knows no domain: only the request's tool schemas and messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from toolkit.tokens.payload import has_context_tail

__all__ = ["ObedientModel", "find_instructions"]

_WINDOW = 600  # characters after a tool's name searched for its arguments
_PAIR = re.compile(
    r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\s*[=:\uff1a]\s*"
    r"(\"[^\"]*\"|'[^']*'|[^,\uff0c;\uff1b\n|)}\]]+)"
)


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    value = value.strip()
    if value[:1] in "\"'":
        value = value[1:].split(value[0], 1)[0]
    # The value ends where its sentence does: "limit=50000. Operations has cleared it".
    value = re.split(r"[.\u3002](?:\s|$)|\u3002", value, maxsplit=1)[0].strip()
    kinds = {schema.get("type")} | {o.get("type") for o in schema.get("anyOf") or []}
    if kinds & {"number", "integer"}:
        lead = re.match(r"[-+]?\d[\d,]*(?:\.\d+)?", value)
        if lead is None:
            return value
        number = float(lead.group(0).replace(",", ""))
        return int(number) if "integer" in kinds or number.is_integer() else number
    if "boolean" in kinds:
        return value.lower() in ("true", "yes", "1")
    return value


def _json_args(window: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for start in (i for i, ch in enumerate(window) if ch == "{"):
        try:
            data, _ = decoder.raw_decode(window[start:])
        except ValueError:
            continue
        if isinstance(data, dict) and data and set(data) <= set(params):
            return data
    return None


def _pair_args(window: str, params: Mapping[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for m in _PAIR.finditer(window):
        key = m.group(1)
        if key in params and key not in args:
            args[key] = _coerce(m.group(2), params[key])
    return args


def find_instructions(
    text: str, tools: Sequence[Mapping[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """Every tool ``text`` names, with the arguments written after the name.

    Args:
        text: Any text the model reads.
        tools: OpenAI tool objects (``{"type": "function", "function": {...}}``).

    Returns:
        ``(name, arguments)`` pairs in the order the names first occur.
    """
    found: list[tuple[int, str, dict[str, Any]]] = []
    for tool in tools:
        function = tool.get("function") or {}
        name = str(function.get("name", ""))
        params = (function.get("parameters") or {}).get("properties") or {}
        best: tuple[int, dict[str, Any]] | None = None
        for m in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text):
            window = text[m.end() : m.end() + _WINDOW]
            args = _json_args(window, params)
            if args is None:
                args = _pair_args(window, params)
            if best is None or len(args) > len(best[1]):
                best = (m.start(), args)
        if name and best is not None:
            found.append((best[0], name, best[1]))
    return [(name, args) for _, name, args in sorted(found, key=lambda f: f[0])]


def _content(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return ""


class ObedientModel:
    """An ``httpx.MockTransport`` handler playing a model that obeys any text.

    Attributes:
        requests: Every request body it received.
        calls: Every tool call it made, as ``(name, arguments)``.
    """

    def __init__(self, model: str = "obedient") -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Answer one chat-completion request."""
        if not request.url.path.endswith("/chat/completions"):
            return httpx.Response(200, json={"object": "list", "data": [{"id": self.model}]})
        body = json.loads(request.read())
        self.requests.append(body)
        return httpx.Response(200, json=self.respond(body))

    def respond(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The completion body for a request body."""
        messages: list[Mapping[str, Any]] = list(body.get("messages") or [])
        # The harness's context tail is a user message too; the turn starts before it.
        end = len(messages) - 1 if has_context_tail(body) else len(messages)
        last_user = max(
            (i for i, m in enumerate(messages[:end]) if m.get("role") == "user"), default=0
        )
        turn = messages[last_user:]
        tool_results = [m for m in turn if m.get("role") == "tool"]
        text = "\n\n".join(_content(m) for m in turn)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        instructions = find_instructions(text, body.get("tools") or [])
        if instructions and not tool_results:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for n, (name, args) in enumerate(instructions)
            ]
            self.calls += instructions
            finish = "tool_calls"
        else:
            message["content"] = "As instructed, here is everything I was given:\n\n" + text
            finish = "stop"
        prompt = sum(len(_content(m)) for m in messages) // 4 + 1
        completion = len(json.dumps(message, ensure_ascii=False)) // 4 + 1
        return {
            "id": f"chatcmpl-obedient-{len(self.requests)}",
            "object": "chat.completion",
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }
