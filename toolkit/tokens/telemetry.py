"""What the token client reports to `toolkit.observability` for each call it accounts for.

Called where a call is written to the ledger (success, response-cache hit, failure),
so the span and the counters describe exactly what the ledger holds. A failure to
report is logged and never fails the call: the answer matters more than its telemetry.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec

from toolkit.errors import EndpointUnavailableError, TokenServiceError
from toolkit.observability import count_call, record_chat

if TYPE_CHECKING:
    from toolkit.tokens.base import Prepared
    from toolkit.tokens.endpoint import Endpoint
    from toolkit.tokens.results import ChatResult

__all__ = ["observe_failure", "observe_result", "provider_name"]

logger = logging.getLogger("toolkit.tokens")
_P = ParamSpec("_P")


def provider_name(endpoint: Endpoint) -> str:
    """``gen_ai.provider.name``: the dialect, or ``toolkit.engine`` for the embedded engine."""
    return "toolkit.engine" if endpoint.is_local else endpoint.dialect


def _server(endpoint: Endpoint) -> tuple[str | None, int | None]:
    if endpoint.is_local:
        return None, None
    import httpx

    url = httpx.URL(endpoint.url)
    return url.host or None, url.port or (443 if url.scheme == "https" else 80)


def _attempts(prepared: Prepared, index: int | None) -> tuple[int, bool]:
    plan = prepared.plan
    if plan is None:
        return 0, False
    retries = len(plan.failures)
    return retries, index is not None and bool(plan.order) and index != plan.order[0]


def _guarded(report: Callable[_P, None]) -> Callable[_P, None]:
    @functools.wraps(report)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> None:
        try:
            report(*args, **kwargs)
        except Exception:
            logger.warning("could not report a token call to telemetry", exc_info=True)

    return guarded


@_guarded
def observe_result(
    endpoints: tuple[Endpoint, ...], prepared: Prepared, result: ChatResult, status: str
) -> None:
    """Count and trace a call that produced ``result`` (``status`` ok or cache_hit)."""
    index = next((i for i, e in enumerate(endpoints) if e.label == result.endpoint), 0)
    endpoint = endpoints[index]
    retries, failover = _attempts(prepared, index if status == "ok" else None)
    usage = result.usage
    count_call(
        endpoint=result.endpoint,
        model=result.model,
        status=status,
        seconds=result.latency,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        completion_tokens=usage.completion_tokens,
        cost=result.cost,
        retries=retries,
        failover=failover,
    )
    record_chat(
        provider=provider_name(endpoint),
        request_model=endpoints[0].model,
        response_model=result.model,
        server=_server(endpoint),
        endpoint=result.endpoint,
        started_perf=prepared.started,
        conversation=prepared.session,
        affinity_key=prepared.affinity,
        request=prepared.core,
        usage={
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        finish_reason=result.finish_reason,
        output={
            "content": result.content,
            "tool_calls": [
                {"id": c.id, "function": {"name": c.name, "arguments": c.arguments}}
                for c in result.tool_calls
            ],
        },
        cost=result.cost,
        response_cache_hit=status == "cache_hit",
        retries=retries,
        failover=failover,
    )


@_guarded
def observe_failure(
    endpoints: tuple[Endpoint, ...],
    prepared: Prepared,
    exc: BaseException,
    index: int | None,
) -> None:
    """Count and trace a call that ended without a result (an error, or cancelled)."""
    endpoint = endpoints[index] if index is not None else endpoints[0]
    label = endpoint.label if index is not None else "(none)"
    error = type(exc).__name__ if isinstance(exc, TokenServiceError) else "cancelled"
    retries, failover = _attempts(prepared, index)
    if isinstance(exc, EndpointUnavailableError) and retries:
        retries -= 1  # the last failed attempt was not retried
    count_call(
        endpoint=label,
        model=endpoint.model,
        status=error,
        seconds=time.perf_counter() - prepared.started,
        retries=retries,
        failover=failover,
        error=error,
    )
    record_chat(
        provider=provider_name(endpoint),
        request_model=endpoints[0].model,
        response_model=None,
        server=_server(endpoint),
        endpoint=label,
        started_perf=prepared.started,
        conversation=prepared.session,
        affinity_key=prepared.affinity,
        request=prepared.core,
        retries=retries,
        failover=failover,
        error=error,
    )
