"""The llama.cpp dialect: cache_prompt, id_slot affinity, usage and timings from its responses."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from toolkit.tokens import Endpoint, ServerTimings, TokenClient
from toolkit.tokens.affinity import affinity_key, apply_dialect, llamacpp_slot
from toolkit.tokens.payload import build_core_payload
from toolkit.tokens.testing import ScriptedServer, sse_body
from toolkit.tokens.timings import parse_timings

SYSTEM = {"role": "system", "content": "You answer questions about loans."}
TIMINGS = {
    "cache_n": 1085,
    "prompt_n": 11,
    "prompt_ms": 61.5,
    "predicted_n": 4,
    "predicted_ms": 20.0,
    "prompt_per_second": 178.8,
}
# What llama-server 0.3.x answers: OpenAI usage with cached_tokens, plus its own timings.
LLAMA_BODY = {
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
    ],
    "usage": {
        "completion_tokens": 4,
        "prompt_tokens": 1096,
        "total_tokens": 1100,
        "prompt_tokens_details": {"cached_tokens": 1085},
    },
    "timings": TIMINGS,
}


def core(user: str, system: dict[str, str] = SYSTEM) -> dict[str, Any]:
    return build_core_payload([system, {"role": "user", "content": user}], model="m")


def test_cache_prompt_always_and_no_slot_unless_configured() -> None:
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp")
    body, headers = apply_dialect(core("a"), endpoint, affinity="ab" * 16, tenant=None)
    assert body["cache_prompt"] is True
    assert "id_slot" not in body and headers == {}


def test_same_prefix_pins_the_same_slot_and_prefixes_spread() -> None:
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp", slots=4)
    first, second = core("first question"), core("second question, longer")
    key = affinity_key(first)
    assert key == affinity_key(second)  # same tools and system prompt
    slot_a, _ = apply_dialect(first, endpoint, affinity=key, tenant=None)
    slot_b, _ = apply_dialect(second, endpoint, affinity=affinity_key(second), tenant=None)
    assert slot_a["id_slot"] == slot_b["id_slot"] == llamacpp_slot(key, 4)
    assert 0 <= slot_a["id_slot"] < 4
    systems = [{"role": "system", "content": f"Agent number {n}."} for n in range(64)]
    slots = {llamacpp_slot(affinity_key(core("q", system)), 4) for system in systems}
    assert slots == {0, 1, 2, 3}


def test_slots_must_be_positive() -> None:
    with pytest.raises(ValueError, match="slots"):
        Endpoint(url="http://h/v1", model="m", dialect="llamacpp", slots=0)


def test_chat_reads_usage_and_timings() -> None:
    server = ScriptedServer([httpx.Response(200, json=LLAMA_BODY)])
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp", slots=2)
    with TokenClient(endpoint, transport=httpx.MockTransport(server)) as client:
        result = client.chat([SYSTEM, {"role": "user", "content": "hello"}])
    sent = server.bodies[0]
    assert sent["cache_prompt"] is True and sent["id_slot"] in (0, 1)
    assert result.usage.prompt_tokens == 1096 and result.usage.cached_tokens == 1085
    assert result.timings == ServerTimings(
        prompt_n=11, prompt_ms=61.5, cache_n=1085, predicted_n=4, predicted_ms=20.0
    )


def test_stream_asks_for_usage_and_keeps_the_final_timings() -> None:
    chunks: list[dict[str, Any]] = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}]},
        {"choices": [{"index": 0, "delta": {"content": "Hel"}}]},
        {"choices": [{"index": 0, "delta": {"content": "lo"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": LLAMA_BODY["usage"], "timings": TIMINGS},
    ]
    server = ScriptedServer(
        [
            httpx.Response(
                200, content=sse_body(chunks), headers={"content-type": "text/event-stream"}
            )
        ]
    )
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp")
    with TokenClient(endpoint, transport=httpx.MockTransport(server)) as client:
        events = list(client.stream([SYSTEM, {"role": "user", "content": "hello"}]))
    assert server.bodies[0]["stream_options"] == {"include_usage": True}
    result = events[-1].result
    assert result is not None and result.content == "Hello"
    assert result.usage.cached_tokens == 1085
    assert result.timings is not None and result.timings.prompt_ms == 61.5


def test_timings_only_usage_counts_cache_n() -> None:
    # Older llama.cpp servers report no OpenAI usage block, only timings.
    body = {k: v for k, v in LLAMA_BODY.items() if k != "usage"}
    server = ScriptedServer([httpx.Response(200, json=body)])
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp")
    with TokenClient(endpoint, transport=httpx.MockTransport(server)) as client:
        result = client.chat([SYSTEM, {"role": "user", "content": "hello"}])
    assert (result.usage.prompt_tokens, result.usage.cached_tokens) == (1096, 1085)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, None),
        ({"timings": []}, None),
        ({"timings": {"prompt_n": "x", "cache_n": True}}, None),
        ({"timings": {"prompt_n": 5, "prompt_ms": -1}}, ServerTimings(prompt_n=5)),
        ({"timings": {"cache_n": 7.0}}, ServerTimings(cache_n=7)),
    ],
)
def test_parse_timings_never_fails(body: dict[str, Any], expected: ServerTimings | None) -> None:
    assert parse_timings(body) == expected


def test_timings_survive_the_response_cache(tmp_path: Any) -> None:
    server = ScriptedServer([httpx.Response(200, json=LLAMA_BODY)])
    endpoint = Endpoint(url="http://127.0.0.1:8080/v1", model="m", dialect="llamacpp")
    with TokenClient(
        endpoint, transport=httpx.MockTransport(server), cache_path=tmp_path / "c.sqlite"
    ) as client:
        client.chat([SYSTEM, {"role": "user", "content": "x"}], temperature=0)
        again = client.chat([SYSTEM, {"role": "user", "content": "x"}], temperature=0)
    assert again.from_response_cache and len(server.requests) == 1
    assert json.loads(again.model_dump_json())["timings"]["cache_n"] == 1085
