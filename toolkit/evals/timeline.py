"""Each case's timeline (token-service calls, tools, retrieval, decisions) from its spans.

While a suite runs, a `toolkit.observability.TimelineCollector` listens to the toolkit's
tracer; each case run is one trace under an ``eval case`` span, so its spans are told
apart from every other case's, however many run at once. When tracing is also exported
(OTLP, ``--trace-otel``), the collector sees the very spans the collector gets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from toolkit.observability import (
    TimelineCollector,
    add_span_processor,
    remove_span_processor,
    timeline_from_spans,
)
from toolkit.observability.tracing import span

__all__ = ["CASE_SPAN", "CaseTimelines"]

CASE_SPAN = "eval case"


class CaseTimelines:
    """Collects the spans of each case run while the suite runs (a context manager)."""

    def __init__(self) -> None:
        self._collector = TimelineCollector()

    def __enter__(self) -> CaseTimelines:
        add_span_processor(self._collector)
        return self

    def __exit__(self, *exc_info: object) -> None:
        remove_span_processor(self._collector)

    @contextlib.contextmanager
    def case(self, case_id: str, repeat: int) -> Iterator[list[dict[str, Any]]]:
        """Run one case inside its own trace; the yielded list is filled when the block ends."""
        rows: list[dict[str, Any]] = []
        trace_id = 0
        try:
            with span(
                f"{CASE_SPAN} {case_id}",
                {"toolkit.eval.case_id": case_id, "toolkit.eval.repeat": repeat},
                root=True,
            ) as current:
                trace_id = current.get_span_context().trace_id
                self._collector.watch(trace_id)
                yield rows
        finally:
            # The case span has ended, so every span of its trace has: take them all.
            spans = self._collector.take(trace_id)
            rows += timeline_from_spans(spans, skip=(f"{CASE_SPAN} {case_id}",))
