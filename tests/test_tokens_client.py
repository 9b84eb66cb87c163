import asyncio
import contextlib
import sys
import types
from typing import Any

import httpx
import pytest

from toolkit.tokens import (
    AsyncTokenClient,
    Endpoint,
    EndpointUnavailableError,
    PayloadError,
    TokenClient,
    TokenServiceError,
    Usage,
    tenant_salt,
)
from toolkit.tokens.affinity import ROUTING_HEADER
from toolkit.tokens.endpoint import LOCAL_BASE_URL
from toolkit.tokens.testing import ScriptedServer, completion, sse_body, streamed

MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "add 2 and 3"}]
TOOLS = [
    {
        "name": "add",
        "description": "Add numbers.",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}}},
    }
]
USAGE = {
    "prompt_tokens": 120,
    "completion_tokens": 8,
    "prompt_tokens_details": {"cached_tokens": 96},
}


def test_chat_round_trip() -> None:
    server = ScriptedServer(
        [
            completion(
                None,
                tool_calls=[{"id": "c1", "name": "add", "arguments": '{"a": 2}'}],
                finish_reason="tool_calls",
                usage=USAGE,
            )
        ]
    )
    client = TokenClient(
        Endpoint(url="http://h:8000/v1/", model="qwen"),
        transport=httpx.MockTransport(server),
        tenant="acme",
    )
    result = client.chat(MESSAGES, TOOLS, temperature=0.2, max_tokens=64, context="t=1")
    request = server.requests[0]
    assert request.method == "POST" and str(request.url) == "http://h:8000/v1/chat/completions"
    assert request.headers["content-type"] == "application/json"
    body = server.bodies[0]
    assert body["model"] == "qwen" and body["max_tokens"] == 64 and body["temperature"] == 0.2
    assert body["prompt_cache_key"] == result.affinity_key
    assert result.tool_calls[0].arguments == {"a": 2} and result.tool_calls[0].id == "c1"
    assert result.finish_reason == "tool_calls" and result.content == ""
    assert result.usage == Usage(prompt_tokens=120, completion_tokens=8, cached_tokens=96)
    assert result.endpoint == "qwen@h:8000/v1" and result.model == "qwen"
    assert result.latency > 0 and not result.from_response_cache
    assert result.to_message_dict()["tool_calls"][0]["function"]["arguments"] == '{"a": 2}'


def test_build_payload_is_pure() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise AssertionError("build_payload must not send")

    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(explode)
    )
    assert client.build_payload(MESSAGES, TOOLS) == client.build_payload(MESSAGES, TOOLS)
    assert list(client.ledger.rows()) == []


def test_invalid_tool_arguments_are_kept_not_raised() -> None:
    server = ScriptedServer([completion("", tool_calls=[{"name": "add", "arguments": "{a:"}])])
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(server)
    )
    call = client.chat(MESSAGES, TOOLS).tool_calls[0]
    assert call.arguments == {} and call.raw_arguments == "{a:" and call.error


@pytest.mark.parametrize(
    ("dialect", "check"),
    [
        ("sglang", lambda req, body, key: req.headers[ROUTING_HEADER] == key),
        ("vllm", lambda req, body, key: body["cache_salt"] == tenant_salt("acme")),
        ("llamacpp", lambda req, body, key: body["cache_prompt"] is True),
        ("anthropic", lambda req, body, key: "cache_control" in body["messages"][0]["content"][0]),
        ("openai", lambda req, body, key: body["prompt_cache_key"] == key),
    ],
)
def test_dialect_on_the_wire(dialect: str, check: Any) -> None:
    server = ScriptedServer()
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m", dialect=dialect),
        transport=httpx.MockTransport(server),
        tenant="acme",
    )
    result = client.chat(MESSAGES)
    assert check(server.requests[0], server.bodies[0], result.affinity_key)


def test_stream_events_and_final_usage() -> None:
    chunks: list[Any] = [
        {"choices": [{"delta": {"role": "assistant", "content": "Su"}}]},
        {"choices": [{"delta": {"content": "m: "}}]},
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c9",
                                "function": {"name": "add", "arguments": '{"a":'},
                            }
                        ]
                    }
                }
            ]
        },
        {
            "choices": [
                {
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "5}"}}]},
                    "finish_reason": "tool_calls",
                }
            ]
        },
        {"choices": [], "usage": USAGE},
    ]
    content = b": keep-alive\n\nevent: message\n" + sse_body(chunks)
    server = ScriptedServer([httpx.Response(200, content=content)])
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(server)
    )
    events = list(client.stream(MESSAGES, TOOLS, session_id="s"))
    assert server.bodies[0]["stream"] is True
    assert server.bodies[0]["stream_options"] == {"include_usage": True}
    assert server.requests[0].headers["accept"] == "text/event-stream"
    assert "".join(e.content for e in events) == "Sum: "
    final = events[-1].result
    assert final is not None
    assert final.content == "Sum: " and final.tool_calls[0].arguments == {"a": 5}
    assert final.usage.cached_tokens == 96
    rows = list(client.ledger.rows())
    assert len(rows) == 1 and rows[0].session == "s" and rows[0].cached_tokens == 96


def test_stream_payload_errors_are_raised_eagerly() -> None:
    client = TokenClient(Endpoint(url="http://h/v1", model="m"))
    with pytest.raises(PayloadError):
        client.stream([{"role": "nobody"}])


def test_async_chat_and_stream() -> None:
    server = ScriptedServer([completion("a1", usage=USAGE), streamed(["x", "y"], usage=USAGE)])

    async def run() -> tuple[str, list[str], int]:
        async with AsyncTokenClient(
            Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(server)
        ) as client:
            first = await client.chat(MESSAGES)
            pieces = [e.content async for e in client.stream(MESSAGES)]
            return first.content, pieces, len(list(client.ledger.rows()))

    content, pieces, rows = asyncio.run(run())
    assert content == "a1" and "".join(pieces) == "xy" and rows == 2


def test_sync_and_async_send_identical_bytes() -> None:
    sync_server, async_server = ScriptedServer(), ScriptedServer()
    TokenClient(
        Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(sync_server),
        tenant="t",
    ).chat(MESSAGES, TOOLS, context={"now": "x"})

    async def run() -> None:
        client = AsyncTokenClient(
            Endpoint(url="http://h/v1", model="m"),
            transport=httpx.MockTransport(async_server),
            tenant="t",
        )
        await client.chat(MESSAGES, TOOLS, context={"now": "x"})
        await client.aclose()

    asyncio.run(run())
    assert sync_server.requests[0].content == async_server.requests[0].content


def test_local_endpoint_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "toolkit.engine", None)  # makes the import fail
    client = TokenClient(Endpoint(url="local", model="qwen"))
    with pytest.raises(EndpointUnavailableError, match=r"toolkit\.engine"):
        client.chat(MESSAGES)


def test_local_endpoint_uses_engine_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ScriptedServer()
    fake = types.ModuleType("toolkit.engine")
    made: list[object] = []

    def default_engine() -> object:
        made.append(object())
        return made[-1]

    fake.default_engine = default_engine  # type: ignore[attr-defined]
    fake.LocalTransport = lambda engine: httpx.MockTransport(server)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "toolkit.engine", fake)
    client = TokenClient(Endpoint(url="local", model="qwen"))
    assert client.chat(MESSAGES).endpoint == "qwen@local"
    assert str(server.requests[0].url) == f"{LOCAL_BASE_URL}/chat/completions"
    assert len(made) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "h:8000", "model": "m"}, r"http\(s\) base URL"),
        ({"url": "http://h/v1", "model": " "}, "non-empty"),
        ({"url": "http://h/v1", "model": "m", "dialect": "bard"}, "dialect"),
        ({"url": "http://h/v1", "model": "m", "weight": 0}, "weight"),
    ],
)
def test_endpoint_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Endpoint(**kwargs)


def test_endpoints_argument_checked() -> None:
    with pytest.raises(PayloadError, match="at least one"):
        TokenClient([])
    with pytest.raises(PayloadError, match=r"endpoints\[0\]"):
        TokenClient(["http://h/v1"])  # type: ignore[list-item]


def test_timeouts_reach_the_transport() -> None:
    server = ScriptedServer()
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(server),
        timeout=httpx.Timeout(7.0, connect=2.0),
    )
    client.chat(MESSAGES)
    sent = server.requests[0].extensions["timeout"]
    assert sent == {"connect": 2.0, "read": 7.0, "write": 7.0, "pool": 7.0}


def test_in_flight_counts_return_to_zero_after_any_outcome() -> None:
    endpoints = [Endpoint(url="http://a/v1", model="m"), Endpoint(url="http://b/v1", model="m")]
    server = ScriptedServer(
        [httpx.ConnectError("x"), httpx.Response(500), httpx.Response(400), completion("ok")]
    )
    client = TokenClient(
        endpoints, transport=httpx.MockTransport(server), max_retries=1, sleep=lambda s: None
    )
    for _ in range(3):
        with contextlib.suppress(TokenServiceError):
            client.chat(MESSAGES)
    assert client.router.in_flight() == [0, 0]


def test_load_guard_moves_traffic_off_a_busy_endpoint() -> None:
    endpoints = [Endpoint(url="http://a/v1", model="m"), Endpoint(url="http://b/v1", model="m")]
    server = ScriptedServer(default=completion("ok"))
    client = TokenClient(endpoints, transport=httpx.MockTransport(server))
    preferred = client.chat(MESSAGES).endpoint
    busy = 0 if preferred == "m@a/v1" else 1
    for _ in range(client.router.balance_abs_threshold + 1):
        client.router.acquire(busy)
    assert client.chat(MESSAGES).endpoint != preferred


def test_abandoned_stream_is_recorded_as_cancelled() -> None:
    server = ScriptedServer([streamed(["a", "b", "c"], usage=USAGE)])
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(server)
    )
    events = client.stream(MESSAGES)
    next(events)
    events.close()  # type: ignore[attr-defined]
    assert [row.status for row in client.ledger.rows()] == ["cancelled"]
    assert client.router.in_flight() == [0]


def test_cancelled_async_call_is_recorded() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        return completion("late")

    async def run() -> list[str]:
        client = AsyncTokenClient(
            Endpoint(url="http://h/v1", model="m"), transport=httpx.MockTransport(slow)
        )
        task = asyncio.create_task(client.chat(MESSAGES))
        await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return [row.status for row in client.ledger.rows()]

    assert asyncio.run(run()) == ["cancelled"]
