"""Prometheus counters of the embedded engine, rendered in the text exposition format."""

from __future__ import annotations

import threading

from toolkit.engine.prefix_cache import CacheStats

__all__ = ["Metrics"]

_PREFIX = "toolkit_engine"


class Metrics:
    """Thread-safe request and token counters (the prefix cache keeps its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.prompt_tokens = 0
        self.cached_tokens = 0
        self.completion_tokens = 0

    def record(self, *, prompt_tokens: int, cached_tokens: int, completion_tokens: int) -> None:
        """Count one served request."""
        with self._lock:
            self.requests += 1
            self.prompt_tokens += prompt_tokens
            self.cached_tokens += cached_tokens
            self.completion_tokens += completion_tokens

    def record_error(self) -> None:
        """Count one rejected request."""
        with self._lock:
            self.errors += 1

    def render(self, cache: CacheStats, model: str) -> str:
        """The Prometheus text page: these counters plus the prefix cache's."""
        with self._lock:
            rows = [
                ("requests_total", "counter", "Chat completions served.", self.requests),
                (
                    "request_errors_total",
                    "counter",
                    "Requests rejected with an error.",
                    self.errors,
                ),
                ("prompt_tokens_total", "counter", "Prompt tokens processed.", self.prompt_tokens),
                (
                    "generation_tokens_total",
                    "counter",
                    "Completion tokens generated.",
                    self.completion_tokens,
                ),
            ]
        rows += [
            ("prefix_cache_queries_total", "counter", "Prompt tokens looked up.", cache.queries),
            ("prefix_cache_hits_total", "counter", "Prompt tokens served from cache.", cache.hits),
            (
                "prefix_cache_evicted_blocks_total",
                "counter",
                "Blocks evicted.",
                cache.evicted_blocks,
            ),
            ("prefix_cache_blocks", "gauge", "Blocks currently cached.", cache.cached_blocks),
            ("prefix_cache_capacity_blocks", "gauge", "Capacity in blocks.", cache.capacity_blocks),
        ]
        label = '{model="' + model.replace("\\", "\\\\").replace('"', '\\"') + '"}'
        lines: list[str] = []
        for name, kind, help_text, value in rows:
            full = f"{_PREFIX}_{name}"
            lines += [
                f"# HELP {full} {help_text}",
                f"# TYPE {full} {kind}",
                f"{full}{label} {value}",
            ]
        # The same counters under vLLM's names, so dashboards built for vLLM read us too.
        vllm_label = '{model_name="' + label[len('{model="') :]
        aliases = [
            ("vllm:prefix_cache_queries_total", cache.queries),
            ("vllm:prefix_cache_hits_total", cache.hits),
            ("vllm:prompt_tokens_total", rows[2][3]),
            ("vllm:generation_tokens_total", rows[3][3]),
        ]
        for name, value in aliases:
            lines += [f"# TYPE {name} counter", f"{name}{vllm_label} {value}"]
        return "\n".join(lines) + "\n"
