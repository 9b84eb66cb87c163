"""`LocalTransport`: the embedded engine as an httpx transport, sync and async.

It goes through `EngineAPI.handle`, exactly the code the HTTP server runs, so a client
pointed at ``http://local.engine/v1`` sees what it would see over a socket (status codes,
error bodies, server-sent events, simulated latency). Any host is accepted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from toolkit.engine.api import DEFAULT_MAX_BODY_BYTES, ApiResponse, EngineAPI
from toolkit.engine.engine import LocalEngine, default_engine

__all__ = ["LocalTransport"]


class _SyncEvents(httpx.SyncByteStream):
    def __init__(self, events: Iterator[tuple[float, bytes]]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[bytes]:
        for delay, data in self._events:
            if delay > 0:
                time.sleep(delay)
            yield data


class _AsyncEvents(httpx.AsyncByteStream):
    def __init__(self, events: Iterator[tuple[float, bytes]]) -> None:
        self._events = events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for delay, data in self._events:
            if delay > 0:
                await asyncio.sleep(delay)
            yield data


class LocalTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serve httpx requests from a `LocalEngine` in-process.

    Args:
        engine: the engine to serve; the process-wide `default_engine()` when omitted.
        max_body_bytes: larger request bodies get a 400, as from the server.
    """

    def __init__(
        self, engine: LocalEngine | None = None, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.engine = engine if engine is not None else default_engine()
        self._api = EngineAPI(self.engine, max_body_bytes=max_body_bytes)

    def _call(self, request: httpx.Request, body: bytes) -> ApiResponse:
        return self._api.handle(request.method, request.url.path, body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve a sync request (httpx calls this)."""
        response = self._call(request, request.read())
        if response.events is not None:
            return httpx.Response(
                response.status, headers=response.headers, stream=_SyncEvents(response.events)
            )
        if response.delay > 0:
            time.sleep(response.delay)
        return httpx.Response(response.status, headers=response.headers, content=response.body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve an async request (httpx calls this)."""
        body = await request.aread()
        response = await asyncio.to_thread(self._call, request, body)
        if response.events is not None:
            return httpx.Response(
                response.status, headers=response.headers, stream=_AsyncEvents(response.events)
            )
        if response.delay > 0:
            await asyncio.sleep(response.delay)
        return httpx.Response(response.status, headers=response.headers, content=response.body)
