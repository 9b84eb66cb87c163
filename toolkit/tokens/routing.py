"""Routing over several endpoints: rendezvous hashing, a load guard, circuit breakers.

Rendezvous (highest-random-weight) hashing sends each affinity key to the same
endpoint while the set is unchanged, and moves only that endpoint's keys when
one leaves. The load guard follows SGLang's cache-aware router: when in-flight
counts are imbalanced past an absolute AND a relative threshold, the
least-loaded endpoint goes first. Endpoints whose breaker is open go last.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.tokens.endpoint import Endpoint

__all__ = ["BreakerState", "CircuitBreaker", "Router", "rendezvous_order"]


def _unit(key: str, endpoint_id: str) -> float:
    digest = hashlib.blake2b(f"{key}\x00{endpoint_id}".encode(), digest_size=8).digest()
    # Map to (0, 1) strictly so the log below is finite.
    return (int.from_bytes(digest, "big") + 0.5) / 2.0**64


def rendezvous_order(key: str, endpoints: Sequence[Endpoint]) -> list[int]:
    """Rank endpoint indexes for ``key`` by weighted rendezvous score, best first.

    The weighted score ``-weight / ln(u)`` gives each endpoint a share of keys
    proportional to its weight.

    Args:
        key: The affinity key.
        endpoints: Candidate endpoints.

    Returns:
        Endpoint indexes, best first.
    """
    scores = [
        (-endpoint.weight / math.log(_unit(key, f"{endpoint.url}|{endpoint.model}")), index)
        for index, endpoint in enumerate(endpoints)
    ]
    scores.sort(key=lambda pair: (-pair[0], pair[1]))
    return [index for _, index in scores]


@dataclass(frozen=True)
class BreakerState:
    """A snapshot of one circuit breaker."""

    state: str
    consecutive_failures: int
    opened_at: float | None


class CircuitBreaker:
    """Closed, open after ``failure_threshold`` consecutive failures, half-open after a cooldown.

    Half-open admits one trial request; success closes the breaker, failure reopens it.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half-open"
        return "open"

    def available(self) -> bool:
        """Whether a request may be sent now."""
        state = self.state
        if state == "closed":
            return True
        return state == "half-open" and not self._trial_in_flight

    def on_send(self) -> None:
        """Note that a request is being sent (claims the half-open trial)."""
        if self.state == "half-open":
            self._trial_in_flight = True

    def on_success(self) -> None:
        """Close the breaker."""
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def on_failure(self) -> None:
        """Count a failure; open (or reopen) the breaker past the threshold."""
        self._failures += 1
        self._trial_in_flight = False
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()

    def snapshot(self) -> BreakerState:
        """The current state, for health reports."""
        return BreakerState(self.state, self._failures, self._opened_at)


class Router:
    """Order endpoints for a request and track their load and health.

    Args:
        endpoints: The endpoints to route over.
        balance_abs_threshold: Imbalance (max - min in-flight) that may trigger the guard.
        balance_rel_threshold: The guard also needs max > this x min.
        failure_threshold: Consecutive failures that open an endpoint's breaker.
        cooldown: Seconds an open breaker waits before a half-open trial.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        endpoints: Sequence[Endpoint],
        *,
        balance_abs_threshold: int = 16,
        balance_rel_threshold: float = 1.5,
        failure_threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoints = tuple(endpoints)
        self.balance_abs_threshold = balance_abs_threshold
        self.balance_rel_threshold = balance_rel_threshold
        self._lock = threading.Lock()
        self._in_flight = [0] * len(self.endpoints)
        self.breakers = [
            CircuitBreaker(failure_threshold=failure_threshold, cooldown=cooldown, clock=clock)
            for _ in self.endpoints
        ]

    def in_flight(self) -> list[int]:
        """Requests currently in flight per endpoint."""
        with self._lock:
            return list(self._in_flight)

    def order(self, key: str) -> list[int]:
        """Endpoint indexes to try for ``key``: preferred first, unavailable last.

        Args:
            key: The request's affinity key.

        Returns:
            Every endpoint index exactly once.
        """
        ranked = rendezvous_order(key, self.endpoints)
        if len(ranked) == 1:
            return ranked
        with self._lock:
            loads = list(self._in_flight)
            available = [i for i in ranked if self.breakers[i].available()]
        if not available:
            return ranked
        busiest = max(loads[i] for i in available)
        idlest = min(loads[i] for i in available)
        if (
            busiest - idlest > self.balance_abs_threshold
            and busiest > self.balance_rel_threshold * idlest
        ):
            # Imbalanced: the shortest queue wins over cache affinity (stable sort
            # keeps the rendezvous rank among equally loaded endpoints).
            available = sorted(available, key=lambda i: loads[i])
        return available + [i for i in ranked if i not in available]

    def acquire(self, index: int) -> None:
        """Count a request as in flight on endpoint ``index``."""
        with self._lock:
            self._in_flight[index] += 1
            self.breakers[index].on_send()

    def release(self, index: int, *, ok: bool, endpoint_fault: bool = True) -> None:
        """Finish a request on ``index``; update its breaker.

        Args:
            index: Endpoint index.
            ok: Whether the endpoint answered successfully.
            endpoint_fault: Whether a failure counts against the endpoint's health
                (a caller's 4xx does not).
        """
        with self._lock:
            self._in_flight[index] -= 1
            if ok or not endpoint_fault:
                self.breakers[index].on_success()
            else:
                self.breakers[index].on_failure()
