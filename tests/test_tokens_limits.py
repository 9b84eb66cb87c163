"""Resource limits and record integrity of the token client (issue 19).

Every hostile answer ends in a typed error or a result, and each call leaves exactly
one ledger row.
"""

import asyncio
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from toolkit.tokens import (
    AsyncTokenClient,
    DeadlineExceededError,
    Endpoint,
    ResponseFormatError,
    ResponseTooLargeError,
    TokenClient,
)
from toolkit.tokens.testing import completion_body, sse_body

MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "hello"}]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Drip(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An endless body, one chunk at a time; each chunk advances the fake clock."""

    def __init__(self, chunk: bytes, clock: FakeClock | None = None, step: float = 1.0) -> None:
        self.chunk = chunk
        self.clock = clock
        self.step = step
        self.sent = 0

    def _next(self) -> bytes:
        self.sent += len(self.chunk)
        if self.clock is not None:
            self.clock.now += self.step
        if self.sent > 200 * 1024 * 1024:  # the test failed: stop before the machine suffers
            raise AssertionError("the client kept reading an endless body")
        return self.chunk

    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield self._next()

    async def __aiter__(self) -> Any:
        while True:
            yield self._next()


def client_for(
    handler: Any, *, tmp_path: Path | None = None, endpoint: Endpoint | None = None, **kw: Any
) -> TokenClient:
    return TokenClient(
        endpoint or Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(handler),
        max_retries=0,
        cache_path=None if tmp_path is None else tmp_path / "cache.sqlite",
        **kw,
    )


def rows(client: TokenClient) -> list[str]:
    return [row.status for row in client.ledger.rows()]


# -- size cap ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_an_endless_body_is_cut_at_the_endpoints_cap(stream: bool) -> None:
    drip = Drip(b"x" * 65536)
    endpoint = Endpoint(url="http://h/v1", model="m", max_response_bytes=1_000_000)
    client = client_for(lambda request: httpx.Response(200, stream=drip), endpoint=endpoint)
    with pytest.raises(ResponseTooLargeError, match="1,000,000 bytes"):
        if stream:
            list(client.stream(MESSAGES))
        else:
            client.chat(MESSAGES)
    assert drip.sent < 2_000_000
    assert rows(client) == ["ResponseTooLargeError"]


def test_a_declared_length_past_the_cap_is_refused_before_reading() -> None:
    drip = Drip(b"x" * 1024)
    endpoint = Endpoint(url="http://h/v1", model="m", max_response_bytes=10_000)
    client = client_for(
        lambda request: httpx.Response(200, headers={"Content-Length": "300000000"}, stream=drip),
        endpoint=endpoint,
    )
    with pytest.raises(ResponseTooLargeError):
        client.chat(MESSAGES)
    assert drip.sent == 0


def test_a_gzip_bomb_is_counted_decoded() -> None:
    bomb = gzip.compress(b" " * 5_000_000)  # about 5 kB on the wire
    endpoint = Endpoint(url="http://h/v1", model="m", max_response_bytes=1_000_000)
    client = client_for(
        lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb),
        endpoint=endpoint,
    )
    with pytest.raises(ResponseTooLargeError):
        client.chat(MESSAGES)


def test_an_answer_under_the_cap_passes() -> None:
    endpoint = Endpoint(url="http://h/v1", model="m", max_response_bytes=100_000)
    client = client_for(
        lambda request: httpx.Response(200, json=completion_body("fine")), endpoint=endpoint
    )
    assert client.chat(MESSAGES).content == "fine"


# -- deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(stream: bool) -> None:
    clock = FakeClock()
    drip = Drip(b" ", clock, step=1.0)  # one byte per second, forever
    endpoint = Endpoint(url="http://h/v1", model="m", deadline=30)
    client = client_for(
        lambda request: httpx.Response(200, stream=drip), endpoint=endpoint, clock=clock
    )
    with pytest.raises(DeadlineExceededError, match="30s") as info:
        if stream:
            list(client.stream(MESSAGES))
        else:
            client.chat(MESSAGES)
    assert isinstance(info.value, TimeoutError)
    assert 29 <= drip.sent <= 31
    assert rows(client) == ["DeadlineExceededError"]


def test_async_client_honours_both_limits() -> None:
    clock = FakeClock()
    slow = Endpoint(url="http://h/v1", model="m", deadline=5)

    async def run() -> None:
        async with AsyncTokenClient(
            slow,
            transport=httpx.MockTransport(
                lambda request: httpx.Response(200, stream=Drip(b" ", clock))
            ),
            clock=clock,
            max_retries=0,
        ) as client:
            with pytest.raises(DeadlineExceededError):
                await client.chat(MESSAGES)
            with pytest.raises(DeadlineExceededError):
                async for _ in client.stream(MESSAGES):
                    pass
        big = Endpoint(url="http://h/v1", model="m", max_response_bytes=50_000)
        async with AsyncTokenClient(
            big,
            transport=httpx.MockTransport(
                lambda request: httpx.Response(200, stream=Drip(b"x" * 4096))
            ),
            max_retries=0,
        ) as client:
            with pytest.raises(ResponseTooLargeError):
                await client.chat(MESSAGES)

    asyncio.run(run())


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that sends its headers, then one byte every 50 ms."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100000\r\n\r\n"
                )
                while not stop.is_set():
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        break
                    time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_the_deadline_holds_against_a_real_socket(dripping_server: str) -> None:
    endpoint = Endpoint(url=dripping_server, model="m", deadline=0.6)
    with TokenClient(endpoint, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.chat(MESSAGES)
        assert time.monotonic() - started < 5  # the read timeout alone would wait 120 s


# -- hostile bodies: typed errors, one ledger row ---------------------------------------------


def _usage_body(usage_json: str) -> bytes:
    body = completion_body("ok")
    body.pop("usage", None)
    text = json.dumps(body)
    return (text[:-1] + f', "usage": {usage_json}}}').encode()


@pytest.mark.parametrize(
    "content",
    [
        _usage_body('{"prompt_tokens": 1e999, "completion_tokens": 3}'),
        _usage_body('{"prompt_tokens": 100000000000000000000, "completion_tokens": 3}'),
        _usage_body('{"prompt_tokens": 10, "completion_tokens": -1e999}').replace(b"-", b""),
        b"[" * 200_000 + b"]" * 200_000,
        b'{"choices": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    ],
    ids=["inf", "1e20", "inf-completion", "deep", "deep-choices"],
)
def test_hostile_bodies_end_in_a_typed_error_with_one_ledger_row(content: bytes) -> None:
    client = client_for(lambda request: httpx.Response(200, content=content))
    with pytest.raises(ResponseFormatError):
        client.chat(MESSAGES)
    recorded = list(client.ledger.rows())
    assert [row.status for row in recorded] == ["ResponseFormatError"]
    assert not recorded[0].usage_known


def test_a_corrupt_gzip_body_is_a_typed_error() -> None:
    packed = bytearray(gzip.compress(json.dumps(completion_body("x" * 5000)).encode()))
    packed[12:40] = b"\xff" * 28  # break the deflate stream itself, not just its length
    client = client_for(
        lambda request: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=bytes(packed)
        )
    )
    with pytest.raises(ResponseFormatError, match="cannot be decoded"):
        client.chat(MESSAGES)
    assert rows(client) == ["ResponseFormatError"]


def test_a_deep_stream_chunk_and_junk_deltas_are_typed_errors() -> None:
    deep = "data: " + "[" * 200_000 + "]" * 200_000 + "\n\n"
    junk = sse_body([{"choices": [{"delta": {"tool_calls": [{"index": "x"}]}}]}])
    for body in (deep.encode(), junk):
        client = client_for(lambda request, body=body: httpx.Response(200, content=body))
        with pytest.raises(ResponseFormatError):
            list(client.stream(MESSAGES))
        assert rows(client) == ["ResponseFormatError"]


def test_a_lone_surrogate_is_replaced_and_the_answer_cached(tmp_path: Path) -> None:
    body = json.dumps(
        completion_body(
            "bad \ud800 text",
            tool_calls=[{"name": "t", "arguments": '{"q": "\\udfff"}'}],
            finish_reason="tool_calls",
            usage={"prompt_tokens": 5, "completion_tokens": 2},
        )
    ).encode()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=body)

    client = client_for(handler, tmp_path=tmp_path)
    first = client.chat(MESSAGES, temperature=0)
    assert first.content == "bad \ufffd text"
    assert first.tool_calls[0].arguments == {"q": "\ufffd"}
    again = client.chat(MESSAGES, temperature=0)
    assert again.from_response_cache and again.content == first.content
    assert len(calls) == 1
    assert rows(client) == ["ok", "cache_hit"]


def test_a_failing_cache_write_keeps_the_result_and_its_single_row(tmp_path: Path) -> None:
    client = client_for(
        lambda request: httpx.Response(200, json=completion_body("fine")), tmp_path=tmp_path
    )
    assert client.response_cache is not None
    client.response_cache.close()  # every write now fails
    assert client.chat(MESSAGES, temperature=0).content == "fine"
    assert rows(client) == ["ok"]


# -- missing usage ----------------------------------------------------------------------------


def test_missing_usage_is_recorded_as_unknown_and_never_cached(tmp_path: Path) -> None:
    body = completion_body("no usage here")
    body.pop("usage", None)
    client = client_for(lambda request: httpx.Response(200, json=body), tmp_path=tmp_path)
    result = client.chat(MESSAGES, temperature=0)
    assert not result.usage.known and result.cost is None
    (row,) = client.ledger.rows()
    assert row.status == "ok" and not row.usage_known
    assert client.ledger.totals("tenant")[""].unknown_usage == 1
    assert not client.chat(MESSAGES, temperature=0).from_response_cache


def test_a_stream_without_usage_is_unknown() -> None:
    body = sse_body([{"choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}]}])
    client = client_for(lambda request: httpx.Response(200, content=body))
    events = list(client.stream(MESSAGES))
    assert events[-1].result is not None and not events[-1].result.usage.known
    assert [row.usage_known for row in client.ledger.rows()] == [False]


def test_an_older_ledger_gains_the_usage_known_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE calls (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL,"
            " day TEXT NOT NULL, project TEXT NOT NULL DEFAULT '', tenant TEXT NOT NULL"
            " DEFAULT '', session TEXT NOT NULL DEFAULT '', endpoint TEXT NOT NULL, model TEXT"
            " NOT NULL, status TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens"
            " INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, completion_tokens INTEGER"
            " NOT NULL, cost REAL, latency_ms REAL NOT NULL, from_cache INTEGER NOT NULL,"
            " request_hash TEXT NOT NULL DEFAULT '')"
        )
        old.execute(
            "INSERT INTO calls (ts, day, endpoint, model, status, prompt_tokens, cached_tokens,"
            " cache_write_tokens, completion_tokens, latency_ms, from_cache)"
            " VALUES (1, '2026-01-01', 'e', 'm', 'ok', 3, 0, 0, 1, 1.0, 0)"
        )
    old.close()
    usage = {"prompt_tokens": 2, "completion_tokens": 1}
    client = client_for(
        lambda request: httpx.Response(200, json=completion_body("x", usage=usage)),
        ledger_path=path,
    )
    client.chat(MESSAGES)
    assert [row.usage_known for row in client.ledger.rows()] == [True, True]
    client.close()


# -- the response cache key -------------------------------------------------------------------


def test_another_endpoints_answer_is_never_replayed(tmp_path: Path) -> None:
    def answer(text: str) -> Any:
        return lambda request: httpx.Response(
            200, json=completion_body(text, usage={"prompt_tokens": 1, "completion_tokens": 1})
        )

    remote = client_for(
        answer("from the remote server"),
        tmp_path=tmp_path,
        endpoint=Endpoint(url="http://remote:8000/v1", model="m"),
    )
    remote.chat(MESSAGES, temperature=0)
    remote.close()
    other = client_for(
        answer("from another server"),
        tmp_path=tmp_path,
        endpoint=Endpoint(url="http://other:8000/v1", model="m"),
    )
    result = other.chat(MESSAGES, temperature=0)
    assert result.content == "from another server" and not result.from_response_cache
    other.close()


@pytest.mark.parametrize(
    "change",
    [
        {"max_tokens": 5},
        {"stop": ["\n"]},
        {"seed": 7},
        {"top_p": 0.5},
        {"response_format": {"type": "json_object"}},
    ],
)
def test_every_answer_changing_field_is_in_the_key(tmp_path: Path, change: dict[str, Any]) -> None:
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=completion_body("a"))

    client = client_for(handler, tmp_path=tmp_path)
    client.chat(MESSAGES, temperature=0)
    client.chat(MESSAGES, temperature=0, **change)
    assert len(sent) == 2


# -- credentials in an endpoint's query string -------------------------------------------------


def test_a_query_string_key_never_reaches_errors_logs_or_the_ledger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "azure-SECRET-7781"
    url = (
        f"https://res.openai.azure.com/openai/deployments/d?api-version=2024-06-01&api-key={secret}"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api-key"] == secret  # still sent where the server wants it
        assert request.url.path == "/openai/deployments/d/chat/completions"
        raise httpx.ConnectError(f"cannot reach {request.url}")

    client = client_for(handler, endpoint=Endpoint(url=url, model="gpt"))
    with caplog.at_level("DEBUG", logger="toolkit.tokens"), pytest.raises(Exception) as info:
        client.chat(MESSAGES)
    assert secret not in str(info.value)
    assert secret not in caplog.text
    assert all(secret not in row.endpoint for row in client.ledger.rows())
    with pytest.raises(ValueError) as invalid:
        Endpoint(url=f"ftp://h/v1?api-key={secret}", model="m")
    assert secret not in str(invalid.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://h/v1?api-key=S3CR3T&api-version=1", "https://h/v1?api-key=***&api-version=1"),
        ("https://h/v1?key=S3CR3T", "https://h/v1?key=***"),
        ("https://h/v1?access_token=S3CR3T&sig=S3CR3T", "https://h/v1?access_token=***&sig=***"),
        ("https://user:S3CR3T@h/v1", "https://***@h/v1"),
        ("https://h/v1?monkey=banana", "https://h/v1?monkey=banana"),
        ("local", "local"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    from toolkit.urlsafe import redact_url

    assert redact_url(url) == shown
