# mypy: disable-error-code="call-overload,arg-type,unused-ignore,union-attr,misc,list-item"
"""LocalTransport through plain httpx and the openai SDK; OpenAI-style errors for bad requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from toolkit.engine import LocalEngine, LocalTransport

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "loan_amortization",
            "description": "Monthly payment of a fixed-rate loan.\n"
            "Examples: What is the monthly payment on a 200,000 loan at 6% over 30 years?",
            "parameters": {
                "type": "object",
                "properties": {
                    "principal": {"type": "number", "x-unit": "currency"},
                    "annual_rate": {"type": "number", "x-unit": "fraction", "maximum": 1},
                    "n_months": {"type": "integer", "x-unit": "months"},
                },
                "required": ["principal", "annual_rate", "n_months"],
            },
        },
    }
]
QUESTION = [{"role": "user", "content": "Monthly payment on 200,000 at 6% over 30 years?"}]


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine(capacity_tokens=100_000)


@pytest.fixture
def client(engine: LocalEngine) -> httpx.Client:
    return httpx.Client(transport=LocalTransport(engine, max_body_bytes=200_000))


def post(client: httpx.Client, body: object) -> httpx.Response:
    return client.post("http://any.host/v1/chat/completions", json=body)


def test_chat_with_tools_and_cached_tokens(client: httpx.Client) -> None:
    body = {"model": "m", "messages": QUESTION, "tools": TOOLS, "cache_salt": "t-cached"}
    first = post(client, body).json()
    second = post(client, body).json()
    call = first["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "loan_amortization"
    assert json.loads(call["function"]["arguments"]) == {
        "principal": 200000.0,
        "annual_rate": 0.06,
        "n_months": 360,
    }
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    prompt = first["usage"]["prompt_tokens"]
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == (prompt - 1) // 16 * 16
    assert {k: v for k, v in first.items() if k != "usage"} == {
        k: v for k, v in second.items() if k != "usage"
    }


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/v1/models", "GET", 200),
        ("/health", "GET", 200),
        ("/metrics", "GET", 200),
        ("/v1/nothing", "GET", 404),
        ("/v1/models", "POST", 405),
    ],
)
def test_routes(client: httpx.Client, path: str, method: str, status: int) -> None:
    response = client.request(method, f"http://local.engine{path}")
    assert response.status_code == status
    if status >= 400:
        assert "message" in response.json()["error"]


def test_metrics_count_prefix_cache_tokens(client: httpx.Client, engine: LocalEngine) -> None:
    post(client, {"model": "m", "messages": QUESTION, "cache_salt": "metrics"})
    text = client.get("http://local.engine/metrics").text
    for name in (
        "prefix_cache_queries_total",
        "prefix_cache_hits_total",
        "requests_total",
        "prompt_tokens_total",
        "generation_tokens_total",
    ):
        assert f"toolkit_engine_{name}" in text
    # prometheus_client writes the page now: read it with its parser, not by line shape.
    hits = [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "vllm:prefix_cache_hits_total"
    ]
    assert hits == [({"model_name": "toolkit-local"}, engine.cache.stats().hits)]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role"),
        (
            {
                "model": "m",
                "messages": [*QUESTION, {"role": "tool", "tool_call_id": "nope", "content": "1"}],
            },
            "messages[1].tool_call_id",
        ),
        (
            {"model": "m", "messages": QUESTION, "tools": [{"type": "function"}]},
            "tools[0].function",
        ),
        ({"model": "m", "messages": QUESTION, "n": 0}, "n"),
        (
            {
                "model": "m",
                "messages": QUESTION,
                "tool_choice": {"type": "function", "function": {"name": "x"}},
            },
            "tool_choice.function.name",
        ),
        ({"model": "m", "messages": QUESTION, "content": "x" * 300_000}, "body"),
    ],
)
def test_bad_requests_get_openai_errors(client: httpx.Client, body: object, param: str) -> None:
    response = post(client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert param in error["message"] or param == "body"
    assert post(client, {"model": "m", "messages": QUESTION}).status_code == 200


def test_malformed_json_is_a_400(client: httpx.Client) -> None:
    response = client.post(
        "http://local.engine/v1/chat/completions",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_openai_sdk_in_process_with_streaming(engine: LocalEngine) -> None:
    sdk = openai.OpenAI(
        base_url="http://local.engine/v1",
        api_key="x",
        http_client=httpx.Client(transport=LocalTransport(engine)),
    )
    plain = sdk.chat.completions.create(model="m", messages=QUESTION, tools=TOOLS)  # type: ignore[arg-type]
    chunks = list(
        sdk.chat.completions.create(
            model="m",
            messages=QUESTION,  # type: ignore[arg-type]
            tools=TOOLS,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    arguments = "".join(
        call.function.arguments or ""
        for chunk in chunks
        for choice in chunk.choices
        for call in choice.delta.tool_calls or []
        if call.function is not None
    )
    assert plain.choices[0].message.tool_calls is not None
    assert arguments == plain.choices[0].message.tool_calls[0].function.arguments  # type: ignore[union-attr]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == plain.usage.prompt_tokens  # type: ignore[union-attr]


def test_async_transport(engine: LocalEngine) -> None:
    async def run() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(transport=LocalTransport(engine)) as client:
            responses = await asyncio.gather(
                *(
                    client.post(
                        "http://x/v1/chat/completions", json={"model": "m", "messages": QUESTION}
                    )
                    for _ in range(4)
                )
            )
        return [r.json() for r in responses]

    bodies = asyncio.run(run())
    assert len({b["choices"][0]["message"]["content"] for b in bodies}) == 1


def test_latency_model_is_applied_by_the_http_layer() -> None:
    from toolkit.engine import LatencyModel
    from toolkit.engine.api import EngineAPI

    engine = LocalEngine(latency=LatencyModel(0.5, 0.001, 0.01))
    body = json.dumps({"model": "m", "messages": QUESTION}).encode()
    first = EngineAPI(engine).handle("POST", "/v1/chat/completions", body)
    second = EngineAPI(engine).handle("POST", "/v1/chat/completions", body)
    assert first.delay > second.delay > 0.5
    with pytest.raises(ValueError, match="three non-negative"):
        LatencyModel.parse("1,2")
    assert (
        LocalEngine(latency=(0.5, 0.001, 0.01)).latency
        == LocalEngine(latency="0.5,0.001,0.01").latency
    )


def test_default_transport_uses_the_process_engine() -> None:
    from toolkit.engine import default_engine

    transport = LocalTransport()
    assert transport.engine is default_engine()
    with httpx.Client(transport=transport) as client:
        assert client.get("http://local.engine/health").json() == {"status": "ok"}
