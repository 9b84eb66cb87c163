"""Daily budgets in tokens or cost, per tenant or project, checked before sending.

Spending comes from the ledger (so several processes sharing one ledger share
one budget) plus what this process has in flight, so parallel calls cannot all
slip under the limit at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from toolkit.errors import BudgetExceededError
from toolkit.tokens.ledger import Ledger, utc_day

__all__ = ["Budget", "BudgetGuard", "estimate_tokens"]


@dataclass(frozen=True)
class Budget:
    """Daily limits (UTC days).

    Attributes:
        max_tokens_per_day: Prompt plus completion tokens per day, or None.
        max_cost_per_day: Cost per day in the price table's currency, or None.
        per: Whether the limits apply to each tenant or to the whole project.
    """

    max_tokens_per_day: int | None = None
    max_cost_per_day: float | None = None
    per: Literal["tenant", "project"] = "tenant"

    def __post_init__(self) -> None:
        if self.max_tokens_per_day is not None and self.max_tokens_per_day < 0:
            raise ValueError("max_tokens_per_day must be >= 0")
        if self.max_cost_per_day is not None and self.max_cost_per_day < 0:
            raise ValueError("max_cost_per_day must be >= 0")


def estimate_tokens(body_bytes: int, max_tokens: int | None) -> int:
    """A cheap upper-side estimate of a request's tokens: 1 per 4 bytes plus max_tokens."""
    return -(-body_bytes // 4) + (max_tokens or 0)


class BudgetGuard:
    """Check a `Budget` against the ledger and this process's in-flight reservations."""

    def __init__(self, budget: Budget, ledger: Ledger) -> None:
        self.budget = budget
        self.ledger = ledger
        self._lock = threading.Lock()
        self._reserved_tokens = 0
        self._reserved_cost = 0.0

    def reserve(
        self, *, tenant: str | None, project: str | None, tokens: int, cost: float
    ) -> tuple[int, float]:
        """Reserve an estimate for one request, or raise when it would pass a limit.

        Returns:
            The reservation, to hand back to `release`.

        Raises:
            BudgetExceededError: The request was not sent.
        """
        budget = self.budget
        day = utc_day()
        if budget.per == "tenant":
            scope = f"tenant {tenant or '(none)'} on {day}"
            spent = self.ledger.spent(day=day, tenant=tenant or "")
        else:
            scope = f"project {project or '(none)'} on {day}"
            spent = self.ledger.spent(day=day, project=project or "")
        with self._lock:
            used_tokens = spent.total_tokens + self._reserved_tokens
            used_cost = spent.cost + self._reserved_cost
            if (
                budget.max_tokens_per_day is not None
                and used_tokens + tokens > budget.max_tokens_per_day
            ):
                raise BudgetExceededError(
                    scope=scope,
                    limit=f"{budget.max_tokens_per_day} tokens",
                    spent=f"{used_tokens} tokens",
                    requested=f"{tokens} tokens",
                )
            if budget.max_cost_per_day is not None and used_cost + cost > budget.max_cost_per_day:
                raise BudgetExceededError(
                    scope=scope,
                    limit=f"{budget.max_cost_per_day:g}",
                    spent=f"{used_cost:.6g}",
                    requested=f"{cost:.6g}",
                )
            self._reserved_tokens += tokens
            self._reserved_cost += cost
        return tokens, cost

    def release(self, reservation: tuple[int, float]) -> None:
        """Drop a reservation once the call's real usage is in the ledger."""
        with self._lock:
            self._reserved_tokens -= reservation[0]
            self._reserved_cost -= reservation[1]
