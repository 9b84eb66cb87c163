"""OTLP/HTTP export to a collector stand-in listening on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from toolkit.observability import configure_from_env, shutdown_tracing
from toolkit.tokens import Endpoint, TokenClient


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.posts: list[tuple[str, str, bytes]] = []


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.posts.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    for proxy in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    shutdown_tracing()


def test_spans_reach_an_otlp_http_collector(receiver: Receiver) -> None:
    host, port = receiver.server_address[:2]
    settings = configure_from_env(
        environ={"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{host!s}:{port}"}
    )
    assert settings is not None and settings.exporters == ["otlp"]
    with TokenClient(Endpoint(url="local", model="m")) as client:
        result = client.chat([{"role": "user", "content": "hello"}], session_id="conv-7")
    assert receiver.posts == []  # batched: nothing is sent on the request path
    shutdown_tracing()  # flushes the batch

    assert [(path, kind) for path, kind, _ in receiver.posts] == [
        ("/v1/traces", "application/x-protobuf")
    ]
    request = ExportTraceServiceRequest()
    request.ParseFromString(receiver.posts[0][2])
    (resource_spans,) = request.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert service["service.name"] == "industry-agent-toolkit"
    (scope_spans,) = resource_spans.scope_spans
    assert scope_spans.scope.name == "toolkit"
    (span,) = scope_spans.spans
    assert span.name == "chat m"
    values = {a.key: a.value for a in span.attributes}
    assert values["gen_ai.operation.name"].string_value == "chat"
    assert values["gen_ai.conversation.id"].string_value == "conv-7"
    assert values["gen_ai.usage.input_tokens"].int_value == result.usage.prompt_tokens
    assert values["gen_ai.usage.output_tokens"].int_value == result.usage.completion_tokens


def test_traces_endpoint_variable_is_used_as_given(receiver: Receiver) -> None:
    host, port = receiver.server_address[:2]
    configure_from_env(
        environ={"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://{host!s}:{port}/custom/traces"}
    )
    with TokenClient(Endpoint(url="local", model="m")) as client:
        client.chat([{"role": "user", "content": "hello"}])
    shutdown_tracing()
    assert [path for path, _, _ in receiver.posts] == ["/custom/traces"]
