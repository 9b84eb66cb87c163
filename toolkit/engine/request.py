"""Validate an OpenAI chat-completions request body into typed, immutable values.

Every rejection is an `EngineRequestError` whose `param` names the field the way OpenAI's
error bodies do (``messages[2].role``). Unknown top-level fields are ignored, as
OpenAI-compatible servers do, so dialect extras (`prompt_cache_key`, cache markers) pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from toolkit.errors import EngineRequestError

__all__ = ["ROLES", "ChatRequest", "Message", "ToolCall", "ToolSpec", "parse_request"]

ROLES = ("system", "developer", "user", "assistant", "tool")
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_N = 16


@dataclass(frozen=True)
class ToolCall:
    """One function call made by an assistant message."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Message:
    """One chat message with its content flattened to text."""

    role: str
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ToolSpec:
    """A function tool offered to the model."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    """A validated chat-completions request."""

    model: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...]
    tool_choice: str
    parallel_tool_calls: bool
    stream: bool
    include_usage: bool
    max_tokens: int | None
    n: int
    cache_salt: str | None


def _fail(param: str, problem: str) -> EngineRequestError:
    return EngineRequestError(param=param, problem=problem)


def _content_text(value: object, param: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts: list[str] = []
        for index, part in enumerate(value):
            where = f"{param}[{index}]"
            if not isinstance(part, dict):
                raise _fail(where, "a content part must be an object")
            kind = part.get("type")
            if kind not in ("text", "input_text"):
                raise _fail(f"{where}.type", f"unsupported content part type {kind!r}; use 'text'")
            text = part.get("text")
            if not isinstance(text, str):
                raise _fail(f"{where}.text", "must be a string")
            texts.append(text)
        return "\n".join(texts)
    raise _fail(param, "must be a string, null or a list of text parts")


def _parse_tool_calls(value: object, param: str) -> tuple[ToolCall, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(param, "must be a list")
    calls: list[ToolCall] = []
    for index, item in enumerate(value):
        where = f"{param}[{index}]"
        if not isinstance(item, dict):
            raise _fail(where, "must be an object")
        call_id = item.get("id")
        if not isinstance(call_id, str) or not call_id:
            raise _fail(f"{where}.id", "must be a non-empty string")
        function = item.get("function")
        if not isinstance(function, dict):
            raise _fail(f"{where}.function", "must be an object with name and arguments")
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise _fail(f"{where}.function.name", "must be a non-empty string")
        arguments = function.get("arguments", "{}")
        if isinstance(arguments, dict):
            arguments = json.dumps(arguments, ensure_ascii=False)
        if not isinstance(arguments, str):
            raise _fail(f"{where}.function.arguments", "must be a JSON string")
        try:
            json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            raise _fail(f"{where}.function.arguments", f"is not valid JSON ({exc.msg})") from exc
        calls.append(ToolCall(id=call_id, name=name, arguments=arguments or "{}"))
    return tuple(calls)


def _parse_messages(value: object) -> tuple[Message, ...]:
    if not isinstance(value, list) or not value:
        raise _fail("messages", "must be a non-empty list of messages")
    messages: list[Message] = []
    known_call_ids: set[str] = set()
    for index, item in enumerate(value):
        where = f"messages[{index}]"
        if not isinstance(item, dict):
            raise _fail(where, "must be an object")
        role = item.get("role")
        if role not in ROLES:
            raise _fail(f"{where}.role", f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        content = _content_text(item.get("content"), f"{where}.content")
        name = item.get("name")
        if name is not None and not isinstance(name, str):
            raise _fail(f"{where}.name", "must be a string")
        tool_calls: tuple[ToolCall, ...] = ()
        tool_call_id = None
        if role == "assistant":
            tool_calls = _parse_tool_calls(item.get("tool_calls"), f"{where}.tool_calls")
            known_call_ids.update(call.id for call in tool_calls)
        elif role == "tool":
            tool_call_id = item.get("tool_call_id")
            if not isinstance(tool_call_id, str) or not tool_call_id:
                raise _fail(f"{where}.tool_call_id", "a tool message needs a tool_call_id")
            if tool_call_id not in known_call_ids:
                raise _fail(
                    f"{where}.tool_call_id",
                    f"{tool_call_id!r} does not match any tool call of an earlier assistant "
                    "message",
                )
        elif item.get("content") is None:
            raise _fail(f"{where}.content", f"a {role} message needs content")
        messages.append(Message(role, content, tool_calls, tool_call_id, name))
    return tuple(messages)


def _parse_tools(value: object) -> tuple[ToolSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail("tools", "must be a list of function tools")
    tools: list[ToolSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"tools[{index}]"
        if not isinstance(item, dict) or item.get("type", "function") != "function":
            raise _fail(f"{where}.type", "only tools of type 'function' are supported")
        function = item.get("function")
        if not isinstance(function, dict):
            raise _fail(f"{where}.function", "must be an object")
        name = function.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise _fail(f"{where}.function.name", "must match ^[A-Za-z0-9_-]{1,64}$")
        if name in seen:
            raise _fail(f"{where}.function.name", f"duplicate tool name {name!r}")
        seen.add(name)
        description = function.get("description") or ""
        if not isinstance(description, str):
            raise _fail(f"{where}.function.description", "must be a string")
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        if not isinstance(parameters, dict):
            raise _fail(f"{where}.function.parameters", "must be a JSON schema object")
        properties = parameters.get("properties", {})
        if not isinstance(properties, dict):
            raise _fail(f"{where}.function.parameters.properties", "must be an object")
        tools.append(ToolSpec(name, description, parameters))
    return tuple(tools)


def _parse_tool_choice(value: object, tools: tuple[ToolSpec, ...]) -> str:
    if value is None:
        return "auto" if tools else "none"
    if value in ("auto", "none", "required"):
        return str(value)
    if isinstance(value, dict):
        function = value.get("function")
        # Chat Completions nests the name under "function"; the Responses API puts it flat.
        name = function.get("name") if isinstance(function, dict) else value.get("name")
        if isinstance(name, str) and any(tool.name == name for tool in tools):
            return f"function:{name}"
        raise _fail("tool_choice.function.name", f"{name!r} is not one of the request's tools")
    raise _fail("tool_choice", "must be 'auto', 'none', 'required' or a named function")


def _optional_int(payload: dict[str, Any], key: str, minimum: int) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(key, f"must be an integer >= {minimum}")
    return value


def parse_request(payload: object) -> ChatRequest:
    """Validate a chat-completions request body.

    Args:
        payload: the decoded JSON body.

    Returns:
        The validated request.

    Raises:
        EngineRequestError: a field is missing or invalid; `param` names it.
    """
    if not isinstance(payload, dict):
        raise _fail("body", "the request body must be a JSON object")
    model = payload.get("model", "")
    if not isinstance(model, str):
        raise _fail("model", "must be a string")
    messages = _parse_messages(payload.get("messages"))
    tools = _parse_tools(payload.get("tools"))
    tool_choice = _parse_tool_choice(payload.get("tool_choice"), tools)
    stream = payload.get("stream", False)
    if not isinstance(stream, bool):
        raise _fail("stream", "must be a boolean")
    options = payload.get("stream_options") or {}
    if not isinstance(options, dict):
        raise _fail("stream_options", "must be an object")
    parallel = payload.get("parallel_tool_calls", True)
    if not isinstance(parallel, bool):
        raise _fail("parallel_tool_calls", "must be a boolean")
    max_tokens = _optional_int(payload, "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = _optional_int(payload, "max_tokens", 1)
    n = _optional_int(payload, "n", 1) or 1
    if n > _MAX_N:
        raise _fail("n", f"must be at most {_MAX_N}")
    salt = payload.get("cache_salt")
    if salt is not None and (not isinstance(salt, str) or not salt):
        raise _fail("cache_salt", "must be a non-empty string")
    return ChatRequest(
        model=model,
        messages=messages,
        tools=tools,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel,
        stream=stream,
        include_usage=bool(options.get("include_usage", False)),
        max_tokens=max_tokens,
        n=n,
        cache_salt=salt,
    )
