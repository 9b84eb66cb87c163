from pathlib import Path
from typing import Any

import httpx
import pytest

from toolkit.tokens import Endpoint, ResponseCache, ResponseCacheWarning, TokenClient, Usage
from toolkit.tokens.testing import ScriptedServer, completion

MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "rate?"}]
USAGE = {
    "prompt_tokens": 50,
    "completion_tokens": 5,
    "prompt_tokens_details": {"cached_tokens": 32},
}


def make(tmp_path: Path, **kwargs: Any) -> tuple[TokenClient, ScriptedServer]:
    server = ScriptedServer(
        default=completion(
            "6%", usage=USAGE, tool_calls=[{"name": "rate", "arguments": {"years": 30}}]
        )
    )
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(server),
        cache_path=tmp_path / "cache.db",
        **kwargs,
    )
    return client, server


def test_deterministic_call_is_served_from_cache_with_zero_tokens(tmp_path: Path) -> None:
    client, server = make(tmp_path)
    first = client.chat(MESSAGES, temperature=0)
    second = client.chat(MESSAGES, temperature=0)
    assert len(server.requests) == 1
    assert not first.from_response_cache and second.from_response_cache
    assert second.usage == Usage() and second.cost == 0.0
    assert (second.content, second.tool_calls) == (first.content, first.tool_calls)
    statuses = [r.status for r in client.ledger.rows()]
    assert statuses == ["ok", "cache_hit"]
    assert list(client.ledger.rows())[1].prompt_tokens == 0


def test_survives_a_new_process_worth_of_client(tmp_path: Path) -> None:
    client, _ = make(tmp_path)
    client.chat(MESSAGES, temperature=0)
    client.close()
    again, server = make(tmp_path)
    assert again.chat(MESSAGES, temperature=0).from_response_cache
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "cached"),
    [
        ({"temperature": 0.7}, False),
        ({}, False),  # server default temperature is not deterministic
        ({"temperature": 0.7, "cache": True}, True),  # explicit opt-in
        ({"temperature": 0, "cache": False}, False),
    ],
)
def test_only_deterministic_or_opted_in_calls_are_cached(
    tmp_path: Path, kwargs: dict[str, Any], cached: bool
) -> None:
    client, server = make(tmp_path)
    client.chat(MESSAGES, **kwargs)
    assert client.chat(MESSAGES, **kwargs).from_response_cache is cached
    assert len(server.requests) == (1 if cached else 2)


@pytest.mark.parametrize(
    "change",
    [
        {"messages": [*MESSAGES[:1], {"role": "user", "content": "rate!"}]},
        {"context": "now"},
        {"max_tokens": 5},
        {"tools": [{"name": "rate", "parameters": {"type": "object", "properties": {}}}]},
    ],
)
def test_any_change_to_the_request_misses(tmp_path: Path, change: dict[str, Any]) -> None:
    client, _server = make(tmp_path)
    client.chat(MESSAGES, temperature=0)
    args: dict[str, Any] = {"messages": MESSAGES, "temperature": 0, **change}
    assert not client.chat(**args).from_response_cache


def test_tenants_do_not_share_answers(tmp_path: Path) -> None:
    a, _ = make(tmp_path, tenant="a")
    a.chat(MESSAGES, temperature=0)
    b, server = make(tmp_path, tenant="b")
    assert not b.chat(MESSAGES, temperature=0).from_response_cache
    assert len(server.requests) == 1


def test_stream_hit_replays_whole_answer(tmp_path: Path) -> None:
    client, server = make(tmp_path)
    client.chat(MESSAGES, temperature=0)
    events = list(client.stream(MESSAGES, temperature=0))
    assert len(events) == 1 and events[0].result is not None
    assert events[0].result.from_response_cache and events[0].content == "6%"
    assert len(server.requests) == 1


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"garbage" * 1000)
    with pytest.warns(ResponseCacheWarning, match="moved it to"):
        cache = ResponseCache(path)
    assert len(cache) == 0
    cache.put("k", "m", {"content": "x"})
    assert cache.get("k") == {"content": "x"}
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert aside and aside[0].read_bytes().startswith(b"garbage")


def test_unreadable_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    cache.put("k", "m", {"content": "x"})
    cache._conn.execute("UPDATE responses SET result = 'not json'")
    assert cache.get("k") is None
    client, _server = make(tmp_path)
    client.response_cache._conn.execute(  # type: ignore[union-attr]
        "INSERT INTO responses VALUES (?, 'm', 0, '{\"bogus\": 1}')",
        (
            client._prepare(
                MESSAGES,
                None,
                tool_choice=None,
                temperature=0,
                max_tokens=None,
                context=None,
                session_id=None,
                cache=None,
                extra={},
            ).cache_key,
        ),
    )
    assert not client.chat(MESSAGES, temperature=0).from_response_cache


def test_concurrent_openers_never_mistake_a_lock_for_damage(tmp_path: Path) -> None:
    import functools
    import warnings

    from conftest import run_at_once

    from toolkit.tokens import ResponseCache

    def open_strictly(path: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ResponseCache(path).close()

    for round_ in range(5):
        path = tmp_path / f"cache-{round_}.sqlite"
        assert run_at_once(functools.partial(open_strictly, path)) == []
        assert not list(tmp_path.glob(f"cache-{round_}.sqlite.corrupt-*"))
