"""Fault policy: which failures are retried, how long to wait, and Retry-After."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field

import httpx

__all__ = [
    "RETRYABLE_STATUS",
    "RetryPolicy",
    "is_retryable_exception",
    "parse_retry_after",
    "redact",
]

# 408 and 429 are the server's way of saying "later"; 5xx are its own faults.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring Retry-After.

    Attributes:
        backoff_base: Delay scale in seconds; attempt n waits up to base x 2**n.
        backoff_max: Cap on one backoff delay.
        max_retry_after: Longest Retry-After the client will wait; longer raises
            `RateLimitedError` instead of hanging.
        jitter: Whether to draw the delay uniformly from [0, cap] (full jitter).
    """

    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 60.0
    jitter: bool = True
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (0-based)."""
        cap = min(self.backoff_max, self.backoff_base * (2**attempt))
        return self._rng.uniform(0, cap) if self.jitter else cap


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date).

    Args:
        value: The header value.
        now: Current Unix time (injectable for tests).

    Returns:
        Seconds (never negative), or None when absent or unparseable.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def is_retryable_exception(exc: BaseException) -> bool:
    """Transport failures worth another attempt: timeouts, resets, refused connections."""
    return isinstance(exc, httpx.TransportError) and not isinstance(
        exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError
    )


def redact(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of each secret in ``text`` with ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
