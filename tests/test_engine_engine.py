"""LocalEngine: response shape, determinism, usage, n, max_tokens and concurrent use."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from toolkit.engine import LocalEngine
from toolkit.errors import EngineRequestError

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant. " * 30},
    {"role": "user", "content": "What can you do for me today?"},
]


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine(capacity_tokens=50_000)


def body(**extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": MESSAGES, **extra}


def test_response_shape_and_usage(engine: LocalEngine) -> None:
    response = engine.complete(body(cache_salt="shape"))
    assert response["object"] == "chat.completion" and response["model"] == "m"
    assert response["id"].startswith("chatcmpl-")
    usage = response["usage"]
    assert usage["prompt_tokens"] == engine.count_prompt_tokens(body())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "not a language model" in response["choices"][0]["message"]["content"]


def test_n_choices_and_max_tokens(engine: LocalEngine) -> None:
    response = engine.complete(body(n=3, max_tokens=5))
    assert [c["index"] for c in response["choices"]] == [0, 1, 2]
    assert {c["finish_reason"] for c in response["choices"]} == {"length"}
    assert response["usage"]["completion_tokens"] == 15


def test_context_length_is_enforced() -> None:
    small = LocalEngine(max_model_len=50)
    with pytest.raises(EngineRequestError, match="maximum context length") as caught:
        small.complete(body())
    assert caught.value.param == "messages"


def test_stream_chunks_rebuild_the_answer(engine: LocalEngine) -> None:
    chunks = list(engine.stream(body(stream=True, stream_options={"include_usage": True})))
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == engine.complete(body())["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["prompt_tokens"] > 0
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"


def test_concurrent_requests_are_consistent() -> None:
    engine = LocalEngine(capacity_tokens=200_000)
    bodies = [body(cache_salt=f"tenant-{i % 4}") for i in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(engine.complete, bodies))
    assert len({r["choices"][0]["message"]["content"] for r in responses}) == 1
    stats = engine.cache.stats()
    prompt = responses[0]["usage"]["prompt_tokens"]
    assert stats.requests == 40 and stats.queries == 40 * prompt
    # Each tenant misses once, then hits every full block but the last token's.
    assert stats.hits == 36 * ((prompt - 1) // 16 * 16)
    assert engine.metrics.requests == 40
