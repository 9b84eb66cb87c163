"""Replay a recorded trace of request bodies through per-worker prefix caches.

Each JSONL line is one chat-completions request body (or an object holding it under
``body``/``request``). Requests are rendered and tokenized as the engine does, routed to
one of N workers (round-robin, or affinity: rendezvous hashing on ``prompt_cache_key``, else
on the rendered prefix up to the first user turn), and replayed through each worker's
cache. The report compares achieved hits with the ideal (infinite, shared) cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.engine.chatml import render_prompt
from toolkit.engine.ideal import ideal_hits
from toolkit.engine.prefix_cache import PrefixCache
from toolkit.engine.request import parse_request
from toolkit.engine.tokenizer import load_tokenizer
from toolkit.errors import EngineRequestError, TraceError
from toolkit.jsonfile import JSONLimitError, loads_bounded

__all__ = ["ROUTINGS", "TraceReport", "analyze_trace", "read_trace"]

ROUTINGS = ("affinity", "round-robin")


@dataclass(frozen=True)
class TraceReport:
    """Achieved and ideal prefix-cache hits of a replayed trace."""

    requests: int
    prompt_tokens: int
    hit_tokens: int
    ideal_hit_tokens: int
    workers: int
    routing: str
    per_worker_requests: tuple[int, ...]

    @property
    def hit_rate(self) -> float:
        """Achieved hit tokens over prompt tokens."""
        return self.hit_tokens / self.prompt_tokens if self.prompt_tokens else 0.0

    @property
    def ideal_rate(self) -> float:
        """Ideal hit tokens over prompt tokens."""
        return self.ideal_hit_tokens / self.prompt_tokens if self.prompt_tokens else 0.0

    @property
    def ratio(self) -> float:
        """Achieved over ideal (1.0 when the ideal is zero)."""
        return self.hit_tokens / self.ideal_hit_tokens if self.ideal_hit_tokens else 1.0

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-able values."""
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "hit_tokens": self.hit_tokens,
            "ideal_hit_tokens": self.ideal_hit_tokens,
            "hit_rate": round(self.hit_rate, 4),
            "ideal_rate": round(self.ideal_rate, 4),
            "ratio": round(self.ratio, 4),
            "workers": self.workers,
            "routing": self.routing,
            "per_worker_requests": list(self.per_worker_requests),
        }


def read_trace(path: Path) -> list[dict[str, Any]]:
    """Request bodies from a JSONL trace.

    Raises:
        TraceError: the file is missing or a line is not a request body.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TraceError(file=str(path), problem=f"cannot read the file ({exc.strerror})") from exc
    bodies: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = loads_bounded(line)
        except json.JSONDecodeError as exc:
            raise TraceError(
                file=str(path), line=number, problem=f"invalid JSON ({exc.msg})"
            ) from exc
        except JSONLimitError as exc:
            raise TraceError(file=str(path), line=number, problem=str(exc)) from exc
        if isinstance(value, dict) and "messages" not in value:
            value = value.get("body", value.get("request"))
        if not isinstance(value, dict) or "messages" not in value:
            raise TraceError(file=str(path), line=number, problem="no request body with messages")
        bodies.append(value)
    return bodies


def _score(key: str, worker: int) -> bytes:
    return hashlib.sha256(f"{key}\x00{worker}".encode()).digest()


def analyze_trace(
    bodies: Iterable[dict[str, Any]],
    *,
    workers: int = 1,
    routing: str = "affinity",
    block_size: int = 16,
    capacity_tokens: int = 1_048_576,
    tokenizer: str = "qwen",
    source: str = "trace",
) -> TraceReport:
    """Replay request bodies through `workers` caches and compare with the ideal.

    Args:
        bodies: chat-completions request bodies in arrival order.
        workers: number of serving workers, each with its own cache of `capacity_tokens`.
        routing: `affinity` or `round-robin`.
        block_size: cache block size.
        capacity_tokens: per-worker cache capacity.
        tokenizer: tokenizer name.
        source: name used in error messages.

    Raises:
        TraceError: a body is not a valid request.
    """
    if routing not in ROUTINGS:
        raise TraceError(file=source, problem=f"unknown routing {routing!r}; use {ROUTINGS}")
    if workers < 1:
        raise TraceError(file=source, problem="workers must be at least 1")
    encoder = load_tokenizer(tokenizer)
    caches = [PrefixCache(block_size, capacity_tokens) for _ in range(workers)]
    counts = [0] * workers
    sequences: list[list[int]] = []
    salts: list[str | None] = []
    hits = 0
    for number, body in enumerate(bodies, start=1):
        try:
            request = parse_request(body)
        except EngineRequestError as exc:
            raise TraceError(file=source, line=number, problem=str(exc)) from exc
        prompt = render_prompt(request.messages, request.tools)
        ids = encoder.encode(prompt)
        salt = f"{request.model}\x00{request.cache_salt or ''}"
        if routing == "round-robin":
            worker = (number - 1) % workers
        else:
            key = body.get("prompt_cache_key")
            if not isinstance(key, str):
                first_user = prompt.find("<|im_start|>user")
                end = prompt.find("<|im_end|>", first_user) if first_user >= 0 else -1
                key = prompt[: end if end >= 0 else len(prompt)] + salt
            worker = max(range(workers), key=lambda w: _score(str(key), w))
        counts[worker] += 1
        hits += caches[worker].match_and_insert(ids, salt=salt)
        sequences.append(ids)
        salts.append(salt)
    ideal, total = ideal_hits(sequences, block_size, salts=salts)
    return TraceReport(
        requests=len(sequences),
        prompt_tokens=total,
        hit_tokens=hits,
        ideal_hit_tokens=ideal,
        workers=workers,
        routing=routing,
        per_worker_requests=tuple(counts),
    )
