# mypy: disable-error-code="call-overload,arg-type,unused-ignore,union-attr,misc,list-item"
"""The official openai SDK against `toolkit serve` running in a subprocess on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from toolkit.engine import LocalEngine, LocalTransport

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "ifrs9_stage",
            "description": "IFRS 9 stage from days past due.\n"
            "Examples: The loan is 45 days past due; which IFRS 9 stage is it in?",
            "parameters": {
                "type": "object",
                "properties": {"dpd": {"type": "integer", "minimum": 0, "x-unit": "days"}},
                "required": ["dpd"],
            },
        },
    }
]
QUESTION: list[Any] = [
    {"role": "system", "content": "You are a credit-risk assistant. " * 20},
    {"role": "user", "content": "A loan is 95 days past due. Which IFRS 9 stage?"},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit",
            "serve",
            "--port",
            str(port),
            "--max-body-bytes",
            "100000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture
def sdk(base_url: str) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="x", max_retries=0)
    yield client
    client.close()


def test_chat_tools_and_cached_tokens(sdk: openai.OpenAI) -> None:
    first = sdk.chat.completions.create(model="m", messages=QUESTION, tools=TOOLS)  # type: ignore[arg-type]
    second = sdk.chat.completions.create(model="m", messages=QUESTION, tools=TOOLS)  # type: ignore[arg-type]
    calls = first.choices[0].message.tool_calls
    assert calls is not None and calls[0].function.arguments == '{"dpd": 95}'  # type: ignore[union-attr]
    assert first.usage is not None and second.usage is not None
    details = second.usage.prompt_tokens_details
    assert details is not None
    assert details.cached_tokens == (second.usage.prompt_tokens - 1) // 16 * 16 > 0


def test_tool_result_is_answered_with_citations(sdk: openai.OpenAI) -> None:
    messages = [
        *QUESTION,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "ifrs9_stage", "arguments": '{"dpd": 95}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": '{"stage": 3}'},
        {
            "role": "user",
            "content": "[kb/ifrs9.md#1] Stage 3 covers credit-impaired assets, "
            "including exposures more than 90 days past due.",
        },
    ]
    answer = sdk.chat.completions.create(model="m", messages=messages, tools=TOOLS)  # type: ignore[arg-type]
    content = answer.choices[0].message.content or ""
    assert answer.choices[0].finish_reason == "stop"
    # A passage without a title is cited by its id, the only source it names.
    assert "Stage: 3" in content and "(kb/ifrs9.md#1)" in content


def test_streaming_with_usage_chunk(sdk: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "Hello there, who are you?"}]
    chunks = list(
        sdk.chat.completions.create(
            model="m",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    plain = sdk.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert text == plain.choices[0].message.content
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == plain.usage.completion_tokens  # type: ignore[union-attr]


def test_bad_requests_and_the_server_keeps_serving(sdk: openai.OpenAI, base_url: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(model="m", messages=[{"role": "robot", "content": "x"}])  # type: ignore[misc, list-item]
    assert "messages[0].role" in str(caught.value)
    response = httpx.post(f"{base_url}/v1/chat/completions", content=b"{oops")
    assert response.status_code == 400 and response.json()["error"]["param"] == "body"
    big = httpx.post(f"{base_url}/v1/chat/completions", content=b"x" * 200_000)
    assert big.status_code == 400 and big.json()["error"]["code"] == "request_too_large"
    assert [m.id for m in sdk.models.list()] == ["toolkit-local"]
    assert "toolkit_engine_prefix_cache_hits_total" in httpx.get(f"{base_url}/metrics").text


def test_http_and_local_transport_give_identical_responses(base_url: str) -> None:
    body = {"model": "m", "messages": QUESTION, "tools": TOOLS, "cache_salt": "same"}
    local = httpx.Client(transport=LocalTransport(LocalEngine()))
    over_http = httpx.post(f"{base_url}/v1/chat/completions", json=body).json()
    in_process = local.post("http://local.engine/v1/chat/completions", json=body).json()
    assert over_http == in_process


def test_serve_reports_a_busy_port() -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.errors import ServerStartError

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert isinstance(result.exception, ServerStartError)
    assert f"127.0.0.1:{port}" in str(result.exception)


@pytest.mark.parametrize("latency", ["1,2", "a,b,c", "-1,0,0"])
def test_serve_rejects_bad_latency(latency: str) -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit.errors import UsageError

    result = CliRunner().invoke(app, ["serve", "--latency", latency])
    assert isinstance(result.exception, UsageError)
    assert "--latency" in str(result.exception)
