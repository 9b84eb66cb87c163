"""Fleet-level prefix-cache reuse: the fleet's traces replayed over 1, 4 and 16 endpoints.

Projects generated from one template share their tool schemas (the head of every prompt),
so the same blocks recur across the fleet. This replays the request bodies the projects'
last evaluations recorded (``trace.jsonl``), interleaved as if the projects ran at once,
through one vLLM-style block cache per endpoint (`toolkit.engine.PrefixCache`), with the
endpoint chosen as the token client chooses it (`toolkit.tokens.Router`: rendezvous hashing
on the request's affinity key) or by round robin. Each result is compared with the ideal:
one infinite cache shared by all (`toolkit.engine.ideal_hits`). Each body is tokenized once
and replayed for every configuration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.config import ProjectConfig
from toolkit.engine import PrefixCache, ideal_hits, prompt_token_ids
from toolkit.engine.analyze import TraceReport, read_trace
from toolkit.errors import EngineRequestError, ToolkitError, TraceError
from toolkit.tokens import Endpoint, Router, affinity_key

__all__ = [
    "ROUTINGS",
    "ReuseResult",
    "TracedRequest",
    "fleet_requests",
    "simulate_reuse",
]

ROUTINGS = ("affinity", "round-robin")


@dataclass(frozen=True)
class TracedRequest:
    """One recorded request, tokenized, with what routing needs."""

    token_ids: list[int]
    salt: str
    affinity: str
    origin: str


@dataclass(frozen=True)
class ReuseResult(TraceReport):
    """Achieved against ideal prefix-cache hits for one endpoint count and routing.

    `toolkit cache analyze`'s report, with the fleet's word for a worker: an endpoint.
    """

    @property
    def endpoints(self) -> int:
        """How many endpoints the fleet's requests were routed over."""
        return self.workers

    @property
    def per_endpoint_requests(self) -> tuple[int, ...]:
        """Requests each endpoint received, in endpoint order."""
        return self.per_worker_requests

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        report = super().as_dict()
        head = {"endpoints": report.pop("workers"), "routing": report.pop("routing")}
        per_endpoint = report.pop("per_worker_requests")
        return {**head, **report, "per_endpoint_requests": per_endpoint}


def _trace_file(project: Path) -> Path:
    try:
        config = ProjectConfig.load(project, environ={})
        return config.path(project, config.evaluation.report_dir) / "trace.jsonl"
    except ToolkitError:
        return project / "reports" / "trace.jsonl"


def _traced(body: dict[str, Any], origin: str) -> TracedRequest:
    key = body.get("prompt_cache_key")
    if not isinstance(key, str) or not key:
        # Dialects that do not send the key: the client's own derivation from the body.
        key = affinity_key(body)
    try:
        ids = prompt_token_ids(body)
    except EngineRequestError as exc:
        file, _, line = origin.rpartition(":")
        raise TraceError(file=file, line=int(line), problem=str(exc)) from exc
    salt = f"{body.get('model', '')}\x00{body.get('cache_salt') or ''}"
    return TracedRequest(token_ids=ids, salt=salt, affinity=key, origin=origin)


def fleet_requests(projects: Iterable[Path]) -> list[TracedRequest]:
    """The fleet's recorded requests, interleaved one per project in turn.

    Interleaving stands for the projects running at the same time; within a project the
    recorded order is kept. Projects without a trace are left out.

    Raises:
        TraceError: a trace file holds a line that is not a request body.
    """
    traces: list[list[tuple[dict[str, Any], str]]] = []
    for project in projects:
        path = _trace_file(project)
        if path.is_file():
            bodies = read_trace(path)
            traces.append([(body, f"{path}:{n}") for n, body in enumerate(bodies, start=1)])
    longest = max((len(t) for t in traces), default=0)
    return [
        _traced(*trace[index]) for index in range(longest) for trace in traces if index < len(trace)
    ]


def simulate_reuse(
    requests: Sequence[TracedRequest],
    *,
    endpoints: Sequence[int] = (1, 4, 16),
    routings: Sequence[str] = ROUTINGS,
    block_size: int = 16,
    capacity_tokens: int = 1_048_576,
) -> list[ReuseResult]:
    """Replay ``requests`` for each endpoint count and routing.

    Args:
        requests: Tokenized requests in arrival order (`fleet_requests`).
        endpoints: Endpoint counts to try.
        routings: ``affinity`` (the token client's rendezvous routing) and/or ``round-robin``.
        block_size: Cache block size in tokens.
        capacity_tokens: Each endpoint's cache capacity (LRU beyond it).

    Returns:
        One result per (endpoint count, routing), in that order.

    Raises:
        TraceError: an unknown routing or an endpoint count below 1.
    """
    for routing in routings:
        if routing not in ROUTINGS:
            raise TraceError(file="fleet", problem=f"unknown routing {routing!r}; use {ROUTINGS}")
    if any(count < 1 for count in endpoints):
        raise TraceError(file="fleet", problem="endpoint counts must be at least 1")
    ideal, total = ideal_hits(
        (r.token_ids for r in requests), block_size, salts=[r.salt for r in requests]
    )
    results = []
    for count in endpoints:
        # Sequential replay: no request is in flight when the next is routed, so the
        # router's load guard never overrides affinity here.
        router = Router(
            [Endpoint(url=f"http://endpoint-{i}.fleet.invalid/v1", model="m") for i in range(count)]
        )
        for routing in routings:
            caches = [PrefixCache(block_size, capacity_tokens) for _ in range(count)]
            counts = [0] * count
            hits = 0
            for number, request in enumerate(requests):
                if routing == "round-robin":
                    target = number % count
                else:
                    target = router.order(request.affinity)[0]
                counts[target] += 1
                hits += caches[target].match_and_insert(request.token_ids, salt=request.salt)
            results.append(
                ReuseResult(
                    requests=len(requests),
                    prompt_tokens=total,
                    hit_tokens=hits,
                    ideal_hit_tokens=ideal,
                    workers=count,
                    routing=routing,
                    per_worker_requests=tuple(counts),
                )
            )
    return results
