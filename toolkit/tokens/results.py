"""What a call returns: `ChatResult`, `ToolCall`, `StreamEvent`, and the parser that makes them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from toolkit.errors import ResponseFormatError
from toolkit.tokens.timings import ServerTimings
from toolkit.tokens.usage import Usage, normalize_usage

__all__ = [
    "ChatResult",
    "StreamEvent",
    "ToolCall",
    "ToolCallChunk",
    "parse_completion",
    "replace_lone_surrogates",
]

# JSON's "\ud800" decodes to a lone surrogate, which no UTF-8 file or SQLite text can hold;
# a valid pair has already been joined into one character by the JSON decoder.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """``text`` with each unpaired UTF-16 surrogate replaced by U+FFFD (as UTF-8 decoders do)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _clean(value: Any) -> Any:
    """Parsed JSON with lone surrogates (from JSON escapes of a lone half) replaced in strings."""
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


class ToolCall(BaseModel):
    """A tool call the model asked for.

    Attributes:
        id: The call id to answer with a tool message.
        name: The tool's name.
        arguments: Parsed arguments ({} when they were not valid JSON).
        raw_arguments: The arguments exactly as the model produced them.
        error: Why ``raw_arguments`` could not be parsed, or None.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str
    error: str | None = None

    @classmethod
    def from_raw(cls, call_id: str, name: str, raw: str) -> ToolCall:
        """Build from the raw JSON argument text, recording (not raising) parse errors."""
        raw = replace_lone_surrogates(raw)
        name = replace_lone_surrogates(name)
        call_id = replace_lone_surrogates(call_id)
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except RecursionError:
            return cls(
                id=call_id, name=name, arguments={}, raw_arguments=raw, error="nested too deeply"
            )
        except ValueError as exc:
            return cls(id=call_id, name=name, arguments={}, raw_arguments=raw, error=str(exc))
        if not isinstance(parsed, dict):
            return cls(
                id=call_id, name=name, arguments={}, raw_arguments=raw, error="not a JSON object"
            )
        return cls(id=call_id, name=name, arguments=_clean(parsed), raw_arguments=raw)

    def to_message_dict(self) -> dict[str, Any]:
        """The OpenAI ``tool_calls`` entry for the assistant message in the history."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.raw_arguments},
        }


class ChatResult(BaseModel):
    """The outcome of one chat call.

    Attributes:
        content: The assistant's text ("" when it only called tools).
        tool_calls: Tool calls requested.
        finish_reason: ``stop``, ``tool_calls``, ``length``... as the server reported.
        usage: Billed tokens (all zero for a response-cache hit).
        cost: Cost under the price table, or None when the model is not priced.
        endpoint: Label (``model@host``) of the endpoint that answered.
        model: Model that answered.
        from_response_cache: Whether this came from the response cache (zero tokens billed).
        latency: Seconds from first send to the complete answer.
        affinity_key: The prefix-affinity key the request carried.
        request_hash: Hash of the canonical request (the response-cache key).
        timings: Prefill and decode figures the server reported (llama.cpp), else None.
    """

    model_config = ConfigDict(frozen=True)

    content: str
    tool_calls: list[ToolCall] = []
    finish_reason: str | None = None
    usage: Usage = Usage()
    cost: float | None = None
    endpoint: str = ""
    model: str = ""
    from_response_cache: bool = False
    latency: float = 0.0
    affinity_key: str = ""
    request_hash: str = ""
    timings: ServerTimings | None = None

    def to_message_dict(self) -> dict[str, Any]:
        """The assistant message to append to the history."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [call.to_message_dict() for call in self.tool_calls]
        elif message["content"] is None:
            message["content"] = ""
        return message


@dataclass(frozen=True)
class ToolCallChunk:
    """A fragment of a streamed tool call (merge by ``index``)."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class StreamEvent:
    """One step of a streamed answer; the last event carries ``result``."""

    content: str = ""
    tool_call_chunks: list[ToolCallChunk] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    result: ChatResult | None = None


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return replace_lone_surrogates(content)
    if isinstance(content, list):
        return replace_lone_surrogates(
            "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
        )
    raise TypeError(f"content of type {type(content).__name__}")


def parse_completion(body: Any, *, endpoint: str) -> tuple[str, list[ToolCall], str | None, Usage]:
    """Read content, tool calls, finish reason and usage from a completion body.

    Args:
        body: The parsed JSON body.
        endpoint: Endpoint label, for error messages.

    Returns:
        ``(content, tool_calls, finish_reason, usage)``.

    Raises:
        ResponseFormatError: The body is not a chat completion.
    """
    if not isinstance(body, Mapping):
        raise ResponseFormatError(endpoint=endpoint, problem="the body is not a JSON object")
    if "error" in body and "choices" not in body:
        raise ResponseFormatError(endpoint=endpoint, problem="an error object with HTTP 200")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise ResponseFormatError(endpoint=endpoint, problem="no 'choices' in the completion")
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, Mapping):
        raise ResponseFormatError(endpoint=endpoint, problem="choices[0] has no 'message' object")
    try:
        content = _text(message.get("content"))
        calls = []
        for n, raw in enumerate(message.get("tool_calls") or []):
            function = raw["function"]
            arguments = function.get("arguments", "")
            if not isinstance(arguments, str):
                arguments = json.dumps(arguments, sort_keys=True, separators=(",", ":"))
            calls.append(
                ToolCall.from_raw(
                    str(raw.get("id") or f"call_{n}"), str(function["name"]), arguments
                )
            )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ResponseFormatError(
            endpoint=endpoint, problem=f"malformed message in choices[0] ({exc})"
        ) from exc
    finish = choice.get("finish_reason")
    if isinstance(finish, str):
        finish = replace_lone_surrogates(finish)
    return (
        content,
        calls,
        None if finish is None else str(finish),
        normalize_usage(body, endpoint=endpoint),
    )
