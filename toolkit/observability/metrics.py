"""Prometheus metrics: the token client (per endpoint), agent turns, tools, retrieval, decisions.

They live in `prometheus_client`'s default registry, so a long-running service that
already exposes it (``start_http_server``, a WSGI/ASGI app) publishes them with no
further wiring; `write_metrics_file` writes them for node_exporter's textfile collector
(``toolkit eval --metrics-file``). Counting is always on: a labelled counter increment
costs about a microsecond against a token-service call's milliseconds.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

__all__ = [
    "AGENT_TURNS",
    "AGENT_TURN_SECONDS",
    "CLIENT_CACHED_TOKENS",
    "CLIENT_COMPLETION_TOKENS",
    "CLIENT_COST",
    "CLIENT_ERRORS",
    "CLIENT_FAILOVERS",
    "CLIENT_PROMPT_TOKENS",
    "CLIENT_REQUESTS",
    "CLIENT_REQUEST_SECONDS",
    "CLIENT_RETRIES",
    "DECISIONS",
    "RETRIEVALS",
    "RETRIEVAL_SECONDS",
    "RETRIEVED_PASSAGES",
    "RULE_HITS",
    "TOOL_CALLS",
    "count_call",
    "render_metrics",
    "write_metrics_file",
]

_LABELS = ("endpoint", "model")

CLIENT_REQUESTS = Counter(
    "toolkit_client_requests",
    "Token-service calls by outcome (ok, cache_hit, or the error type).",
    [*_LABELS, "status"],
)
CLIENT_ERRORS = Counter(
    "toolkit_client_errors", "Token-service calls that ended in an error.", [*_LABELS, "error"]
)
CLIENT_RETRIES = Counter(
    "toolkit_client_retries", "Failed attempts that were retried or failed over.", _LABELS
)
CLIENT_FAILOVERS = Counter(
    "toolkit_client_failovers",
    "Calls answered by an endpoint other than the one their affinity key prefers.",
    _LABELS,
)
CLIENT_PROMPT_TOKENS = Counter("toolkit_client_prompt_tokens", "Prompt tokens billed.", _LABELS)
CLIENT_CACHED_TOKENS = Counter(
    "toolkit_client_cached_tokens",
    "Prompt tokens the endpoint served from its prefix cache.",
    _LABELS,
)
CLIENT_COMPLETION_TOKENS = Counter(
    "toolkit_client_completion_tokens", "Completion tokens billed.", _LABELS
)
CLIENT_COST = Counter(
    "toolkit_client_cost", "Cost under the project's price table (its currency).", _LABELS
)
CLIENT_REQUEST_SECONDS = Histogram(
    "toolkit_client_request_duration_seconds",
    "Seconds from first send to the complete answer (retries included).",
    _LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


AGENT_TURNS = Counter(
    "toolkit_agent_turns",
    "Agent turns by outcome (answered, refused, error).",
    ["agent", "outcome"],
)
AGENT_TURN_SECONDS = Histogram(
    "toolkit_agent_turn_duration_seconds",
    "Seconds per agent turn (retrieval, model calls, tools, compliance).",
    ["agent"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
TOOL_CALLS = Counter("toolkit_agent_tool_calls", "Tool calls by outcome.", ["tool", "status"])
RETRIEVALS = Counter("toolkit_retrieval_searches", "Knowledge-store searches.", ["source"])
RETRIEVED_PASSAGES = Counter(
    "toolkit_retrieval_passages", "Passages the searches returned.", ["source"]
)
RETRIEVAL_SECONDS = Histogram(
    "toolkit_retrieval_duration_seconds",
    "Seconds per knowledge-store search (embedding the query included).",
    ["source"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DECISIONS = Counter(
    "toolkit_compliance_decisions", "Compliance decisions by stage and action.", ["stage", "action"]
)
RULE_HITS = Counter(
    "toolkit_compliance_rule_hits", "Decisions in which each rule fired.", ["rule", "stage"]
)


def count_call(
    *,
    endpoint: str,
    model: str,
    status: str,
    seconds: float,
    prompt_tokens: int = 0,
    cached_tokens: int = 0,
    completion_tokens: int = 0,
    cost: float | None = None,
    retries: int = 0,
    failover: bool = False,
    error: str | None = None,
) -> None:
    """Count one token-service call (a response-cache hit too, with zero tokens)."""
    labels = (endpoint, model)
    CLIENT_REQUESTS.labels(*labels, status).inc()
    CLIENT_REQUEST_SECONDS.labels(*labels).observe(seconds)
    if error is not None:
        CLIENT_ERRORS.labels(*labels, error).inc()
    if retries:
        CLIENT_RETRIES.labels(*labels).inc(retries)
    if failover:
        CLIENT_FAILOVERS.labels(*labels).inc()
    if prompt_tokens:
        CLIENT_PROMPT_TOKENS.labels(*labels).inc(prompt_tokens)
    if cached_tokens:
        CLIENT_CACHED_TOKENS.labels(*labels).inc(cached_tokens)
    if completion_tokens:
        CLIENT_COMPLETION_TOKENS.labels(*labels).inc(completion_tokens)
    if cost:
        CLIENT_COST.labels(*labels).inc(cost)


def render_metrics(registry: CollectorRegistry = REGISTRY) -> str:
    """The registry in Prometheus' text exposition format."""
    return generate_latest(registry).decode()


def write_metrics_file(path: str | Path, registry: CollectorRegistry = REGISTRY) -> Path:
    """Write the registry for node_exporter's textfile collector, whole or not at all."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_metrics(registry))
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
