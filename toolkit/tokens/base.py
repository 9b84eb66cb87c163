"""`BaseTokenClient`: everything the sync and async clients share, with no I/O.

It builds bodies, routes, plans attempts, classifies responses, prices, and
writes the ledger and response cache. `TokenClient` and `AsyncTokenClient` only send.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypedDict
from urllib.parse import urlsplit, urlunsplit

import httpx

from toolkit import __version__
from toolkit.errors import (
    DeadlineExceededError,
    EndpointUnavailableError,
    RequestRejectedError,
    ResponseFormatError,
    TokenServiceError,
)
from toolkit.tokens.affinity import affinity_key, apply_dialect
from toolkit.tokens.budget import Budget, BudgetGuard, estimate_tokens
from toolkit.tokens.canonical import encode_fragments, join_fragments
from toolkit.tokens.endpoint import Endpoint, coerce_endpoints
from toolkit.tokens.faults import (
    RETRYABLE_STATUS,
    RetryPolicy,
    is_retryable_exception,
    parse_retry_after,
    redact,
)
from toolkit.tokens.ledger import Ledger, LedgerRow
from toolkit.tokens.limits import AnswerLimits
from toolkit.tokens.payload import build_core_payload
from toolkit.tokens.plan import AttemptPlan
from toolkit.tokens.pricing import PriceTable
from toolkit.tokens.response_cache import ResponseCache, response_cache_key
from toolkit.tokens.results import ChatResult, parse_completion
from toolkit.tokens.routing import Router
from toolkit.tokens.telemetry import observe_failure, observe_result
from toolkit.tokens.timings import ServerTimings, parse_timings
from toolkit.tokens.usage import Usage
from toolkit.urlsafe import redact_url, secret_values

__all__ = ["DEFAULT_TIMEOUT", "BaseTokenClient", "ClientOptions", "Prepared", "RetryAttempt"]


class RetryAttempt(Exception):
    """Internal: this attempt failed in a way worth another attempt."""


logger = logging.getLogger("toolkit.tokens")

DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
_USER_AGENT = f"industry-agent-toolkit/{__version__}"


class ClientOptions(TypedDict, total=False):
    """Keyword arguments shared by `TokenClient` and `AsyncTokenClient`."""

    tenant: str | None
    project: str | None
    cache_path: str | Path | None
    ledger_path: str | Path | None
    budget: Budget | None
    prices: PriceTable | None
    timeout: float | httpx.Timeout | None
    max_retries: int
    transport: Any
    retry_policy: RetryPolicy | None
    router: Router | None
    clock: Callable[[], float]


@dataclass
class Prepared:
    """A request ready to send: its neutral body, keys and budget reservation."""

    core: dict[str, Any]
    fragments: dict[str, str]
    affinity: str
    cache_key: str
    cacheable: bool
    session: str
    estimate_tokens: int
    started: float
    reservation: tuple[int, float] | None = None
    encoded: bytes = b""
    plan: AttemptPlan | None = None


class BaseTokenClient:
    """Shared, I/O-free half of the token clients. See `TokenClient` for the arguments."""

    def __init__(
        self,
        endpoints: Endpoint | Sequence[Endpoint],
        *,
        tenant: str | None = None,
        project: str | None = None,
        cache_path: str | Path | None = None,
        ledger_path: str | Path | None = None,
        budget: Budget | None = None,
        prices: PriceTable | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        transport: Any = None,
        retry_policy: RetryPolicy | None = None,
        router: Router | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoints = coerce_endpoints(endpoints)
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.tenant = tenant
        self.project = project
        self.max_retries = max_retries
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry_policy = retry_policy or RetryPolicy()
        self.prices = prices or PriceTable()
        self.router = router or Router(self.endpoints, clock=clock)
        self._clock = clock
        self._transport = transport
        # Keys are resolved once, held privately, and only ever put in Authorization.
        self._keys = [endpoint.resolve_api_key() for endpoint in self.endpoints]
        self._secrets = [key for key in self._keys if key] + [
            value for endpoint in self.endpoints for value in secret_values(endpoint.url)
        ]
        self.ledger = Ledger(ledger_path)
        self.response_cache = None if cache_path is None else ResponseCache(cache_path)
        self._budget = None if budget is None else BudgetGuard(budget, self.ledger)

    def __repr__(self) -> str:
        labels = ", ".join(endpoint.label for endpoint in self.endpoints)
        return f"{type(self).__name__}(endpoints=[{labels}], tenant={self.tenant!r})"

    # -- building ---------------------------------------------------------------------------

    def _core(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        *,
        tool_choice: Any,
        temperature: float | None,
        max_tokens: int | None,
        context: Any,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        return build_core_payload(
            messages,
            tools,
            model=self.endpoints[0].model,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            **extra,
        )

    def build_payload(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        tool_choice: Any = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        context: Any = None,
        session_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Build the body the preferred endpoint would receive; pure, no I/O.

        Args:
            messages: Static system prompt first, then the append-only history.
            tools: Tool schemas (sorted by name, canonical JSON in the body).
            tool_choice: ``auto``, ``none``, ``required``/``any``, a tool name or an object.
            temperature: Sampling temperature; 0 makes the call response-cacheable.
            max_tokens: Completion limit.
            context: Per-turn volatile data (passages, time, ids), sent last.
            session_id: Recorded in the ledger; does not change the body.
            **extra: Further OpenAI parameters (``stop``, ``seed``...).

        Returns:
            The JSON body as a dict (encode it with `toolkit.tokens.encode_body`).
        """
        del session_id  # sessions are accounting, never part of the cached prefix
        core = self._core(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            extra=extra,
        )
        key = affinity_key(core, self.tenant)
        index = self.router.order(key)[0]
        body, _ = apply_dialect(core, self.endpoints[index], affinity=key, tenant=self.tenant)
        return body

    def _prepare(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        *,
        tool_choice: Any,
        temperature: float | None,
        max_tokens: int | None,
        context: Any,
        session_id: str | None,
        cache: bool | None,
        extra: dict[str, Any],
    ) -> Prepared:
        core = self._core(
            messages,
            tools,
            tool_choice=tool_choice,
            temperature=temperature,
            max_tokens=max_tokens,
            context=context,
            extra=extra,
        )
        fragments = encode_fragments(core)
        encoded = join_fragments(fragments)
        key = affinity_key(core, self.tenant, tools_json=fragments.get("tools", "[]"))
        primary = self.endpoints[self._rendezvous_first(key)]
        cacheable = self.response_cache is not None and (
            cache if cache is not None else temperature == 0
        )
        return Prepared(
            core=core,
            fragments=fragments,
            affinity=key,
            cache_key=self._cache_key(encoded, primary),
            cacheable=bool(cacheable),
            session=session_id or "",
            estimate_tokens=estimate_tokens(len(encoded), max_tokens),
            started=time.perf_counter(),
            encoded=encoded,
        )

    def _cache_key(self, encoded: bytes, endpoint: Endpoint) -> str:
        identity = f"{redact_url(endpoint.url)} {endpoint.dialect}"
        return response_cache_key(
            encoded, model=endpoint.model, tenant=self.tenant, endpoint=identity
        )

    def _rendezvous_first(self, key: str) -> int:
        from toolkit.tokens.routing import rendezvous_order

        return rendezvous_order(key, self.endpoints)[0]

    def _plan(self, prepared: Prepared) -> AttemptPlan:
        prepared.plan = AttemptPlan(
            router=self.router,
            order=self.router.order(prepared.affinity),
            max_attempts=max(self.max_retries + 1, len(self.endpoints)),
            policy=self.retry_policy,
            clock=self._clock,
        )
        return prepared.plan

    def _request_parts(
        self, prepared: Prepared, index: int, *, stream: bool
    ) -> tuple[str, dict[str, str], bytes]:
        endpoint = self.endpoints[index]
        body, extra_headers = apply_dialect(
            prepared.core, endpoint, affinity=prepared.affinity, tenant=self.tenant, stream=stream
        )
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": _USER_AGENT,
            **extra_headers,
        }
        key = self._keys[index]
        if key:
            headers["Authorization"] = f"Bearer {key}"
        content = join_fragments(encode_fragments(body, prepared.fragments, prepared.core))
        return _chat_url(endpoint.base_url), headers, content

    # -- budget ---------------------------------------------------------------------------

    def _reserve(self, prepared: Prepared) -> None:
        if self._budget is None:
            return
        price = self.prices.get(self.endpoints[0].model)
        cost = 0.0 if price is None else prepared.estimate_tokens * price.input / 1_000_000
        prepared.reservation = self._budget.reserve(
            tenant=self.tenant, project=self.project, tokens=prepared.estimate_tokens, cost=cost
        )

    def _unreserve(self, prepared: Prepared) -> None:
        if self._budget is not None and prepared.reservation is not None:
            self._budget.release(prepared.reservation)
            prepared.reservation = None

    # -- response cache -------------------------------------------------------------------

    def _cached(self, prepared: Prepared) -> ChatResult | None:
        if not prepared.cacheable or self.response_cache is None:
            return None
        stored = self.response_cache.get(prepared.cache_key)
        if stored is None:
            return None
        try:
            original = ChatResult.model_validate(stored)
        except ValueError:
            return None
        result = original.model_copy(
            update={
                "usage": Usage(),
                "cost": 0.0,
                "from_response_cache": True,
                "latency": time.perf_counter() - prepared.started,
            }
        )
        self._record(prepared, result, status="cache_hit")
        return result

    def _store(self, prepared: Prepared, result: ChatResult) -> None:
        """Cache a result under the key of the endpoint that answered; never raises.

        The call is already billed and answered: a cache that cannot take the entry
        costs a later repeat, never this call's result or its ledger row.
        """
        if not prepared.cacheable or self.response_cache is None or not result.usage.known:
            return
        try:
            self.response_cache.put(result.request_hash, result.model, result.model_dump())
        except (sqlite3.Error, ValueError, TypeError) as exc:
            logger.warning("response cache write skipped: %s", type(exc).__name__)

    # -- responses ------------------------------------------------------------------------

    def _limits(self, index: int) -> AnswerLimits:
        endpoint = self.endpoints[index]
        return AnswerLimits(
            endpoint=endpoint.label,
            max_bytes=endpoint.max_response_bytes,
            deadline=endpoint.deadline,
            clock=self._clock,
        )

    def _error_detail(self, response: httpx.Response, body: bytes) -> str:
        try:
            text = body.decode(response.encoding or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            text = body.decode("utf-8", errors="replace")
        text = " ".join(text.split())[:300] or response.reason_phrase or "no body"
        return redact(text, self._secrets)

    def _describe(self, exc: BaseException) -> str:
        return (
            redact(f"{type(exc).__name__}: {exc}", self._secrets)
            if str(exc)
            else type(exc).__name__
        )

    def _check_status(
        self, response: httpx.Response, plan: AttemptPlan, index: int, *, body: bytes
    ) -> None:
        """Return for a success; raise `RetryAttempt` for a retryable failure.

        Raises:
            RetryAttempt: The endpoint failed in a way worth another attempt (recorded in plan).
            RequestRejectedError: A 4xx that is the caller's fault.
        """
        verdict = self._classify(response, index, body)
        if verdict is not None:
            plan.failed(index, verdict[0], retry_after=verdict[1])
            raise RetryAttempt

    def _transport_failed(
        self,
        exc: httpx.TransportError,
        plan: AttemptPlan,
        index: int,
        *,
        streamed: bool | None,
        limits: AnswerLimits | None = None,
    ) -> NoReturn:
        """Turn a transport error into a retry or a typed error.

        Args:
            exc: The transport error.
            plan: The request's attempt plan.
            index: The endpoint tried.
            streamed: None for a plain call; for a stream, whether events were already yielded
                (a stream cut after its first event is never retried).
            limits: The attempt's limits: a wait cut short by its deadline is not retried.
        """
        if limits is not None and limits.expired():
            raise DeadlineExceededError(
                endpoint=self.endpoints[index].label, deadline=float(limits.deadline or 0)
            ) from exc
        if streamed or not is_retryable_exception(exc):
            if streamed is None:
                raise EndpointUnavailableError(
                    endpoints=self.endpoints[index].label, problem=self._describe(exc)
                ) from exc
            raise ResponseFormatError(
                endpoint=self.endpoints[index].label,
                problem=f"stream interrupted ({self._describe(exc)})",
            ) from exc
        plan.failed(index, self._describe(exc))
        raise RetryAttempt from exc

    def _classify(
        self, response: httpx.Response, index: int, body: bytes
    ) -> tuple[str, float | None] | None:
        """Return None for success, or (reason, retry_after) for a retryable failure.

        Raises:
            RequestRejectedError: A 4xx that is the caller's fault.
        """
        status = response.status_code
        if 200 <= status < 300:
            return None
        if status in RETRYABLE_STATUS or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return f"HTTP {status} {self._error_detail(response, body)[:120]}", retry_after
        raise RequestRejectedError(
            endpoint=self.endpoints[index].label,
            status=status,
            detail=self._error_detail(response, body),
        )

    def _parse_json(self, content: bytes, index: int) -> Any:
        try:
            return json.loads(content)
        except RecursionError as exc:
            raise ResponseFormatError(
                endpoint=self.endpoints[index].label,
                problem="the body is JSON nested too deeply to read",
            ) from exc
        except ValueError as exc:
            raise ResponseFormatError(
                endpoint=self.endpoints[index].label,
                problem=f"the body is not JSON ({exc.__class__.__name__}: {exc})",
            ) from exc

    def _result(
        self,
        prepared: Prepared,
        index: int,
        parts: tuple[str, list[Any], str | None, Usage],
        timings: ServerTimings | None = None,
    ) -> ChatResult:
        endpoint = self.endpoints[index]
        content, calls, finish, usage = parts
        result = ChatResult(
            content=content,
            tool_calls=calls,
            finish_reason=finish,
            usage=usage,
            cost=self.prices.cost(endpoint.model, usage) if usage.known else None,
            endpoint=endpoint.label,
            model=endpoint.model,
            latency=time.perf_counter() - prepared.started,
            affinity_key=prepared.affinity,
            request_hash=(
                prepared.cache_key
                if index == self._rendezvous_first(prepared.affinity)
                else self._cache_key(prepared.encoded, endpoint)
            ),
            timings=timings,
        )
        # Cache first: the ledger row is the last step, so a call has exactly one row.
        self._store(prepared, result)
        self._record(prepared, result, status="ok")
        return result

    def _completion(self, prepared: Prepared, index: int, content: bytes) -> ChatResult:
        body = self._parse_json(content, index)
        parts = parse_completion(body, endpoint=self.endpoints[index].label)
        return self._result(prepared, index, parts, parse_timings(body))

    # -- ledger ---------------------------------------------------------------------------

    def _record(self, prepared: Prepared, result: ChatResult, *, status: str) -> None:
        usage = result.usage
        self.ledger.record(
            LedgerRow(
                endpoint=result.endpoint,
                model=result.model,
                status=status,
                prompt_tokens=usage.prompt_tokens,
                cached_tokens=usage.cached_tokens,
                cache_write_tokens=usage.cache_write_tokens,
                completion_tokens=usage.completion_tokens,
                cost=result.cost,
                latency_ms=result.latency * 1000,
                from_cache=result.from_response_cache,
                project=self.project or "",
                tenant=self.tenant or "",
                session=prepared.session,
                request_hash=result.request_hash or prepared.cache_key,
                usage_known=usage.known,
            )
        )
        observe_result(self.endpoints, prepared, result, status)

    def _record_failure(self, prepared: Prepared, exc: BaseException, index: int | None) -> None:
        """Record a call that ended without a result: an error, or ``cancelled`` by the caller."""
        cancelled = not isinstance(exc, TokenServiceError)
        endpoint = self.endpoints[index] if index is not None else self.endpoints[0]
        self.ledger.record(
            LedgerRow(
                endpoint=endpoint.label if index is not None else "(none)",
                model=endpoint.model,
                status="cancelled" if cancelled else type(exc).__name__,
                latency_ms=(time.perf_counter() - prepared.started) * 1000,
                project=self.project or "",
                tenant=self.tenant or "",
                session=prepared.session,
                request_hash=prepared.cache_key,
                # The endpoint answered but its answer was unusable: it may well have
                # billed the call, for tokens nobody can count.
                usage_known=not isinstance(exc, ResponseFormatError),
            )
        )
        observe_failure(self.endpoints, prepared, exc, index)
        if cancelled:
            logger.info("token call cancelled by the caller on %s", endpoint.label)
        else:
            logger.warning("token call failed: %s", exc)

    def _log_retry(self, index: int, reason: str, delay: float) -> None:
        logger.info(
            "retrying after %s on %s (next wait %.3fs)", reason, self.endpoints[index].label, delay
        )


def _chat_url(base_url: str) -> str:
    """``base_url`` + ``/chat/completions``, keeping a query string (``?api-version=...``) last."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/") + "/chat/completions"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
