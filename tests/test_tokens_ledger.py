import functools
import multiprocessing
import sqlite3
from pathlib import Path

import httpx
import pytest

from toolkit.errors import ConfigError
from toolkit.tokens import Endpoint, Ledger, LedgerRow, PriceTable, TokenClient
from toolkit.tokens.ledger import utc_day
from toolkit.tokens.testing import ScriptedServer, completion

MESSAGES = [{"role": "user", "content": "hi"}]


def row(**kwargs: object) -> LedgerRow:
    base: dict[str, object] = {
        "endpoint": "m@h",
        "model": "m",
        "status": "ok",
        "prompt_tokens": 100,
        "cached_tokens": 40,
        "completion_tokens": 10,
    }
    base.update(kwargs)
    return LedgerRow(**base)  # type: ignore[arg-type]


def test_every_call_is_one_row_with_its_numbers(tmp_path: Path) -> None:
    server = ScriptedServer(
        default=completion(
            "x",
            usage={
                "prompt_tokens": 2000,
                "completion_tokens": 100,
                "prompt_tokens_details": {"cached_tokens": 1500},
            },
        )
    )
    prices = PriceTable({"m": {"input": 1.0, "cached_input": 0.1, "output": 2.0}})
    path = tmp_path / "ledger" / "calls.db"
    with TokenClient(
        Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(server),
        ledger_path=path,
        tenant="acme",
        project="fin",
        prices=prices,
    ) as client:
        result = client.chat(MESSAGES, session_id="s-1")
        client.chat(MESSAGES, session_id="s-2")
    assert result.cost == pytest.approx((500 * 1.0 + 1500 * 0.1 + 100 * 2.0) / 1e6)
    rows = list(Ledger(path).rows())
    assert len(rows) == 2
    first = rows[0]
    assert (first.tenant, first.project, first.session, first.endpoint, first.status) == (
        "acme",
        "fin",
        "s-1",
        "m@h/v1",
        "ok",
    )
    assert (first.prompt_tokens, first.cached_tokens, first.completion_tokens) == (2000, 1500, 100)
    assert first.cost == pytest.approx(result.cost)
    assert first.latency_ms > 0
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_totals_by_each_group() -> None:
    ledger = Ledger()
    ledger.record(row(tenant="a", project="p", session="s1", endpoint="e1", cost=1.0))
    ledger.record(row(tenant="a", project="p", session="s2", endpoint="e2", cost=2.0))
    ledger.record(
        row(
            tenant="b",
            project="q",
            session="s1",
            endpoint="e1",
            status="ResponseFormatError",
            prompt_tokens=0,
            cached_tokens=0,
            completion_tokens=0,
        )
    )
    by_tenant = ledger.totals("tenant")
    assert by_tenant["a"].calls == 2 and by_tenant["a"].prompt_tokens == 200
    assert by_tenant["a"].cost == pytest.approx(3.0)
    assert by_tenant["a"].cache_hit_rate == pytest.approx(0.4)
    assert by_tenant["b"].errors == 1
    assert set(ledger.totals("session")) == {"s1", "s2"}
    assert ledger.totals("endpoint")["e1"].calls == 2
    assert ledger.totals("project", tenant="a") == {"p": by_tenant["a"]}
    assert list(ledger.totals("day")) == [utc_day()]
    assert ledger.totals("tenant", day="1999-01-01") == {}
    with pytest.raises(ValueError, match="cannot group"):
        ledger.totals("password")  # type: ignore[arg-type]


def test_spent_filters() -> None:
    ledger = Ledger()
    ledger.record(row(tenant="a", cost=0.5))
    ledger.record(row(tenant="a", cost=None))  # unpriced model
    spent = ledger.spent(day=utc_day(), tenant="a")
    assert spent.calls == 2 and spent.total_tokens == 220 and spent.cost == pytest.approx(0.5)
    assert ledger.spent(day=utc_day(), tenant="zzz").calls == 0


def _writer(path: str, worker: int, count: int) -> None:
    ledger = Ledger(path)
    for n in range(count):
        ledger.record(row(session=f"w{worker}", request_hash=str(n)))
    ledger.close()


def test_concurrent_writers_from_several_processes_lose_no_row(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    Ledger(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(path, w, 60)) for w in range(4)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(60)
        assert proc.exitcode == 0
    totals = Ledger(path).totals("session")
    assert {k: v.calls for k, v in totals.items()} == {f"w{w}": 60 for w in range(4)}


def test_unusable_ledger_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match="ledger"):
        Ledger(path)


def open_and_close(path: Path) -> None:
    Ledger(path).close()


def test_many_sessions_open_one_new_ledger_at_once(tmp_path: Path) -> None:
    from conftest import run_at_once

    for round_ in range(5):
        path = tmp_path / f"ledger-{round_}.sqlite"
        assert run_at_once(functools.partial(open_and_close, path)) == []
