"""The embedded engine's Prometheus metrics, exposed through `prometheus_client`.

Each engine has its own registry (two engines in one process never mix counts).
Names come twice: ``toolkit_engine_*`` and the names operators already chart for
vLLM (``vllm:prompt_tokens_total``, ``vllm:prefix_cache_queries_total``,
``vllm:time_to_first_token_seconds``, ``vllm:num_requests_running``...), so a
dashboard built for a vLLM fleet reads the embedded engine too. Counters that the
prefix cache already keeps are read from it at scrape time, not counted twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from toolkit.engine.prefix_cache import CacheStats

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_PREFIX = "toolkit_engine"
# vLLM's request-latency buckets (seconds), so quantiles compare across engines.
_LATENCY_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 60.0)
_TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0)


class _Counts(Collector):
    """Counters read at scrape time from the engine's counts and its prefix cache."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        m = self._metrics
        with m._lock:
            counts = {
                "requests": m.requests,
                "request_errors": m.errors,
                "prompt_tokens": m.prompt_tokens,
                "generation_tokens": m.completion_tokens,
            }
        cache = m.cache_stats
        rows: list[tuple[str, str, str, float]] = [
            ("requests", "counter", "Chat completions served.", counts["requests"]),
            ("request_errors", "counter", "Requests rejected.", counts["request_errors"]),
            ("prompt_tokens", "counter", "Prompt tokens processed.", counts["prompt_tokens"]),
            ("generation_tokens", "counter", "Completion tokens.", counts["generation_tokens"]),
        ]
        if cache is not None:
            rows += [
                ("prefix_cache_queries", "counter", "Prompt tokens looked up.", cache.queries),
                ("prefix_cache_hits", "counter", "Prompt tokens served from cache.", cache.hits),
                ("prefix_cache_evicted_blocks", "counter", "Blocks evicted.", cache.evicted_blocks),
                ("prefix_cache_blocks", "gauge", "Blocks currently cached.", cache.cached_blocks),
                (
                    "prefix_cache_capacity_blocks",
                    "gauge",
                    "Capacity in blocks.",
                    cache.capacity_blocks,
                ),
            ]
        for name, kind, help_text, value in rows:
            family: CounterMetricFamily | GaugeMetricFamily
            if kind == "counter":
                family = CounterMetricFamily(f"{_PREFIX}_{name}", help_text, labels=["model"])
            else:
                family = GaugeMetricFamily(f"{_PREFIX}_{name}", help_text, labels=["model"])
            family.add_metric([m.model], value)
            yield family
        aliases = {
            "vllm:prompt_tokens": counts["prompt_tokens"],
            "vllm:generation_tokens": counts["generation_tokens"],
            "vllm:request_success": counts["requests"],
        }
        if cache is not None:
            aliases |= {
                "vllm:prefix_cache_queries": cache.queries,
                "vllm:prefix_cache_hits": cache.hits,
            }
        for name, value in aliases.items():
            alias = CounterMetricFamily(name, f"{name} (vLLM name).", labels=["model_name"])
            alias.add_metric([m.model], value)
            yield alias


class Metrics:
    """Thread-safe request and token counts, latency histograms and running requests.

    Args:
        model: The served model name, the ``model`` / ``model_name`` label.
    """

    def __init__(self, model: str = "toolkit-local") -> None:
        self._lock = threading.Lock()
        self.model = model
        self.requests = 0
        self.errors = 0
        self.prompt_tokens = 0
        self.cached_tokens = 0
        self.completion_tokens = 0
        self.cache_stats: CacheStats | None = None
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_Counts(self))
        own, vllm = ["model"], ["model_name"]

        def pair(kind: Any, name: str, vllm_name: str, doc: str, **kw: Any) -> list[Any]:
            return [
                kind(f"{_PREFIX}_{name}", doc, own, registry=self.registry, **kw).labels(model),
                kind(vllm_name, doc, vllm, registry=self.registry, **kw).labels(model),
            ]

        self._latency = pair(
            Histogram,
            "request_duration_seconds",
            "vllm:e2e_request_latency_seconds",
            "Seconds from request to last token (simulated latency included).",
            buckets=_LATENCY_BUCKETS,
        )
        self._ttft = pair(
            Histogram,
            "time_to_first_token_seconds",
            "vllm:time_to_first_token_seconds",
            "Seconds from request to first token (simulated latency included).",
            buckets=_TTFT_BUCKETS,
        )
        self._running = pair(
            Gauge, "requests_running", "vllm:num_requests_running", "Requests in flight."
        )

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

    def observe_latency(self, *, total_s: float, first_token_s: float) -> None:
        """Observe one served request's end-to-end and first-token latency."""
        for histogram in self._latency:
            histogram.observe(total_s)
        for histogram in self._ttft:
            histogram.observe(first_token_s)

    def running(self, delta: int) -> None:
        """Count a request in (+1) or out (-1) of flight."""
        for gauge in self._running:
            gauge.inc(delta)

    def render(self, cache: CacheStats, model: str | None = None) -> str:
        """The Prometheus text page (``prometheus_client``'s exposition format).

        Args:
            cache: The prefix cache's counters at this moment.
            model: Kept for callers of the former signature; the label is the engine's model.
        """
        del model
        with self._lock:
            self.cache_stats = cache
        return generate_latest(self.registry).decode()
