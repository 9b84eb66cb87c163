"""Observability: OpenTelemetry GenAI traces and Prometheus metrics, off by default.

Tracing is a no-op until `configure_tracing` (or `configure_from_env`, which reads
``OTEL_EXPORTER_OTLP_ENDPOINT``) turns it on; the token client, the agent, retrieval
and compliance record spans through `toolkit.observability.genai`. The token client
counts its calls in `prometheus_client`'s default registry (`toolkit.observability.metrics`).
This package sits below every layer that reports to it and imports none of them.
"""

from __future__ import annotations

from toolkit.observability.genai import (
    agent_span,
    count_tool_call,
    decision_span,
    end_agent_turn,
    end_retrieval,
    end_tool_call,
    record_chat,
    retrieval_span,
    tool_span,
)
from toolkit.observability.jsonl import JsonLinesSpanExporter
from toolkit.observability.metrics import count_call, render_metrics, write_metrics_file
from toolkit.observability.timeline import TimelineCollector, timeline_from_spans
from toolkit.observability.tracing import (
    CAPTURE_CONTENT_ENV,
    TracingSettings,
    active,
    add_span_processor,
    configure_from_env,
    configure_tracing,
    content_masker,
    remove_span_processor,
    shutdown_tracing,
)

__all__ = [
    "CAPTURE_CONTENT_ENV",
    "JsonLinesSpanExporter",
    "TimelineCollector",
    "TracingSettings",
    "active",
    "add_span_processor",
    "agent_span",
    "configure_from_env",
    "configure_tracing",
    "content_masker",
    "count_call",
    "count_tool_call",
    "decision_span",
    "end_agent_turn",
    "end_retrieval",
    "end_tool_call",
    "record_chat",
    "remove_span_processor",
    "render_metrics",
    "retrieval_span",
    "shutdown_tracing",
    "timeline_from_spans",
    "tool_span",
    "write_metrics_file",
]
