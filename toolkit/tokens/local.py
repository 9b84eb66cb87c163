"""The ``local`` endpoint: how the token client reaches the embedded engine (`toolkit.engine`).

This module is the one place above the engine that imports it (ARCHITECTURE.md
§10: Tokens -> Engine for the ``local`` endpoint only). The agent reaches the
engine through `EndpointTransport`, and the evaluation gets the ideal
prefix-cache bound, measured in the engine's tokens, from `ideal_cache_bound`.
The engine is imported lazily, on first use: a toolkit build without it still
serves HTTP endpoints.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from toolkit.errors import EndpointUnavailableError
from toolkit.tokens.endpoint import LOCAL_BASE_URL

if TYPE_CHECKING:
    from toolkit.engine import LocalTransport

__all__ = ["EndpointTransport", "ideal_cache_bound", "local_transport"]

_LOCAL_HOST = httpx.URL(LOCAL_BASE_URL).host


def local_transport() -> LocalTransport:
    """The embedded engine's in-process transport, sync and async (the HTTP server's code path).

    Raises:
        EndpointUnavailableError: The embedded engine is not installed.
    """
    try:
        from toolkit.engine import LocalTransport, default_engine
    except ImportError as exc:
        raise EndpointUnavailableError(
            endpoints="local",
            problem=(
                f"the embedded engine (toolkit.engine) is not available ({exc}); install a "
                "toolkit build that includes it, or point the endpoint at an HTTP server"
            ),
        ) from exc
    return LocalTransport(default_engine())


class EndpointTransport(httpx.BaseTransport):
    """Sends each request where its URL points: the engine in-process, or the network.

    The ``local`` endpoint's fixed base URL (`LOCAL_BASE_URL`) goes to the embedded
    engine's in-process transport, any other URL to an `httpx.HTTPTransport`.
    Both transports are opened on first use and closed by `close`.
    """

    def __init__(self) -> None:
        self._local: httpx.BaseTransport | None = None
        self._remote: httpx.BaseTransport | None = None
        self._lock = threading.Lock()

    def _route(self, request: httpx.Request) -> httpx.BaseTransport:
        with self._lock:
            if request.url.host == _LOCAL_HOST:
                if self._local is None:
                    self._local = local_transport()
                return self._local
            if self._remote is None:
                self._remote = httpx.HTTPTransport()
            return self._remote

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward ``request`` to the engine or the network."""
        return self._route(request).handle_request(request)

    def close(self) -> None:
        """Close the transports this one opened."""
        for transport in (self._local, self._remote):
            if transport is not None:
                transport.close()


def ideal_cache_bound(bodies: Sequence[dict[str, Any]]) -> tuple[int, int] | None:
    """The ideal prefix-cache bound of recorded chat-completions bodies.

    Each body is tokenized as the embedded engine renders and counts it (the
    tokens its ``usage.prompt_tokens`` reports) and replayed in order through an
    infinite block cache, honouring each body's ``cache_salt``.

    Args:
        bodies: Request bodies in execution order.

    Returns:
        (ideal hit tokens, prompt tokens), or None when the engine is not installed.
    """
    try:
        from toolkit.engine import ideal_hits, prompt_token_ids
    except ImportError:
        return None
    trace = [prompt_token_ids(dict(body)) for body in bodies]
    salts = [body.get("cache_salt") for body in bodies]
    # A cache_salt isolates a request's blocks (vLLM extra keys); the bound must honour it.
    if any(salt is not None for salt in salts):
        hits, total = ideal_hits(trace, salts=salts)
    else:
        hits, total = ideal_hits(trace)
    return int(hits), int(total)
