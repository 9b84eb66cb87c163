"""The `local` endpoint as the token client reaches it: transport choice and the ideal bound."""

from __future__ import annotations

import sys
import types
from typing import Any

import httpx
import pytest

from toolkit.errors import EndpointUnavailableError
from toolkit.tokens import EndpointTransport, ideal_cache_bound, local_transport
from toolkit.tokens.endpoint import LOCAL_BASE_URL


def body(text: str) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}]}


def fake_engine(monkeypatch: pytest.MonkeyPatch, served: list[str]) -> dict[str, Any]:
    """Install a stand-in `toolkit.engine` whose transport records the URLs it serves."""
    calls: dict[str, Any] = {"engines": 0}
    engine = types.ModuleType("toolkit.engine")

    def default_engine() -> object:
        calls["engines"] += 1
        return object()

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        return httpx.Response(200, json={"engine": True})

    def prompt_token_ids(payload: dict[str, Any]) -> list[int]:
        return [len(m["content"]) for m in payload["messages"]] * 20

    def ideal_hits(
        trace: list[list[int]], block_size: int = 16, salts: list[str | None] | None = None
    ) -> tuple[int, int]:
        calls["trace"], calls["salts"] = trace, salts
        return 16, 40

    engine.default_engine = default_engine  # type: ignore[attr-defined]
    engine.LocalTransport = lambda _engine: httpx.MockTransport(handler)  # type: ignore[attr-defined]
    engine.prompt_token_ids = prompt_token_ids  # type: ignore[attr-defined]
    engine.ideal_hits = ideal_hits  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "toolkit.engine", engine)
    return calls


def test_ideal_cache_bound_uses_the_engine_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_engine(monkeypatch, [])
    assert ideal_cache_bound([body("ab"), body("abc")]) == (16, 40)
    assert calls["trace"] == [[2] * 20, [3] * 20]
    assert calls["salts"] is None
    salted = {**body("ab"), "cache_salt": "tenant-a"}
    ideal_cache_bound([salted, body("ab")])
    assert calls["salts"] == ["tenant-a", None]


def test_ideal_cache_bound_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "toolkit.engine", None)
    assert ideal_cache_bound([body("x")]) is None


def test_ideal_cache_bound_of_the_real_engine() -> None:
    # Two identical long requests: the second may reuse every full block of the first.
    request = body("word " * 200)
    hits, total = ideal_cache_bound([request, request]) or (0, 0)
    assert total > 200 and total % 2 == 0
    assert hits == (total // 2) // 16 * 16


def test_local_transport_without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "toolkit.engine", None)
    with pytest.raises(EndpointUnavailableError, match=r"toolkit\.engine"):
        local_transport()


def test_endpoint_transport_sends_local_requests_to_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[str] = []
    calls = fake_engine(monkeypatch, served)
    remote: list[str] = []

    class Network(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            remote.append(str(request.url))
            return httpx.Response(200, json={"engine": False})

    monkeypatch.setattr(httpx, "HTTPTransport", Network)
    transport = EndpointTransport()
    with httpx.Client(transport=transport) as client:
        assert client.post(f"{LOCAL_BASE_URL}/chat/completions", json={}).json() == {"engine": True}
        assert client.get(f"{LOCAL_BASE_URL}/models").json() == {"engine": True}
        assert client.post("http://127.0.0.1:9/v1/chat/completions").json() == {"engine": False}
    assert served == [f"{LOCAL_BASE_URL}/chat/completions", f"{LOCAL_BASE_URL}/models"]
    assert remote == ["http://127.0.0.1:9/v1/chat/completions"]
    assert calls["engines"] == 1  # one in-process transport, opened on first use
