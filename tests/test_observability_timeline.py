"""Timeline rows from spans, and the collector that keeps each watched trace apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from toolkit.evals.timeline_html import timeline_label
from toolkit.observability import (
    TimelineCollector,
    active,
    add_span_processor,
    remove_span_processor,
    shutdown_tracing,
    timeline_from_spans,
)
from toolkit.observability.genai import decision_span, tool_span
from toolkit.observability.tracing import span


@pytest.fixture(autouse=True)
def _tracing_off() -> Iterator[None]:
    yield
    shutdown_tracing()


def test_only_watched_traces_are_kept_and_rows_nest() -> None:
    collector = TimelineCollector()
    add_span_processor(collector)
    assert active()
    with span("case a", root=True) as a:
        collector.watch(a.get_span_context().trace_id)
        with tool_span("lookup", "call_1", {"x": 1}):
            decision_span(stage="tool_call", action="block", rule_ids=["R-1"], tool="lookup")
    with span("unwatched", root=True) as other:
        decision_span(stage="input", action="allow", rule_ids=[])
    remove_span_processor(collector)
    assert not active()
    assert collector.take(other.get_span_context().trace_id) == []
    spans = collector.take(a.get_span_context().trace_id)
    rows = timeline_from_spans(spans, skip=("case a",))
    assert [(r["name"], r["kind"], r["depth"]) for r in rows] == [
        ("execute_tool lookup", "tool", 0),
        ("compliance tool_call", "decision", 1),
    ]
    assert rows[0]["start_ms"] == 0 and rows[1]["start_ms"] >= 0
    assert rows[1]["attrs"] == {"tool": "lookup", "action": "block", "rule_ids": ["R-1"]}
    assert timeline_label(rows[1]) == "compliance tool_call (block; R-1)"
    assert collector.take(a.get_span_context().trace_id) == []  # taken once


def test_nothing_is_collected_without_a_watch() -> None:
    collector = TimelineCollector()
    add_span_processor(collector)
    with span("case", root=True) as case:
        decision_span(stage="input", action="allow", rule_ids=[])
    remove_span_processor(collector)
    assert collector.take(case.get_span_context().trace_id) == []
