from typing import Any

import httpx
import pytest

from toolkit.tokens import (
    Budget,
    BudgetExceededError,
    Endpoint,
    Ledger,
    LedgerRow,
    PriceTable,
    TokenClient,
)
from toolkit.tokens.budget import BudgetGuard
from toolkit.tokens.testing import ScriptedServer, completion

MESSAGES = [{"role": "user", "content": "hi"}]
USAGE = {"prompt_tokens": 400, "completion_tokens": 100}


def client_with(budget: Budget, **kwargs: Any) -> tuple[TokenClient, ScriptedServer]:
    server = ScriptedServer(default=completion("x", usage=USAGE))
    client = TokenClient(
        Endpoint(url="http://h/v1", model="m"),
        transport=httpx.MockTransport(server),
        budget=budget,
        **kwargs,
    )
    return client, server


def test_token_budget_stops_before_sending() -> None:
    client, server = client_with(Budget(max_tokens_per_day=1000), tenant="acme")
    client.chat(MESSAGES)
    client.chat(MESSAGES)
    with pytest.raises(BudgetExceededError) as info:
        client.chat(MESSAGES)
    assert len(server.requests) == 2  # the third was never sent
    assert "tenant acme" in str(info.value) and "1000 tokens" in str(info.value)


def test_budgets_are_per_tenant() -> None:
    ledger_rows = [
        LedgerRow(endpoint="e", model="m", status="ok", prompt_tokens=1000, tenant="other")
    ]
    client, server = client_with(Budget(max_tokens_per_day=500), tenant="acme")
    for r in ledger_rows:
        client.ledger.record(r)
    client.chat(MESSAGES)
    assert len(server.requests) == 1


def test_cost_budget() -> None:
    prices = PriceTable({"m": {"input": 1000.0, "output": 1000.0}})
    client, server = client_with(Budget(max_cost_per_day=0.5), prices=prices, project="p")
    client.chat(MESSAGES)  # costs 0.5
    with pytest.raises(BudgetExceededError, match=r"limit 0\.5"):
        client.chat(MESSAGES)
    assert len(server.requests) == 1


def test_project_budget_spans_tenants(tmp_path: Any) -> None:
    path = tmp_path / "ledger.db"
    budget = Budget(max_tokens_per_day=900, per="project")
    first, _ = client_with(budget, tenant="a", project="p", ledger_path=path)
    first.chat(MESSAGES)
    second, server = client_with(budget, tenant="b", project="p", ledger_path=path)
    with pytest.raises(BudgetExceededError, match="project p"):
        second.chat(MESSAGES, max_tokens=500)
    assert server.requests == []


def test_in_flight_reservations_count() -> None:
    guard = BudgetGuard(Budget(max_tokens_per_day=100), Ledger())
    held = guard.reserve(tenant="t", project=None, tokens=60, cost=0)
    with pytest.raises(BudgetExceededError):
        guard.reserve(tenant="t", project=None, tokens=60, cost=0)
    guard.release(held)
    guard.reserve(tenant="t", project=None, tokens=60, cost=0)


@pytest.mark.parametrize("kwargs", [{"max_tokens_per_day": -1}, {"max_cost_per_day": -0.1}])
def test_negative_limits_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Budget(**kwargs)
