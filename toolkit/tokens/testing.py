"""Fakes for testing code that uses the token client, without a network.

`ScriptedServer` is an `httpx.MockTransport` handler that replays a script of
responses and failures and records every request it saw::

    server = ScriptedServer([completion(content="hi"), httpx.ConnectError("down")])
    client = TokenClient(endpoint, transport=httpx.MockTransport(server))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx

__all__ = [
    "BrokenStream",
    "ScriptedServer",
    "completion",
    "completion_body",
    "sse_body",
    "streamed",
]


def completion_body(
    content: str | None = "",
    *,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    finish_reason: str = "stop",
    usage: Mapping[str, Any] | None = None,
    model: str = "fake",
) -> dict[str, Any]:
    """An OpenAI chat-completion body.

    Args:
        content: The assistant text.
        tool_calls: ``{"name", "arguments"}`` items (arguments as a dict or JSON text).
        finish_reason: The reported finish reason.
        usage: The ``usage`` object to report (any dialect's fields).
        model: Model name in the body.
    """
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": call.get("id", f"call_{n}"),
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": call["arguments"]
                    if isinstance(call["arguments"], str)
                    else json.dumps(call["arguments"]),
                },
            }
            for n, call in enumerate(tool_calls)
        ]
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = dict(usage)
    return body


def completion(content: str | None = "", **kwargs: Any) -> httpx.Response:
    """A 200 response carrying `completion_body` (same arguments)."""
    return httpx.Response(200, json=completion_body(content, **kwargs))


def sse_body(chunks: Iterable[Mapping[str, Any] | str], *, done: bool = True) -> bytes:
    """Server-sent events: one ``data:`` line per chunk, then ``[DONE]`` when asked."""
    lines = [
        f"data: {chunk if isinstance(chunk, str) else json.dumps(chunk)}\n\n" for chunk in chunks
    ]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def streamed(
    pieces: Sequence[str],
    *,
    finish_reason: str | None = "stop",
    usage: Mapping[str, Any] | None = None,
    done: bool = True,
) -> httpx.Response:
    """A streaming 200 response: one delta per piece, a finish chunk, a usage chunk."""
    chunks: list[Mapping[str, Any]] = [
        {"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces
    ]
    if finish_reason is not None:
        chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]})
    if usage is not None:
        chunks.append({"choices": [], "usage": dict(usage)})
    return httpx.Response(
        200, content=sse_body(chunks, done=done), headers={"content-type": "text/event-stream"}
    )


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class ScriptedServer:
    """A MockTransport handler that answers from a script and records requests.

    Each request consumes the next step: a response, an exception to raise (e.g.
    ``httpx.ReadTimeout``), or a callable taking the request. When the script is
    exhausted, ``default`` answers (a plain completion unless given).
    """

    def __init__(self, script: Iterable[Step] = (), *, default: Step | None = None) -> None:
        self.script = list(script)
        self.default = default
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Answer one request with the next step of the script."""
        request.read()
        self.requests.append(request)
        step = self.script.pop(0) if self.script else self.default
        if step is None:
            step = completion("ok", usage={"prompt_tokens": 1, "completion_tokens": 1})
        if isinstance(step, Exception):
            if isinstance(step, httpx.RequestError):
                step = type(step)(str(step), request=request)
            raise step
        if isinstance(step, httpx.Response):
            # A Response can only be consumed once; hand out a copy.
            return httpx.Response(step.status_code, headers=step.headers, content=step.content)
        return step(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies received, in order."""
        return [json.loads(request.content) for request in self.requests]

    @property
    def hosts(self) -> list[str]:
        """The host of each request, in order."""
        return [request.url.host for request in self.requests]


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that yields some bytes, then fails like a reset connection."""

    def __init__(self, data: bytes, error: Exception | None = None) -> None:
        self.data = data
        self.error = error or httpx.ReadError("connection reset by peer")

    def __iter__(self) -> Any:
        yield self.data
        raise self.error

    async def __aiter__(self) -> Any:
        yield self.data
        raise self.error
