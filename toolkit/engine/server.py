"""`toolkit serve`: the engine behind an OpenAI-compatible HTTP server (FastAPI + uvicorn).

Every route is answered by `EngineAPI.handle`, the same code `LocalTransport` runs.
Simulated latency is slept with asyncio, so concurrent requests overlap as on a real server.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from toolkit.engine.api import DEFAULT_MAX_BODY_BYTES, EngineAPI
from toolkit.engine.engine import LocalEngine
from toolkit.errors import ServerStartError

__all__ = ["create_app", "serve"]

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


async def _read_body(request: Request, limit: int) -> tuple[bytes, bool]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


def create_app(engine: LocalEngine, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """The ASGI app serving `engine` (chat completions, models, health, metrics).

    Args:
        engine: the engine to serve.
        max_body_bytes: larger request bodies are rejected with a 400.
    """
    api = EngineAPI(engine, max_body_bytes=max_body_bytes)
    metrics = engine.metrics
    app = FastAPI(title="toolkit engine", docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=_METHODS)
    async def route(request: Request, path: str) -> Response:
        # vLLM counts generation requests only, not scrapes or health checks.
        counted = request.url.path.rstrip("/").endswith("/chat/completions")
        metrics.running(+1 if counted else 0)
        streaming = False
        try:
            body, too_large = await _read_body(request, api.max_body_bytes)
            result = await run_in_threadpool(
                api.handle, request.method, request.url.path, body, body_too_large=too_large
            )
            events = result.events
            if events is not None:

                async def stream() -> AsyncIterator[bytes]:
                    try:
                        for delay, data in events:
                            if delay > 0:
                                await asyncio.sleep(delay)
                            yield data
                    finally:
                        metrics.running(-1 if counted else 0)

                streaming = True
                return StreamingResponse(
                    stream(), status_code=result.status, headers=result.headers
                )
            if result.delay > 0:
                await asyncio.sleep(result.delay)
            return Response(result.body, status_code=result.status, headers=result.headers)
        finally:
            if not streaming:
                metrics.running(-1 if counted else 0)

    return app


def _check_bind(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServerStartError(host=host, port=port, problem=exc.strerror or str(exc)) from exc


def serve(
    engine: LocalEngine,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "warning",
) -> None:
    """Run the server until interrupted (binds to loopback unless told otherwise).

    Raises:
        ServerStartError: the address cannot be bound.
    """
    import uvicorn

    _check_bind(host, port)
    app = create_app(engine, max_body_bytes=max_body_bytes)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
