"""A span processor whose listeners can be added and removed at run time.

The SDK's provider only ever adds processors; the evaluation runner needs to stop
collecting when a run ends. Imported when tracing turns on, never before.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

__all__ = ["Fanout"]


class Fanout(SpanProcessor):
    """Forwards every span event to ``listeners``, a tuple replaced (never mutated)."""

    def __init__(self) -> None:
        self.listeners: tuple[Any, ...] = ()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Forward a span start."""
        for listener in self.listeners:
            listener.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        """Forward a finished span."""
        for listener in self.listeners:
            listener.on_end(span)

    def shutdown(self) -> None:
        """Listeners are shut down by whoever removes them."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush every listener."""
        return all(listener.force_flush(timeout_millis) for listener in self.listeners)
