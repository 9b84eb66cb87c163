import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_tests.unit_tests import ChatModelUnitTests
from pydantic import BaseModel

from toolkit.errors import PayloadError
from toolkit.tokens import Endpoint, TokenClient
from toolkit.tokens.langchain import ChatTokenService, to_openai_messages
from toolkit.tokens.testing import ScriptedServer, completion, sse_body

USAGE = {
    "prompt_tokens": 300,
    "completion_tokens": 12,
    "prompt_tokens_details": {"cached_tokens": 256},
}


class TestChatTokenServiceStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatTokenService]:
        return ChatTokenService

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "qwen3-8b", "base_url": "http://127.0.0.1:9/v1"}

    @property
    def supports_model_override(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True


@tool
def loan_payment(principal: float, annual_rate: float, years: int) -> float:
    """Monthly payment of an amortizing loan."""
    return principal * annual_rate / 12 / years


def model_with(server: ScriptedServer, **kwargs: Any) -> ChatTokenService:
    return ChatTokenService(
        model="m", base_url="http://h/v1", transport=httpx.MockTransport(server), **kwargs
    )


def test_tool_calls_and_usage_metadata() -> None:
    server = ScriptedServer(
        [
            completion(
                None,
                finish_reason="tool_calls",
                usage=USAGE,
                tool_calls=[
                    {
                        "id": "c1",
                        "name": "loan_payment",
                        "arguments": '{"principal": 300000, "annual_rate": 0.06, "years": 30}',
                    }
                ],
            )
        ]
    )
    model = model_with(server, temperature=0).bind_tools([loan_payment], tool_choice="any")
    message = model.invoke(
        [SystemMessage("Be exact."), HumanMessage("Payment on 300k at 6%?")],
        context={"time": "now"},
    )
    assert isinstance(message, AIMessage)
    assert message.tool_calls == [
        {
            "name": "loan_payment",
            "id": "c1",
            "type": "tool_call",
            "args": {"principal": 300000, "annual_rate": 0.06, "years": 30},
        }
    ]
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == 300
    assert message.usage_metadata["input_token_details"]["cache_read"] == 256
    body = server.bodies[0]
    assert (
        body["tool_choice"] == "required" and body["tools"][0]["function"]["name"] == "loan_payment"
    )
    assert body["messages"][-1]["content"].endswith("now")  # context at the tail
    assert body["temperature"] == 0


def test_tool_round_trip_keeps_raw_arguments() -> None:
    raw = '{"years": 30,  "principal": 1}'
    server = ScriptedServer(
        [
            completion(None, tool_calls=[{"id": "c1", "name": "loan_payment", "arguments": raw}]),
            completion("Done."),
        ]
    )
    model = model_with(server).bind_tools([loan_payment])
    history: list[Any] = [HumanMessage("go")]
    first = model.invoke(history)
    history += [first, ToolMessage("42.0", tool_call_id="c1")]
    assert model.invoke(history).content == "Done."
    sent = server.bodies[1]["messages"]
    assert sent[1]["tool_calls"][0]["function"]["arguments"] == raw  # history not rewritten
    assert sent[2] == {"role": "tool", "tool_call_id": "c1", "content": "42.0"}
    # turn 1's body is a prefix of turn 2's
    first_body = server.requests[0].content
    cut = first_body.index(b'"role":"user"}') + len(b'"role":"user"}')
    assert server.requests[1].content[:cut] == first_body[:cut]


def test_streaming_chunks_and_usage() -> None:
    chunks: list[Any] = [
        {"choices": [{"delta": {"content": "The "}}]},
        {"choices": [{"delta": {"content": "answer"}}]},
        {"choices": [{"delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": USAGE},
    ]
    server = ScriptedServer(default=httpx.Response(200, content=sse_body(chunks)))
    model = model_with(server)
    pieces = list(model.stream("q"))
    assert "".join(str(p.content) for p in pieces) == "The answer"
    total = pieces[0]
    for piece in pieces[1:]:
        total = total + piece
    assert total.usage_metadata is not None
    assert total.usage_metadata["input_token_details"]["cache_read"] == 256
    assert total.response_metadata["finish_reason"] == "stop"
    # streaming=True makes invoke stream too
    streaming = model_with(server, streaming=True)
    message = streaming.invoke("q")
    assert message.content == "The answer" and server.bodies[-1]["stream"] is True


def test_streamed_tool_call() -> None:
    chunks: list[Any] = [
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c7",
                                "function": {"name": "loan_payment", "arguments": '{"years"'},
                            }
                        ]
                    }
                }
            ]
        },
        {
            "choices": [
                {
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 5}"}}]},
                    "finish_reason": "tool_calls",
                }
            ]
        },
    ]
    server = ScriptedServer(default=httpx.Response(200, content=sse_body(chunks)))
    total: Any = None
    for piece in model_with(server).bind_tools([loan_payment]).stream("q"):
        total = piece if total is None else total + piece
    assert total is not None
    assert total.tool_calls == [
        {"name": "loan_payment", "args": {"years": 5}, "id": "c7", "type": "tool_call"}
    ]


def test_async_invoke_and_stream() -> None:
    chunks: list[Any] = [{"choices": [{"delta": {"content": "hi"}, "finish_reason": "stop"}]}]
    server = ScriptedServer(
        [completion("async", usage=USAGE), httpx.Response(200, content=sse_body(chunks))]
    )
    model = model_with(server)

    async def run() -> tuple[str, str]:
        message = await model.ainvoke("q")
        streamed = "".join([str(c.content) async for c in model.astream("q")])
        return str(message.content), streamed

    assert asyncio.run(run()) == ("async", "hi")


def test_structured_output_via_tools() -> None:
    class Rate(BaseModel):
        value: float

    server = ScriptedServer(
        [completion(None, tool_calls=[{"name": "Rate", "arguments": '{"value": 0.06}'}])]
    )
    structured = model_with(server).with_structured_output(Rate)
    assert structured.invoke("rate?") == Rate(value=0.06)


def test_constructors() -> None:
    endpoints = [Endpoint(url="http://a/v1", model="x"), Endpoint(url="http://b/v1", model="x")]
    assert ChatTokenService(endpoints=endpoints).model == "x"
    client = TokenClient(Endpoint(url="http://a/v1", model="y"))
    assert ChatTokenService(client=client).model == "y"
    assert ChatTokenService(model_name="z").base_url is None  # embedded engine by default
    with pytest.raises(ValueError, match="exactly one"):
        ChatTokenService(model="m", base_url="http://h/v1", endpoints=endpoints)
    with pytest.raises(ValueError, match="model is required"):
        ChatTokenService(base_url="http://h/v1")


def test_shared_client_is_used_and_model_override_refused() -> None:
    server = ScriptedServer()
    client = TokenClient(
        Endpoint(url="http://a/v1", model="y"), transport=httpx.MockTransport(server), tenant="acme"
    )
    model = ChatTokenService(client=client)
    model.invoke("q")
    assert client.ledger.totals("tenant")["acme"].calls == 1
    with pytest.raises(PayloadError, match="override"):
        model.invoke("q", model="other")


def test_message_conversion() -> None:
    converted = to_openai_messages(
        [
            SystemMessage("s"),
            HumanMessage([{"type": "text", "text": "look"}, "plain"]),
            AIMessage("", tool_calls=[{"name": "f", "args": {"b": 1, "a": 2}, "id": "i"}]),
            ToolMessage([{"type": "text", "text": "r"}], tool_call_id="i"),
        ]
    )
    assert converted[1]["content"] == [
        {"type": "text", "text": "look"},
        {"type": "text", "text": "plain"},
    ]
    assert converted[2]["tool_calls"][0]["function"]["arguments"] == '{"a":2,"b":1}'
    assert converted[2]["content"] is None
    assert json.loads(converted[3]["content"]) == [{"type": "text", "text": "r"}]
