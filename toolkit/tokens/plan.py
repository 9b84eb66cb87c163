"""The attempt plan of one request: which endpoint next, how long to wait first.

Sans-I/O, so the sync and async clients run the same retry and failover rules.
Every failure is recorded; when attempts run out the plan raises an error that
lists them, so a request is never silently dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from toolkit.errors import EndpointUnavailableError, RateLimitedError
from toolkit.tokens.faults import RetryPolicy
from toolkit.tokens.routing import Router

__all__ = ["AttemptPlan"]


@dataclass
class AttemptPlan:
    """Retry and failover state for one request.

    Args:
        router: The client's router (breakers, in-flight counts).
        order: Endpoint indexes in preference order.
        max_attempts: Attempts in total, across endpoints.
        policy: Backoff and Retry-After limits.
        clock: Monotonic clock.
    """

    router: Router
    order: list[int]
    max_attempts: int
    policy: RetryPolicy
    clock: Callable[[], float] = time.monotonic
    failures: list[str] = field(default_factory=list)
    _cursor: int = 0
    _attempts: int = 0
    _failed: set[int] = field(default_factory=set)
    _not_before: dict[int, float] = field(default_factory=dict)
    _skipped: set[int] = field(default_factory=set)

    def _labels(self) -> str:
        return ", ".join(self.router.endpoints[i].label for i in self.order)

    def next_attempt(self) -> tuple[int, float]:
        """Pick the endpoint for the next attempt and the delay before it.

        Returns:
            ``(endpoint index, seconds to wait first)``.

        Raises:
            EndpointUnavailableError: Attempts are exhausted or no endpoint is usable.
        """
        if self._attempts >= self.max_attempts:
            raise EndpointUnavailableError(
                endpoints=self._labels(),
                problem=f"{self._attempts} attempt(s) failed: " + "; ".join(self.failures),
            )
        n = len(self.order)
        chosen: int | None = None
        for step in range(n):
            index = self.order[(self._cursor + step) % n]
            if index in self._skipped:
                continue
            if self._attempts == 0 or self.router.breakers[index].available():
                chosen = index
                self._cursor = (self._cursor + step) % n
                break
        if chosen is None:
            problem = "; ".join(self.failures) or "every endpoint's circuit breaker is open"
            raise EndpointUnavailableError(endpoints=self._labels(), problem=problem)
        if self._attempts == 0 and not self.router.breakers[chosen].available():
            raise EndpointUnavailableError(
                endpoints=self._labels(),
                problem="every endpoint's circuit breaker is open (recent consecutive failures)",
            )
        delay = 0.0
        if chosen in self._failed:
            delay = self.policy.backoff(len(self.failures) - 1)
        wait = self._not_before.get(chosen, 0.0) - self.clock()
        delay = max(delay, wait)
        self._attempts += 1
        return chosen, delay

    def failed(self, index: int, reason: str, *, retry_after: float | None = None) -> None:
        """Record a failed attempt on ``index`` and move the cursor to the next endpoint.

        Raises:
            RateLimitedError: Retry-After exceeds the allowed wait and no other endpoint
                is left to fail over to.
        """
        label = self.router.endpoints[index].label
        self.failures.append(f"{label}: {reason}")
        self._failed.add(index)
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                self._skipped.add(index)
                if len(self._skipped) == len(self.order):
                    raise RateLimitedError(
                        endpoint=label,
                        retry_after=retry_after,
                        max_wait=self.policy.max_retry_after,
                    )
            else:
                self._not_before[index] = self.clock() + retry_after
        if len(self.order) > 1:
            self._cursor = (self._cursor + 1) % len(self.order)
