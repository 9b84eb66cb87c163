"""Resource limits on one answer: a cap on its size and an overall deadline, per endpoint.

A read timeout alone never stops a server that sends one byte per second, and
nothing stopped an endless body before it exhausted memory. `AnswerLimits`
counts the decoded bytes (so a compressed bomb is caught too) and the time
since the request was sent, and raises a typed error at the first chunk past
either limit. The sync and async senders feed it the same way.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping

import httpx

from toolkit.errors import DeadlineExceededError, ResponseFormatError, ResponseTooLargeError

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "AnswerLimits",
    "aiter_capped_lines",
    "aread_capped",
    "iter_capped_lines",
    "read_capped",
]

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""32 MiB: far above any chat completion, far below what hurts the machine."""

DEFAULT_DEADLINE = 600.0
"""Seconds from sending a request to the last byte of its answer."""


class AnswerLimits:
    """Byte and time accounting for one attempt at one endpoint.

    Args:
        endpoint: The endpoint's label, for error messages.
        max_bytes: Most decoded bytes the answer may have.
        deadline: Seconds the whole answer may take, or None for no deadline.
        clock: Monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        *,
        endpoint: str,
        max_bytes: int,
        deadline: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._clock = clock
        self._started = clock()
        self.received = 0

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None without one)."""
        if self.deadline is None:
            return None
        return self.deadline - (self._clock() - self._started)

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        left = self.remaining()
        return left is not None and left <= 0

    def check_time(self) -> None:
        """Raise `DeadlineExceededError` once the deadline has passed."""
        if self.expired():
            raise DeadlineExceededError(endpoint=self.endpoint, deadline=float(self.deadline or 0))

    def check_declared(self, headers: Mapping[str, str]) -> None:
        """Refuse a body whose declared length already passes the cap, before reading it."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ResponseTooLargeError(endpoint=self.endpoint, limit=self.max_bytes)

    def add(self, chunk: bytes) -> None:
        """Count one decoded chunk; raise when the answer passes a limit."""
        self.received += len(chunk)
        if self.received > self.max_bytes:
            raise ResponseTooLargeError(endpoint=self.endpoint, limit=self.max_bytes)
        self.check_time()

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """``base`` with no single wait longer than the time left before the deadline."""
        left = self.remaining()
        if left is None:
            return base
        left = max(left, 0.001)

        def clamp(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=clamp(base.connect),
            read=clamp(base.read),
            write=clamp(base.write),
            pool=clamp(base.pool),
        )

    def decoding_failed(self, exc: Exception) -> ResponseFormatError:
        """The typed error for a body that cannot be decoded (corrupt gzip, bad UTF-8)."""
        return ResponseFormatError(
            endpoint=self.endpoint,
            problem=f"the body cannot be decoded ({type(exc).__name__}: {exc})",
        )


def read_capped(chunks: Iterable[bytes], limits: AnswerLimits) -> bytes:
    """Read a whole body under ``limits``."""
    parts: list[bytes] = []
    for chunk in chunks:
        limits.add(chunk)
        parts.append(chunk)
    limits.check_time()
    return b"".join(parts)


async def aread_capped(chunks: AsyncIterable[bytes], limits: AnswerLimits) -> bytes:
    """Read a whole body under ``limits`` (async)."""
    parts: list[bytes] = []
    async for chunk in chunks:
        limits.add(chunk)
        parts.append(chunk)
    limits.check_time()
    return b"".join(parts)


class _Lines:
    """Split a byte stream into text lines.

    SSE is UTF-8, where a newline byte never sits inside a multi-byte character, so
    splitting before decoding is safe.
    """

    def __init__(self, limits: AnswerLimits) -> None:
        self._limits = limits
        # Parts of the unfinished line, joined once its newline arrives (a long line
        # in many chunks must not be copied once per chunk).
        self._pending: list[bytes] = []

    def feed(self, chunk: bytes) -> list[str]:
        self._limits.add(chunk)
        if b"\n" not in chunk:
            self._pending.append(chunk)
            return []
        first, *complete, last = chunk.split(b"\n")
        lines = [b"".join([*self._pending, first]), *complete]
        self._pending = [last] if last else []
        return [self._decode(line) for line in lines]

    def rest(self) -> list[str]:
        self._limits.check_time()
        if not self._pending:
            return []
        line, self._pending = b"".join(self._pending), []
        return [self._decode(line)]

    def _decode(self, line: bytes) -> str:
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._limits.decoding_failed(exc) from exc


def iter_capped_lines(chunks: Iterable[bytes], limits: AnswerLimits) -> Iterator[str]:
    """Lines of a streamed body, under ``limits``."""
    splitter = _Lines(limits)
    for chunk in chunks:
        yield from splitter.feed(chunk)
    yield from splitter.rest()


async def aiter_capped_lines(
    chunks: AsyncIterable[bytes], limits: AnswerLimits
) -> AsyncIterator[str]:
    """Lines of a streamed body, under ``limits`` (async)."""
    splitter = _Lines(limits)
    async for chunk in chunks:
        for line in splitter.feed(chunk):
            yield line
    for line in splitter.rest():
        yield line
