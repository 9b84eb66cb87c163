"""The toolkit's tracer: a no-op until configured, an OpenTelemetry SDK provider after.

Hooks in the token client, the agent, retrieval and compliance ask `active()` first
and return at once when tracing is off, so a process that never configures tracing
pays one attribute read per hook. The provider is the toolkit's own (not the global
one), so configuring it twice, or in tests, never fights `set_tracer_provider`.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from opentelemetry import trace

from toolkit import __version__
from toolkit.errors import UsageError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = [
    "CAPTURE_CONTENT_ENV",
    "Masker",
    "SpanListener",
    "TracingSettings",
    "active",
    "add_span_processor",
    "configure_from_env",
    "configure_tracing",
    "content_masker",
    "masked_content",
    "record_span",
    "remove_span_processor",
    "shutdown_tracing",
    "span",
    "tracer",
]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""The variable OpenTelemetry's GenAI instrumentations read to opt in to message content."""

_SCOPE = "toolkit"

Masker = Callable[[Any], Any]
"""Masks PII in a value (strings inside mappings and lists too)."""


@dataclass
class TracingSettings:
    """What `configure_tracing` set up.

    Attributes:
        exporters: Names of the exporters spans go to (``otlp``, ``jsonl``, ``memory``...).
        capture_content: Whether message contents are recorded (always masked).
        jsonl_path: The JSON-lines file, when one is written.
    """

    exporters: list[str] = field(default_factory=list)
    capture_content: bool = False
    jsonl_path: Path | None = None


class SpanListener(Protocol):
    """What `add_span_processor` accepts: the SDK's span-processor methods."""

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        """A span started."""

    def on_end(self, span: Any) -> None:
        """A span ended."""

    def shutdown(self) -> None:
        """No more spans will come."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Export what is buffered."""
        ...


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.provider: TracerProvider | None = None
        self.tracer: trace.Tracer = trace.NoOpTracer()
        self.enabled = False
        self.exporting = False
        self.capture = False
        self.masker: Masker | None = None
        self.memo: dict[str, Any] = {}
        self.listeners: tuple[Any, ...] = ()
        self.fanout: Any = None


_STATE = _State()
# The masker in force for this thread or task, with what it has already masked.
_MASKER: ContextVar[tuple[Masker, dict[str, Any]] | None] = ContextVar(
    "toolkit_trace_masker", default=None
)


def active() -> bool:
    """Whether spans are being recorded (False until tracing is configured)."""
    return _STATE.enabled


def tracer() -> trace.Tracer:
    """The toolkit's tracer: a no-op one while tracing is off."""
    return _STATE.tracer


def _provider() -> TracerProvider:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    if _STATE.provider is None:
        # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still apply through Resource.create.
        resource = Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "industry-agent-toolkit")}
        )
        from toolkit.observability.fanout import Fanout

        _STATE.provider = TracerProvider(resource=resource)
        _STATE.fanout = Fanout()
        _STATE.fanout.listeners = _STATE.listeners
        _STATE.provider.add_span_processor(_STATE.fanout)
        _STATE.tracer = _STATE.provider.get_tracer(_SCOPE, __version__)
    return _STATE.provider


def _refresh_locked() -> None:
    if _STATE.fanout is not None:
        _STATE.fanout.listeners = _STATE.listeners
    _STATE.enabled = _STATE.exporting or bool(_STATE.listeners)
    if not _STATE.enabled and _STATE.provider is not None:
        provider, _STATE.provider = _STATE.provider, None
        _STATE.fanout = None
        _STATE.tracer = trace.NoOpTracer()
        provider.shutdown()


def add_span_processor(processor: SpanListener) -> None:
    """Send spans to ``processor`` too, turning tracing on if it was off.

    The evaluation runner uses this to collect each case's spans for its timeline.
    """
    with _STATE.lock:
        _provider()
        _STATE.listeners = (*_STATE.listeners, processor)
        _refresh_locked()


def remove_span_processor(processor: SpanListener) -> None:
    """Stop sending spans to ``processor``; tracing turns off when nothing else listens."""
    with _STATE.lock:
        before = _STATE.listeners
        _STATE.listeners = tuple(p for p in before if p is not processor)
        _refresh_locked()
    if len(before) != len(_STATE.listeners):
        processor.shutdown()


def configure_tracing(
    *,
    exporters: Sequence[SpanExporter] = (),
    otlp_endpoint: str | None = None,
    otlp_traces_url: str | None = None,
    jsonl_path: str | Path | None = None,
    capture_content: bool = False,
    masker: Masker | None = None,
    batch: bool = True,
) -> TracingSettings:
    """Turn tracing on, replacing any earlier configuration.

    Args:
        exporters: Span exporters to use as they are (tests pass ``InMemorySpanExporter``).
        otlp_endpoint: Base URL of an OTLP/HTTP collector (``http://host:4318``); spans go
            to ``<url>/v1/traces`` unless the URL already ends with it.
        otlp_traces_url: The full OTLP/HTTP traces URL, used as given (wins over
            ``otlp_endpoint``).
        jsonl_path: Write every span as one JSON line to this file (written at shutdown,
            through a temporary file and a rename).
        capture_content: Record message contents (``gen_ai.input.messages``...), masked.
        masker: Masks PII in recorded contents; required with ``capture_content``. A
            session puts its own compliance masker in force with `content_masker`.
        batch: Export in the background (True) or as each span ends (False).

    Returns:
        What was set up.

    Raises:
        UsageError: ``capture_content`` without a masker, or an unwritable ``jsonl_path``.
    """
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if capture_content and masker is None:
        raise UsageError(
            "recording message contents needs a PII masker (pass masker=, e.g. a compliance "
            "engine's scrub); contents are never recorded in clear"
        )
    shutdown_tracing()
    settings = TracingSettings(capture_content=capture_content)
    chosen: list[tuple[str, SpanExporter]] = [(type(e).__name__, e) for e in exporters]
    url = otlp_traces_url or (_traces_url(otlp_endpoint) if otlp_endpoint else None)
    if url:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        chosen.append(("otlp", OTLPSpanExporter(endpoint=url)))
    if jsonl_path is not None:
        from toolkit.observability.jsonl import JsonLinesSpanExporter

        settings.jsonl_path = Path(jsonl_path)
        chosen.append(("jsonl", JsonLinesSpanExporter(settings.jsonl_path)))
    with _STATE.lock:
        provider = _provider()
        for name, exporter in chosen:
            processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
            provider.add_span_processor(processor)
            settings.exporters.append(name)
        _STATE.exporting = bool(chosen)
        _STATE.capture = capture_content
        _STATE.masker = masker
        _STATE.memo = {}
        _refresh_locked()
    return settings


def _traces_url(base: str) -> str:
    base = base.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def configure_from_env(
    *,
    jsonl_path: str | Path | None = None,
    capture_content: bool | None = None,
    masker: Masker | None = None,
    environ: Mapping[str, str] | None = None,
) -> TracingSettings | None:
    """Configure tracing the way OpenTelemetry's environment variables ask, if they ask.

    OTLP/HTTP when ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (used as given) or
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` (``/v1/traces`` appended) is set; a JSON-lines file
    when ``jsonl_path`` is given; otherwise nothing, and tracing stays off.
    ``OTEL_SDK_DISABLED=true`` turns everything off. Contents are recorded when
    ``capture_content`` is True or, when it is None, when ``CAPTURE_CONTENT_ENV`` is ``true``.

    Returns:
        What was set up, or None when tracing stays off.
    """
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    traces_url = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not (traces_url or endpoint) and jsonl_path is None:
        return None
    if capture_content is None:
        capture_content = env.get(CAPTURE_CONTENT_ENV, "").strip().lower() == "true"
    return configure_tracing(
        otlp_endpoint=endpoint or None,
        otlp_traces_url=traces_url or None,
        jsonl_path=jsonl_path,
        capture_content=capture_content,
        masker=masker,
    )


def shutdown_tracing() -> None:
    """Flush and close every exporter `configure_tracing` set up; tracing turns off.

    Processors added with `add_span_processor` keep receiving spans until removed.
    """
    with _STATE.lock:
        provider, _STATE.provider = _STATE.provider, None
        _STATE.tracer = trace.NoOpTracer()
        _STATE.exporting = False
        _STATE.capture = False
        _STATE.masker = None
        _STATE.memo = {}
        _STATE.fanout = None
        if _STATE.listeners:
            _provider()
        _refresh_locked()
    if provider is not None:
        provider.shutdown()


@contextlib.contextmanager
def content_masker(masker: Masker) -> Iterator[None]:
    """Mask recorded contents with ``masker`` inside this block (this thread or task)."""
    token = _MASKER.set((masker, {}))
    try:
        yield
    finally:
        _MASKER.reset(token)


def masked_content(value: Any) -> Any | None:
    """``value`` masked for a span, or None when contents are not to be recorded."""
    if not (_STATE.enabled and _STATE.capture):
        return None
    scoped = _MASKER.get()
    masker, memo = scoped if scoped is not None else (_STATE.masker, _STATE.memo)
    if masker is None:
        return None
    return _masked(masker, value, memo)


_MEMO_MAX = 4096


def _masked(masker: Masker, value: Any, memo: dict[str, Any]) -> Any:
    """Mask string by string, remembering each one.

    A conversation resends its whole history and system prompt with every call, and
    masking is the costly part of recording contents.
    """
    if isinstance(value, str):
        found = memo.get(value)
        if found is None:
            found = masker(value)
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[value] = found
        return found
    if isinstance(value, Mapping):
        return {str(k): _masked(masker, v, memo) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(masker, v, memo) for v in value]
    return value


@contextlib.contextmanager
def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: trace.SpanKind = trace.SpanKind.INTERNAL,
    root: bool = False,
) -> Iterator[trace.Span]:
    """A current span around a block; errors set its status and ``error.type``.

    Args:
        name: The span name.
        attributes: Its attributes (None values are left out).
        kind: The span kind.
        root: Start a new trace even inside another span.
    """
    if not _STATE.enabled:
        yield trace.INVALID_SPAN
        return
    from opentelemetry.context import Context

    with _STATE.tracer.start_as_current_span(
        name,
        context=Context() if root else None,
        kind=kind,
        attributes=_clean(attributes),
        record_exception=False,
    ) as current:
        try:
            yield current
        except BaseException as exc:
            current.set_attribute("error.type", type(exc).__name__)
            current.set_status(trace.StatusCode.ERROR, type(exc).__name__)
            raise


def record_span(
    name: str,
    attributes: Mapping[str, Any],
    *,
    started_perf: float,
    kind: trace.SpanKind = trace.SpanKind.CLIENT,
    error: str | None = None,
) -> None:
    """Record a span that already happened: from ``started_perf`` (``perf_counter``) to now.

    Lets a hook sit where a call is accounted for, instead of around the call.
    """
    now_ns = time.time_ns()
    start_ns = now_ns - int((time.perf_counter() - started_perf) * 1e9)
    done = _STATE.tracer.start_span(
        name, kind=kind, attributes=_clean(attributes), start_time=start_ns
    )
    if error is not None:
        done.set_attribute("error.type", error)
        done.set_status(trace.StatusCode.ERROR, error)
    done.end(end_time=now_ns)


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop None values: OpenTelemetry rejects them with a warning."""
    return {k: v for k, v in (attributes or {}).items() if v is not None}
