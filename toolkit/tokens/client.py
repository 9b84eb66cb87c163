"""`TokenClient` and `AsyncTokenClient`: thin senders over `BaseTokenClient`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Unpack

import httpx

from toolkit.errors import (
    RequestRejectedError,
    TokenServiceError,
)
from toolkit.tokens.base import BaseTokenClient, ClientOptions, Prepared, RetryAttempt
from toolkit.tokens.endpoint import Endpoint
from toolkit.tokens.limits import aiter_capped_lines, aread_capped, iter_capped_lines, read_capped
from toolkit.tokens.local import local_transport
from toolkit.tokens.plan import AttemptPlan
from toolkit.tokens.results import ChatResult, StreamEvent
from toolkit.tokens.sse import StreamAccumulator

__all__ = ["AsyncTokenClient", "TokenClient"]


class TokenClient(BaseTokenClient):
    """Synchronous token-service client.

    Args:
        endpoints: One `Endpoint` or several (routed by prefix affinity, with failover).
        tenant: Tenant name: isolates caches (``cache_salt``, affinity) and budgets.
        project: Project name recorded in the ledger (and used by per-project budgets).
        cache_path: SQLite file for the response cache; None disables it.
        ledger_path: SQLite file for the ledger; None keeps an in-memory ledger.
        budget: Daily token/cost limits, checked before each call.
        prices: Price table used to cost each call.
        timeout: Seconds or an `httpx.Timeout` (connect and read).
        max_retries: Retries after the first attempt (failover always tries every endpoint).
        transport: An httpx transport for every endpoint (tests pass `httpx.MockTransport`).
        retry_policy: Backoff and Retry-After limits.
        router: A preconfigured `Router` (thresholds, breakers).
        clock: Monotonic clock, for tests.
        sleep: Sleep function, for tests.
    """

    def __init__(
        self,
        endpoints: Endpoint | Sequence[Endpoint],
        *,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(endpoints, **options)
        self._sleep = sleep
        self._clients: dict[bool, httpx.Client] = {}

    def _http(self, index: int) -> httpx.Client:
        local = self.endpoints[index].is_local and self._transport is None
        client = self._clients.get(local)
        if client is None:
            transport = local_transport() if local else self._transport
            client = httpx.Client(transport=transport, timeout=self.timeout)
            self._clients[local] = client
        return client

    def close(self) -> None:
        """Close connections, the ledger and the response cache."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self.ledger.close()
        if self.response_cache is not None:
            self.response_cache.close()

    def __enter__(self) -> TokenClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        tool_choice: Any = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        context: Any = None,
        session_id: str | None = None,
        cache: bool | None = None,
        **extra: Any,
    ) -> ChatResult:
        """Send one chat completion and return its result.

        Arguments are those of `build_payload`, plus ``cache``: None caches only
        ``temperature == 0`` calls, True opts in, False never caches.

        Raises:
            BudgetExceededError: Not sent; a daily limit would be passed.
            RequestRejectedError: The endpoint refused the request (not retried).
            ResponseFormatError: The endpoint's answer is malformed.
            EndpointUnavailableError: Every attempt failed.
        """
        prepared = self._prepare(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            session_id=session_id,
            cache=cache,
            extra=extra,
        )
        hit = self._cached(prepared)
        if hit is not None:
            return hit
        self._reserve(prepared)
        try:
            return self._send(prepared)
        finally:
            self._unreserve(prepared)

    def _send(self, prepared: Prepared) -> ChatResult:
        plan = self._plan(prepared)
        index: int | None = None
        try:
            while True:
                index, delay = plan.next_attempt()
                if delay > 0:
                    self._sleep(delay)
                try:
                    return self._attempt(prepared, plan, index)
                except RetryAttempt:
                    continue
        except TokenServiceError as exc:
            self._record_failure(prepared, exc, index)
            raise

    def _attempt(self, prepared: Prepared, plan: AttemptPlan, index: int) -> ChatResult:
        url, headers, content = self._request_parts(prepared, index, stream=False)
        http = self._http(index)
        limits = self._limits(index)
        self.router.acquire(index)
        ok, fault = False, True
        try:
            try:
                with http.stream(
                    "POST",
                    url,
                    headers=headers,
                    content=content,
                    timeout=limits.timeout(self.timeout),
                ) as response:
                    limits.check_declared(response.headers)
                    body = read_capped(response.iter_bytes(), limits)
            except httpx.TransportError as exc:
                self._transport_failed(exc, plan, index, streamed=None, limits=limits)
            except httpx.DecodingError as exc:
                raise limits.decoding_failed(exc) from exc
            self._check_status(response, plan, index, body=body)
            result = self._completion(prepared, index, body)
            ok = True
            return result
        except RequestRejectedError:
            fault = False  # the caller's request was wrong, not the endpoint
            raise
        finally:
            self.router.release(index, ok=ok, endpoint_fault=fault)

    def stream(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        tool_choice: Any = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        context: Any = None,
        session_id: str | None = None,
        cache: bool | None = None,
        **extra: Any,
    ) -> Iterator[StreamEvent]:
        """Stream a chat completion as server-sent events.

        Takes the arguments of `chat`. Failures before the first event are retried
        like `chat`; a stream cut after it raises `ResponseFormatError`. The last
        event carries the complete `ChatResult` (usage from the final chunk).
        """
        prepared = self._prepare(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            session_id=session_id,
            cache=cache,
            extra=extra,
        )
        return self._stream_events(prepared)

    def _stream_events(self, prepared: Prepared) -> Iterator[StreamEvent]:
        hit = self._cached(prepared)
        if hit is not None:
            yield _replay(hit)
            return
        self._reserve(prepared)
        plan = self._plan(prepared)
        index: int | None = None
        try:
            while True:
                index, delay = plan.next_attempt()
                if delay > 0:
                    self._sleep(delay)
                try:
                    yield from self._stream_attempt(prepared, plan, index)
                    return
                except RetryAttempt:
                    continue
        except (TokenServiceError, GeneratorExit) as exc:
            self._record_failure(prepared, exc, index)
            raise
        finally:
            self._unreserve(prepared)

    def _stream_attempt(
        self, prepared: Prepared, plan: AttemptPlan, index: int
    ) -> Iterator[StreamEvent]:
        url, headers, content = self._request_parts(prepared, index, stream=True)
        http = self._http(index)
        label = self.endpoints[index].label
        limits = self._limits(index)
        self.router.acquire(index)
        ok, fault, started = False, True, False
        try:
            try:
                with http.stream(
                    "POST",
                    url,
                    headers=headers,
                    content=content,
                    timeout=limits.timeout(self.timeout),
                ) as response:
                    limits.check_declared(response.headers)
                    if response.status_code >= 300:
                        body = read_capped(response.iter_bytes(), limits)
                        self._check_status(response, plan, index, body=body)
                    accumulator = StreamAccumulator(label)
                    for line in iter_capped_lines(response.iter_bytes(), limits):
                        event = accumulator.feed_line(line)
                        if event is not None:
                            started = True
                            yield event
                    parts = accumulator.finish()
            except httpx.TransportError as exc:
                self._transport_failed(exc, plan, index, streamed=started, limits=limits)
            except httpx.DecodingError as exc:
                raise limits.decoding_failed(exc) from exc
            result = self._result(prepared, index, parts, accumulator.timings)
            ok = True
            yield StreamEvent(finish_reason=result.finish_reason, usage=result.usage, result=result)
        except RequestRejectedError:
            fault = False  # the caller's request was wrong, not the endpoint
            raise
        finally:
            self.router.release(index, ok=ok, endpoint_fault=fault)


def _replay(result: ChatResult) -> StreamEvent:
    return StreamEvent(
        content=result.content,
        finish_reason=result.finish_reason,
        usage=result.usage,
        result=result,
    )


class AsyncTokenClient(BaseTokenClient):
    """Asynchronous token-service client; same arguments and behaviour as `TokenClient`.

    ``sleep`` is an async sleep function (``asyncio.sleep`` by default).
    """

    def __init__(
        self,
        endpoints: Endpoint | Sequence[Endpoint],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(endpoints, **options)
        self._sleep = sleep
        self._clients: dict[bool, httpx.AsyncClient] = {}

    def _http(self, index: int) -> httpx.AsyncClient:
        local = self.endpoints[index].is_local and self._transport is None
        client = self._clients.get(local)
        if client is None:
            transport = local_transport() if local else self._transport
            client = httpx.AsyncClient(transport=transport, timeout=self.timeout)
            self._clients[local] = client
        return client

    async def aclose(self) -> None:
        """Close connections, the ledger and the response cache."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        self.ledger.close()
        if self.response_cache is not None:
            self.response_cache.close()

    async def __aenter__(self) -> AsyncTokenClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        tool_choice: Any = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        context: Any = None,
        session_id: str | None = None,
        cache: bool | None = None,
        **extra: Any,
    ) -> ChatResult:
        """Send one chat completion; see `TokenClient.chat`."""
        prepared = self._prepare(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            session_id=session_id,
            cache=cache,
            extra=extra,
        )
        hit = self._cached(prepared)
        if hit is not None:
            return hit
        self._reserve(prepared)
        plan = self._plan(prepared)
        index: int | None = None
        try:
            while True:
                index, delay = plan.next_attempt()
                if delay > 0:
                    await self._sleep(delay)
                try:
                    return await self._attempt(prepared, plan, index)
                except RetryAttempt:
                    continue
        except (TokenServiceError, asyncio.CancelledError, GeneratorExit) as exc:
            self._record_failure(prepared, exc, index)
            raise
        finally:
            self._unreserve(prepared)

    async def _attempt(self, prepared: Prepared, plan: AttemptPlan, index: int) -> ChatResult:
        url, headers, content = self._request_parts(prepared, index, stream=False)
        http = self._http(index)
        limits = self._limits(index)
        self.router.acquire(index)
        ok, fault = False, True
        try:
            try:
                async with http.stream(
                    "POST",
                    url,
                    headers=headers,
                    content=content,
                    timeout=limits.timeout(self.timeout),
                ) as response:
                    limits.check_declared(response.headers)
                    body = await aread_capped(response.aiter_bytes(), limits)
            except httpx.TransportError as exc:
                self._transport_failed(exc, plan, index, streamed=None, limits=limits)
            except httpx.DecodingError as exc:
                raise limits.decoding_failed(exc) from exc
            self._check_status(response, plan, index, body=body)
            result = self._completion(prepared, index, body)
            ok = True
            return result
        except RequestRejectedError:
            fault = False  # the caller's request was wrong, not the endpoint
            raise
        finally:
            self.router.release(index, ok=ok, endpoint_fault=fault)

    def stream(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        tool_choice: Any = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        context: Any = None,
        session_id: str | None = None,
        cache: bool | None = None,
        **extra: Any,
    ) -> AsyncIterator[StreamEvent]:
        """Stream a chat completion; see `TokenClient.stream`."""
        prepared = self._prepare(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            session_id=session_id,
            cache=cache,
            extra=extra,
        )
        return self._stream_events(prepared)

    async def _stream_events(self, prepared: Prepared) -> AsyncIterator[StreamEvent]:
        hit = self._cached(prepared)
        if hit is not None:
            yield _replay(hit)
            return
        self._reserve(prepared)
        plan = self._plan(prepared)
        index: int | None = None
        try:
            while True:
                index, delay = plan.next_attempt()
                if delay > 0:
                    await self._sleep(delay)
                try:
                    async for event in self._stream_attempt(prepared, plan, index):
                        yield event
                    return
                except RetryAttempt:
                    continue
        except (TokenServiceError, asyncio.CancelledError, GeneratorExit) as exc:
            self._record_failure(prepared, exc, index)
            raise
        finally:
            self._unreserve(prepared)

    async def _stream_attempt(
        self, prepared: Prepared, plan: AttemptPlan, index: int
    ) -> AsyncIterator[StreamEvent]:
        url, headers, content = self._request_parts(prepared, index, stream=True)
        http = self._http(index)
        label = self.endpoints[index].label
        limits = self._limits(index)
        self.router.acquire(index)
        ok, fault, started = False, True, False
        try:
            try:
                async with http.stream(
                    "POST",
                    url,
                    headers=headers,
                    content=content,
                    timeout=limits.timeout(self.timeout),
                ) as response:
                    limits.check_declared(response.headers)
                    if response.status_code >= 300:
                        body = await aread_capped(response.aiter_bytes(), limits)
                        self._check_status(response, plan, index, body=body)
                    accumulator = StreamAccumulator(label)
                    async for line in aiter_capped_lines(response.aiter_bytes(), limits):
                        event = accumulator.feed_line(line)
                        if event is not None:
                            started = True
                            yield event
                    parts = accumulator.finish()
            except httpx.TransportError as exc:
                self._transport_failed(exc, plan, index, streamed=started, limits=limits)
            except httpx.DecodingError as exc:
                raise limits.decoding_failed(exc) from exc
            result = self._result(prepared, index, parts, accumulator.timings)
            ok = True
            yield StreamEvent(finish_reason=result.finish_reason, usage=result.usage, result=result)
        except RequestRejectedError:
            fault = False  # the caller's request was wrong, not the endpoint
            raise
        finally:
            self.router.release(index, ok=ok, endpoint_fault=fault)
