import asyncio
from typing import Any

import httpx
import pytest

from toolkit.tokens import (
    AsyncTokenClient,
    Endpoint,
    EndpointUnavailableError,
    RateLimitedError,
    RequestRejectedError,
    ResponseFormatError,
    RetryPolicy,
    Router,
    TokenClient,
    affinity_key,
    build_core_payload,
)
from toolkit.tokens.faults import parse_retry_after
from toolkit.tokens.testing import BrokenStream, ScriptedServer, completion, sse_body, streamed

MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "hello"}]
ONE = Endpoint(url="http://a/v1", model="m")
TWO = [Endpoint(url="http://a/v1", model="m"), Endpoint(url="http://b/v1", model="m")]
POLICY = RetryPolicy(backoff_base=0.1, backoff_max=1.0, max_retry_after=30.0, jitter=False)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(server: ScriptedServer, endpoints: Any = ONE, **kwargs: Any) -> tuple[TokenClient, Sleeps]:
    sleeps = Sleeps()
    kwargs.setdefault("retry_policy", POLICY)
    client = TokenClient(endpoints, transport=httpx.MockTransport(server), sleep=sleeps, **kwargs)
    return client, sleeps


def ok(text: str = "done") -> httpx.Response:
    return completion(text, usage={"prompt_tokens": 5, "completion_tokens": 1})


def test_429_with_retry_after_is_honoured() -> None:
    server = ScriptedServer([httpx.Response(429, headers={"Retry-After": "7"}), ok()])
    client, sleeps = make(server)
    assert client.chat(MESSAGES).content == "done"
    assert len(server.requests) == 2
    assert sleeps and sleeps[0] >= 6.9


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10)
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") == 0


def test_retry_after_too_long_raises_rate_limited() -> None:
    server = ScriptedServer([httpx.Response(429, headers={"Retry-After": "3600"})])
    client, sleeps = make(server)
    with pytest.raises(RateLimitedError, match="3600"):
        client.chat(MESSAGES)
    assert sleeps == []
    assert [row.status for row in client.ledger.rows()] == ["RateLimitedError"]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_retried_with_exponential_backoff(status: int) -> None:
    server = ScriptedServer([httpx.Response(status), httpx.Response(status), ok()])
    client, sleeps = make(server, max_retries=2)
    assert client.chat(MESSAGES).content == "done"
    assert sleeps == [0.1, 0.2]


def test_jitter_stays_under_the_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0)
    for attempt in range(8):
        for _ in range(20):
            assert 0 <= policy.backoff(attempt) <= min(4.0, 0.5 * 2**attempt)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
)
def test_transport_failures_are_retried(error: Exception) -> None:
    server = ScriptedServer([error, ok()])
    client, _ = make(server)
    assert client.chat(MESSAGES).content == "done"
    assert len(server.requests) == 2


def test_exhausted_retries_raise_and_list_every_attempt() -> None:
    server = ScriptedServer(default=httpx.Response(503, text="overloaded"))
    client, _ = make(server, max_retries=2)
    with pytest.raises(EndpointUnavailableError) as info:
        client.chat(MESSAGES)
    assert len(server.requests) == 3
    assert str(info.value).count("HTTP 503") == 3
    assert "m@a/v1" in str(info.value)
    rows = list(client.ledger.rows())
    assert [r.status for r in rows] == ["EndpointUnavailableError"]  # never silently dropped


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_caller_4xx_is_not_retried(status: int) -> None:
    server = ScriptedServer([httpx.Response(status, json={"error": {"message": "bad model"}})])
    client, sleeps = make(server, endpoints=TWO)
    with pytest.raises(RequestRejectedError) as info:
        client.chat(MESSAGES)
    assert info.value.status == status
    assert "bad model" in str(info.value)
    assert len(server.requests) == 1 and sleeps == []
    assert all(b.state == "closed" for b in client.router.breakers)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>gateway</html>", "not JSON"),
        (b'{"choices": []}', "no 'choices'"),
        (b'{"choices": [{"message": "x"}]}', "no 'message'"),
        (b'{"choices": [{"message": {"tool_calls": [{"id": 1}]}}]}', "malformed message"),
        (b'{"error": {"message": "boom"}}', "error object"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_malformed_bodies_raise_response_format_error(body: bytes, problem: str) -> None:
    server = ScriptedServer([httpx.Response(200, content=body)])
    client, _ = make(server)
    with pytest.raises(ResponseFormatError) as info:
        client.chat(MESSAGES)
    assert problem in str(info.value)
    assert info.value.endpoint == "m@a/v1"
    assert "m@a/v1" in str(info.value)


def test_failover_to_the_next_endpoint_without_waiting() -> None:
    server = ScriptedServer([httpx.ConnectError("refused"), ok()])
    client, sleeps = make(server, endpoints=TWO, max_retries=0)
    result = client.chat(MESSAGES)
    assert len(set(server.hosts)) == 2
    assert result.endpoint == f"m@{server.hosts[1]}/v1"
    assert sleeps == []


def test_breaker_opens_and_traffic_moves() -> None:
    key = affinity_key(build_core_payload(MESSAGES, model="m"), None)
    first = Router(TWO).order(key)[0]
    dead = "a" if first == 0 else "b"
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        if request.url.host == dead:
            raise httpx.ConnectError("refused", request=request)
        return ok()

    client = TokenClient(
        TWO, transport=httpx.MockTransport(handler), sleep=Sleeps(), retry_policy=POLICY
    )
    for _ in range(6):
        assert client.chat(MESSAGES).endpoint != f"m@{dead}/v1"
    # three failures open the dead endpoint's breaker; afterwards it is not tried
    assert seen.count(dead) == 3
    assert client.router.breakers[first].state == "open"


def test_all_breakers_open_fails_fast() -> None:
    server = ScriptedServer(default=httpx.Response(500))
    client, _ = make(server, max_retries=5)
    with pytest.raises(EndpointUnavailableError):
        client.chat(MESSAGES)
    sent = len(server.requests)
    assert sent == 3  # the breaker opened after 3 consecutive failures
    with pytest.raises(EndpointUnavailableError, match="circuit breaker is open"):
        client.chat(MESSAGES)
    assert len(server.requests) == sent


def test_truncated_stream_raises() -> None:
    chunks = [{"choices": [{"delta": {"content": "par"}}]}]
    server = ScriptedServer([httpx.Response(200, content=sse_body(chunks, done=False))])
    client, _ = make(server)
    events = client.stream(MESSAGES)
    with pytest.raises(ResponseFormatError, match="truncated stream"):
        list(events)
    assert [r.status for r in client.ledger.rows()] == ["ResponseFormatError"]


def test_stream_reset_after_first_event_raises_not_retries() -> None:
    data = sse_body([{"choices": [{"delta": {"content": "par"}}]}], done=False)
    server = ScriptedServer([lambda request: httpx.Response(200, stream=BrokenStream(data))])
    client, _ = make(server)
    received: list[str] = []
    with pytest.raises(ResponseFormatError, match="interrupted"):
        for event in client.stream(MESSAGES):
            received.append(event.content)  # noqa: PERF401 (collect until the failure)
    assert received == ["par"]
    assert len(server.requests) == 1


def test_stream_failure_before_first_event_is_retried() -> None:
    server = ScriptedServer(
        [
            lambda request: httpx.Response(200, stream=BrokenStream(b"")),
            httpx.Response(503),
            streamed(["hi"], usage={"prompt_tokens": 3, "completion_tokens": 1}),
        ]
    )
    client, _ = make(server, max_retries=3)
    events = list(client.stream(MESSAGES))
    assert events[-1].result is not None and events[-1].result.content == "hi"
    assert len(server.requests) == 3


def test_malformed_stream_chunk() -> None:
    server = ScriptedServer([httpx.Response(200, content=b"data: {not json\n\n")])
    client, _ = make(server)
    with pytest.raises(ResponseFormatError, match="not JSON"):
        list(client.stream(MESSAGES))


def test_async_faults() -> None:
    server = ScriptedServer(
        [
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.ReadTimeout("slow"),
            ok("async done"),
        ]
    )
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async def run() -> str:
        async with AsyncTokenClient(
            ONE,
            transport=httpx.MockTransport(server),
            sleep=fake_sleep,
            retry_policy=POLICY,
            max_retries=3,
        ) as client:
            return (await client.chat(MESSAGES)).content

    assert asyncio.run(run()) == "async done"
    assert slept[0] >= 1.9 and len(slept) == 2


def test_async_truncated_stream() -> None:
    data = sse_body([{"choices": [{"delta": {"content": "a"}}]}], done=False)
    server = ScriptedServer([lambda request: httpx.Response(200, stream=BrokenStream(data))])

    async def run() -> list[str]:
        got: list[str] = []
        async with AsyncTokenClient(ONE, transport=httpx.MockTransport(server)) as client:
            async for event in client.stream(MESSAGES):
                got.append(event.content)  # noqa: PERF401 (collect until the failure)
        return got

    with pytest.raises(ResponseFormatError):
        asyncio.run(run())
