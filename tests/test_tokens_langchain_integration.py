"""langchain-tests' standard integration suite for `ChatTokenService`.

Run twice: in-process on the embedded engine (the ``local`` endpoint), and over
HTTP against ``toolkit serve`` on 127.0.0.1. The engine is a deterministic
stand-in, so the suite measures the client and the wire protocol, not a
language model.
"""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from toolkit.tokens.langchain import ChatTokenService, to_openai_messages

MODEL = "qwen2.5-7b-instruct"

# The suite's async tests are plain coroutines: pytest-asyncio (strict mode) runs only
# marked ones, and the suite forbids overriding its tests to mark them one by one. So the
# whole module is marked, and the notice this gives on the sync tests is silenced here.
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings(
        "ignore:The test <Function .* is not an async function:pytest.PytestWarning"
    ),
    # test_stream_time requests the benchmark fixture and then skips (no VCR cassette).
    pytest.mark.filterwarnings("ignore:Benchmark fixture was not used"),
]


class TestChatTokenServiceLocal(ChatModelIntegrationTests):
    """In-process: the client talks to the embedded engine through its local transport."""

    @property
    def chat_model_class(self) -> type[ChatTokenService]:
        return ChatTokenService

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "temperature": 0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    """``toolkit serve`` in a subprocess on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "serve", "--port", str(port)],
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
                stderr = process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"toolkit serve did not start: {stderr!r}")
            time.sleep(0.1)
        yield f"{url}/v1"
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr is not None:
            process.stderr.close()


# pytest-asyncio gives each async test its own event loop; the keep-alive connections an
# async client opened on a loop outlive it and are reported when collected. An application
# with one loop closes them with `ChatTokenService.aclose`; the sync path leaks nothing.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
class TestChatTokenServiceServed(ChatModelIntegrationTests):
    """Over HTTP: the same suite against ``toolkit serve`` on 127.0.0.1."""

    @pytest.fixture(autouse=True)
    def _url(self, served_url: str) -> Iterator[None]:
        self._base_url = served_url
        yield
        # Collect this test's clients now, under this class's warning filters, rather than
        # at the end of the session where an unclosed async connection fails the run.
        gc.collect()

    @property
    def chat_model_class(self) -> type[ChatTokenService]:
        return ChatTokenService

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": MODEL, "temperature": 0, "base_url": self._base_url}


# -- Anthropic-style content blocks ------------------------------------------------------------


def test_tool_use_and_tool_result_blocks_become_openai_messages() -> None:
    history = [
        HumanMessage("What is 1 + 2"),
        AIMessage(
            [
                {"type": "text", "text": "some text"},
                {"type": "tool_use", "id": "abc123", "name": "adder", "input": {"a": 1, "b": 2}},
            ]
        ),
        HumanMessage(
            [
                {"type": "tool_result", "tool_use_id": "abc123", "content": '{"result": 3}'},
                {"type": "text", "text": "and now?"},
            ]
        ),
    ]
    assert to_openai_messages(history) == [
        {"role": "user", "content": "What is 1 + 2"},
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "some text"}],
            "tool_calls": [
                {
                    "id": "abc123",
                    "type": "function",
                    "function": {"name": "adder", "arguments": '{"a":1,"b":2}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "abc123", "content": '{"result": 3}'},
        {"role": "user", "content": [{"type": "text", "text": "and now?"}]},
    ]


def test_tool_use_blocks_beside_tool_calls_are_sent_once() -> None:
    call = {"name": "adder", "args": {"a": 1, "b": 2}, "id": "abc123", "type": "tool_call"}
    message = AIMessage(
        [{"type": "tool_use", "id": "abc123", "name": "adder", "input": {"a": 1, "b": 2}}],
        tool_calls=[call],
    )
    (sent,) = to_openai_messages([message])
    assert sent["content"] is None
    assert [c["id"] for c in sent["tool_calls"]] == ["abc123"]
    tool = ToolMessage([{"type": "text", "text": "3"}], tool_call_id="abc123")
    assert to_openai_messages([tool])[0]["role"] == "tool"


def test_the_engine_accepts_the_converted_history() -> None:
    model = ChatTokenService(model=MODEL, temperature=0)
    answer = model.invoke(
        [
            HumanMessage("What is 1 + 2"),
            AIMessage(
                [{"type": "tool_use", "id": "abc123", "name": "adder", "input": {"a": 1, "b": 2}}]
            ),
            HumanMessage([{"type": "tool_result", "tool_use_id": "abc123", "content": "3"}]),
        ]
    )
    assert isinstance(answer, AIMessage)
