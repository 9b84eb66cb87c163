"""The engine's HTTP routes as one pure function of (method, path, body).

Both the ASGI server and the in-process httpx transport call `EngineAPI.handle`, so they
serve identical bodies, status codes and headers. Simulated latency is returned as delays
next to the bytes; each front end sleeps its own way (asyncio or time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.engine import LocalEngine, stream_chunks
from toolkit.engine.errors import error_body
from toolkit.engine.metrics import CONTENT_TYPE
from toolkit.errors import EngineRequestError

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ApiResponse", "EngineAPI"]

DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
_JSON = {"content-type": "application/json"}
_SSE = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}


@dataclass
class ApiResponse:
    """A response: a body after `delay` seconds, or server-sent events with their delays."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    delay: float = 0.0
    events: Iterator[tuple[float, bytes]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _json(status: int, value: object) -> ApiResponse:
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ApiResponse(status, dict(_JSON), data)


def _error(status: int, message: str, *, param: str | None, code: str, kind: str) -> ApiResponse:
    return _json(status, error_body(message, param=param, code=code, kind=kind))


class EngineAPI:
    """Route requests to a `LocalEngine`.

    Args:
        engine: the engine to serve.
        max_body_bytes: larger request bodies are rejected with a 400.
    """

    def __init__(
        self, engine: LocalEngine, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.engine = engine
        self.max_body_bytes = max_body_bytes

    def handle(
        self, method: str, path: str, body: bytes, *, body_too_large: bool = False
    ) -> ApiResponse:
        """Serve one HTTP request.

        Args:
            method: the HTTP method.
            path: the URL path (any host is accepted).
            body: the raw request body.
            body_too_large: the front end stopped reading because the body passed the limit.

        Returns:
            The response to send.
        """
        path = "/" + path.strip("/")
        routes = {
            "/v1/chat/completions": ("POST", self._chat),
            "/v1/models": ("GET", self._models),
            "/health": ("GET", self._health),
            "/metrics": ("GET", self._metrics),
        }
        route = routes.get(path)
        if route is None:
            return _error(
                404, f"No route {path}.", param=None, code="not_found", kind="invalid_request_error"
            )
        allowed, handler = route
        if method.upper() != allowed:
            response = _error(
                405, f"Method {method} is not allowed on {path}; use {allowed}.", param=None,
                code="method_not_allowed", kind="invalid_request_error",
            )  # fmt: skip
            response.headers["allow"] = allowed
            return response
        if body_too_large or len(body) > self.max_body_bytes:
            self.engine.metrics.record_error()
            return _error(
                400,
                f"The request body is larger than the limit of {self.max_body_bytes} bytes.",
                param="body", code="request_too_large", kind="invalid_request_error",
            )  # fmt: skip
        return handler(body)

    def _chat(self, body: bytes) -> ApiResponse:
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.engine.metrics.record_error()
            return _error(
                400, f"The request body is not valid JSON: {exc}.", param="body",
                code="invalid_json", kind="invalid_request_error",
            )  # fmt: skip
        started = time.perf_counter()
        try:
            completion = self.engine.run(payload)
        except EngineRequestError as exc:
            return _error(
                exc.status, str(exc), param=exc.param, code=exc.code, kind="invalid_request_error"
            )
        if not completion.request.stream:
            response = _json(200, completion.response)
            response.delay = completion.first_token_s + completion.per_token_s * (
                completion.completion_tokens
            )
            self._observe(started, completion.first_token_s, response.delay)
            return response
        chunks = list(stream_chunks(completion, self.engine.tokenizer))
        self._observe(started, completion.first_token_s, sum(delay for delay, _ in chunks))

        def events() -> Iterator[tuple[float, bytes]]:
            for delay, chunk in chunks:
                data = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
                yield delay, f"data: {data}\n\n".encode()
            yield 0.0, b"data: [DONE]\n\n"

        return ApiResponse(200, dict(_SSE), events=events())

    def _observe(self, started: float, first_token_s: float, total_delay_s: float) -> None:
        """Latency as a client sees it: compute time plus the simulated delays."""
        compute = time.perf_counter() - started
        self.engine.metrics.observe_latency(
            total_s=compute + total_delay_s, first_token_s=compute + first_token_s
        )

    def _models(self, body: bytes) -> ApiResponse:
        engine = self.engine
        entry = {
            "id": engine.model,
            "object": "model",
            "created": 0,
            "owned_by": "toolkit",
            "max_model_len": engine.max_model_len,
        }
        return _json(200, {"object": "list", "data": [entry]})

    def _health(self, body: bytes) -> ApiResponse:
        return _json(200, {"status": "ok"})

    def _metrics(self, body: bytes) -> ApiResponse:
        text = self.engine.metrics.render(self.engine.cache.stats(), self.engine.model)
        return ApiResponse(200, {"content-type": CONTENT_TYPE}, text.encode())
