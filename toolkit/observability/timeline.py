"""A per-case timeline built from the same spans that go to a collector.

`TimelineCollector` is a span processor that keeps finished spans by trace; the
evaluation runner opens one trace per case and turns its spans into timeline rows
with `timeline_from_spans`. Rows carry ids, names, counts and decisions, never
message contents, so a report holds nothing a span's opt-in contents would.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan, Span

__all__ = ["TimelineCollector", "timeline_from_spans"]

# Attributes a timeline row keeps, with their short names.
_KEPT = {
    "gen_ai.request.model": "model",
    "gen_ai.tool.name": "tool",
    "gen_ai.data_source.id": "source",
    "gen_ai.usage.input_tokens": "input_tokens",
    "gen_ai.usage.output_tokens": "output_tokens",
    "gen_ai.usage.cache_read.input_tokens": "cached_tokens",
    "toolkit.endpoint": "endpoint",
    "toolkit.response_cache.hit": "response_cache_hit",
    "toolkit.retries": "retries",
    "toolkit.tool.status": "status",
    "toolkit.retrieval.results": "results",
    "toolkit.compliance.action": "action",
    "toolkit.compliance.rule_ids": "rule_ids",
    "error.type": "error",
}
_KINDS = {
    "chat": "llm",
    "execute_tool": "tool",
    "retrieval": "retrieval",
    "invoke_agent": "agent",
}


class TimelineCollector:
    """A span processor keeping the finished spans of the traces it was asked to watch.

    Spans of other traces (another run in the same process, a service's own requests)
    are ignored, so nothing accumulates that nobody will take.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: dict[int, list[ReadableSpan]] = {}

    def watch(self, trace_id: int) -> None:
        """Keep the spans of ``trace_id`` from now on, until `take`."""
        with self._lock:
            self._spans.setdefault(trace_id, [])

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Nothing to do when a span starts."""

    def on_end(self, span: ReadableSpan) -> None:
        """Keep a finished span of a watched trace."""
        if span.context is None:
            return
        with self._lock:
            kept = self._spans.get(span.context.trace_id)
            if kept is not None:
                kept.append(span)

    def take(self, trace_id: int) -> list[ReadableSpan]:
        """Remove and return the finished spans of one trace, and stop watching it."""
        with self._lock:
            return self._spans.pop(trace_id, [])

    def shutdown(self) -> None:
        """No more spans will come; what was kept can still be taken."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Spans are kept in memory; nothing to flush."""
        return True


def _kind(span: ReadableSpan) -> str:
    attributes = span.attributes or {}
    operation = str(attributes.get("gen_ai.operation.name", ""))
    if operation in _KINDS:
        return _KINDS[operation]
    if "toolkit.compliance.stage" in attributes:
        return "decision"
    return "other"


def timeline_from_spans(
    spans: Sequence[ReadableSpan], *, skip: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Timeline rows, in start order, with times in milliseconds from the first span.

    Args:
        spans: The finished spans of one trace.
        skip: Span names to leave out (e.g. the evaluation's own case span).

    Returns:
        Rows of ``name``, ``kind`` (``agent``, ``llm``, ``tool``, ``retrieval``,
        ``decision``, ``other``), ``start_ms``, ``duration_ms``, ``depth`` (0 for the
        outermost kept span) and ``attrs`` (the kept attributes, short names).
    """
    kept = sorted(
        (s for s in spans if s.name not in skip and s.start_time is not None),
        key=lambda s: (s.start_time or 0, -(s.end_time or 0)),
    )
    if not kept:
        return []
    origin = kept[0].start_time or 0
    parents = {s.context.span_id: s.parent.span_id if s.parent else None for s in kept if s.context}

    def depth(span: ReadableSpan) -> int:
        level, parent = 0, span.parent.span_id if span.parent else None
        while parent in parents:
            level, parent = level + 1, parents[parent]
        return level

    rows = []
    for span in kept:
        attributes = span.attributes or {}
        attrs = {
            short: list(value) if isinstance(value, tuple) else value
            for key, short in _KEPT.items()
            if (value := attributes.get(key)) is not None
        }
        start = span.start_time or origin
        rows.append(
            {
                "name": span.name,
                "kind": _kind(span),
                "start_ms": round((start - origin) / 1e6, 3),
                "duration_ms": round(((span.end_time or start) - start) / 1e6, 3),
                "depth": depth(span),
                "attrs": attrs,
            }
        )
    return rows
