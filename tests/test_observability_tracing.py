"""GenAI spans from the token client, checked with the SDK's in-memory exporter."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from toolkit.errors import EndpointUnavailableError, UsageError
from toolkit.observability import (
    active,
    configure_from_env,
    configure_tracing,
    shutdown_tracing,
)
from toolkit.observability.genai import CONTENT_ATTRIBUTES
from toolkit.observability.tracing import span, tracer
from toolkit.tokens import AsyncTokenClient, ChatResult, Endpoint, RetryPolicy, TokenClient

QUESTION = [
    {"role": "system", "content": "You answer briefly. " * 10},
    {"role": "user", "content": "Card 4111111111111111 was declined; why?"},
]


@pytest.fixture(autouse=True)
def _tracing_off() -> Iterator[None]:
    yield
    shutdown_tracing()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    configure_tracing(exporters=[exporter], batch=False)
    return exporter


def chat_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name.startswith("chat ")]


def attribute_text(found: list[ReadableSpan]) -> str:
    return json.dumps([dict(s.attributes or {}) for s in found], default=str)


def test_tracing_is_off_by_default() -> None:
    assert not active()
    assert isinstance(tracer(), trace.NoOpTracer)
    with span("anything") as current:
        assert current is trace.INVALID_SPAN and not current.is_recording()


def test_chat_span_carries_genai_attributes(spans: InMemorySpanExporter) -> None:
    with TokenClient(Endpoint(url="local", model="m")) as client:
        client.chat(QUESTION, session_id="conv-1")
        result = client.chat(QUESTION, session_id="conv-1")
    first, second = chat_spans(spans)
    assert second.name == "chat m" and second.kind is trace.SpanKind.CLIENT
    attributes = dict(second.attributes or {})
    usage = result.usage
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "toolkit.engine"
    assert attributes["gen_ai.request.model"] == "m"
    assert attributes["gen_ai.response.model"] == "m"
    assert attributes["gen_ai.conversation.id"] == "conv-1"
    assert attributes["gen_ai.usage.input_tokens"] == usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
    assert attributes["gen_ai.usage.cache_read.input_tokens"] == usage.cached_tokens > 0
    assert attributes["gen_ai.usage.cache_creation.input_tokens"] == 0
    assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert attributes["toolkit.endpoint"] == "m@local"
    assert attributes["toolkit.cache.hit_ratio"] == usage.cached_tokens / usage.prompt_tokens
    expected_hash = hashlib.sha256(result.affinity_key.encode()).hexdigest()[:16]
    assert attributes["toolkit.affinity.key_hash"] == expected_hash
    assert first.parent is None and second.parent is None
    assert second.start_time is not None and second.end_time is not None
    assert second.end_time > second.start_time
    # No message content unless opted in, not even the question's text.
    assert not set(attributes) & CONTENT_ATTRIBUTES
    assert "declined" not in attribute_text(chat_spans(spans))


def test_chat_spans_nest_under_the_current_span(spans: InMemorySpanExporter) -> None:
    with (
        TokenClient(Endpoint(url="local", model="m")) as client,
        span("outer") as outer,
    ):
        client.chat(QUESTION)
    (chat,) = chat_spans(spans)
    assert chat.parent is not None
    assert chat.parent.span_id == outer.get_span_context().span_id


def failing_then_ok(failures: int) -> httpx.MockTransport:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= failures:
            return httpx.Response(503, text="busy")
        return httpx.Response(
            200,
            json={
                "model": "m",
                "choices": [{"message": {"role": "assistant", "content": "ok"}}],
                "usage": {"prompt_tokens": 7, "completion_tokens": 1},
            },
        )

    return httpx.MockTransport(handler)


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


ENDPOINTS = [
    Endpoint(url="http://a.test/v1", model="m"),
    Endpoint(url="http://b.test/v1", model="m"),
]
NO_WAIT = RetryPolicy(backoff_base=0.0, jitter=False)


def test_a_failover_is_recorded_on_the_span_and_counted(spans: InMemorySpanExporter) -> None:
    client = TokenClient(ENDPOINTS, transport=failing_then_ok(1), retry_policy=NO_WAIT)
    before = {
        label: (
            counter("toolkit_client_retries_total", endpoint=label, model="m"),
            counter("toolkit_client_failovers_total", endpoint=label, model="m"),
        )
        for label in ("m@a.test/v1", "m@b.test/v1")
    }
    result = client.chat(QUESTION)
    client.close()
    (chat,) = chat_spans(spans)
    attributes = dict(chat.attributes or {})
    assert attributes["toolkit.retries"] == 1 and attributes["toolkit.failover"] is True
    assert attributes["toolkit.endpoint"] == result.endpoint
    assert attributes["server.address"] == result.endpoint.split("@")[1].split("/")[0]
    assert attributes["server.port"] == 80
    retries, failovers = before[result.endpoint]
    assert counter("toolkit_client_retries_total", endpoint=result.endpoint, model="m") == (
        retries + 1
    )
    assert counter("toolkit_client_failovers_total", endpoint=result.endpoint, model="m") == (
        failovers + 1
    )


def test_a_failed_call_is_an_error_span_and_counted(spans: InMemorySpanExporter) -> None:
    client = TokenClient(
        ENDPOINTS, transport=failing_then_ok(100), retry_policy=NO_WAIT, max_retries=1
    )
    errors_before = sum(
        counter(
            "toolkit_client_errors_total",
            endpoint=label,
            model="m",
            error="EndpointUnavailableError",
        )
        for label in ("m@a.test/v1", "m@b.test/v1")
    )
    with pytest.raises(EndpointUnavailableError):
        client.chat(QUESTION)
    client.close()
    (chat,) = chat_spans(spans)
    attributes = dict(chat.attributes or {})
    assert chat.status.status_code is trace.StatusCode.ERROR
    assert attributes["error.type"] == "EndpointUnavailableError"
    assert attributes["toolkit.retries"] == 1
    assert "gen_ai.usage.input_tokens" not in attributes
    errors_after = sum(
        counter(
            "toolkit_client_errors_total",
            endpoint=label,
            model="m",
            error="EndpointUnavailableError",
        )
        for label in ("m@a.test/v1", "m@b.test/v1")
    )
    assert errors_after == errors_before + 1


def test_opted_in_contents_are_masked() -> None:
    def mask(value: object) -> object:
        if isinstance(value, str):
            return value.replace("4111111111111111", "411111******1111")
        if isinstance(value, dict):
            return {k: mask(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mask(v) for v in value]
        return value

    spans = InMemorySpanExporter()
    configure_tracing(exporters=[spans], batch=False, capture_content=True, masker=mask)
    with TokenClient(Endpoint(url="local", model="m")) as client:
        client.chat(QUESTION)
    (chat,) = chat_spans(spans)
    attributes = dict(chat.attributes or {})
    messages = json.loads(str(attributes["gen_ai.input.messages"]))
    assert messages == [
        {
            "role": "user",
            "parts": [{"type": "text", "content": "Card 411111******1111 was declined; why?"}],
        }
    ]
    system = json.loads(str(attributes["gen_ai.system_instructions"]))
    assert system[0]["content"].startswith("You answer briefly.")
    output = json.loads(str(attributes["gen_ai.output.messages"]))
    assert output[0]["role"] == "assistant" and output[0]["finish_reason"] == "stop"
    assert "4111111111111111" not in attribute_text([chat])


def test_contents_need_a_masker() -> None:
    with pytest.raises(UsageError, match="masker"):
        configure_tracing(exporters=[InMemorySpanExporter()], capture_content=True)
    assert not active()


def test_environment_decides_the_exporters(tmp_path: Path) -> None:
    assert configure_from_env(environ={}) is None and not active()
    disabled = {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    assert configure_from_env(environ=disabled) is None and not active()
    settings = configure_from_env(
        environ={
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
        },
        jsonl_path=tmp_path / "spans.jsonl",
        masker=str,
    )
    assert settings is not None and settings.exporters == ["otlp", "jsonl"]
    assert settings.capture_content and active()


def test_jsonl_file_holds_every_span(tmp_path: Path) -> None:
    path = tmp_path / "out" / "spans.jsonl"
    configure_tracing(jsonl_path=path)
    with TokenClient(Endpoint(url="local", model="m")) as client:
        client.chat(QUESTION, session_id="s")
        client.chat(QUESTION, session_id="s")
    assert not path.exists()  # written whole, when tracing shuts down
    shutdown_tracing()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row["name"] for row in rows] == ["chat m", "chat m"]
    assert rows[1]["attributes"]["gen_ai.usage.cache_read.input_tokens"] > 0
    assert not active()


def test_async_client_spans_nest_under_the_current_span(spans: InMemorySpanExporter) -> None:
    async def run() -> tuple[ChatResult, int]:
        async with AsyncTokenClient(Endpoint(url="local", model="m")) as client:
            with span("outer") as outer:
                result = await client.chat(QUESTION, session_id="async-1")
        return result, outer.get_span_context().span_id

    result, outer_id = asyncio.run(run())
    (chat,) = chat_spans(spans)
    assert chat.parent is not None and chat.parent.span_id == outer_id
    attributes = dict(chat.attributes or {})
    assert attributes["gen_ai.conversation.id"] == "async-1"
    assert attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens


def test_a_telemetry_failure_never_fails_the_call(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import toolkit.tokens.telemetry as telemetry

    def broken(**_: object) -> None:
        raise RuntimeError("exporter bug")

    monkeypatch.setattr(telemetry, "record_chat", broken)
    with TokenClient(Endpoint(url="local", model="m")) as client:
        result = client.chat(QUESTION)
        (totals,) = client.ledger.totals(by="endpoint").values()
    assert result.usage.prompt_tokens > 0 and totals.calls == 1
    assert "could not report a token call" in caplog.text
