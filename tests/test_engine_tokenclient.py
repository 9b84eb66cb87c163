"""`TokenClient` with url="local" and over HTTP against `toolkit serve`: identical results."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from test_engine_server import QUESTION, TOOLS, base_url  # noqa: F401  (module fixture)

from toolkit.engine import LocalEngine, LocalTransport
from toolkit.tokens import Endpoint, TokenClient
from toolkit.tokens.langchain import ChatTokenService


def _ask(client: TokenClient) -> tuple[Any, ...]:
    first = client.chat(QUESTION, TOOLS, temperature=0, cache=False)
    again = client.chat(QUESTION, TOOLS, temperature=0, cache=False)
    return (
        first.content,
        [(c.name, c.arguments) for c in first.tool_calls],
        first.finish_reason,
        first.usage.prompt_tokens,
        first.usage.completion_tokens,
        again.usage.cached_tokens,
    )


def test_local_and_http_give_identical_responses_and_usage(base_url: str) -> None:  # noqa: F811
    with TokenClient([Endpoint(url=f"{base_url}/v1", model="toolkit-local")], tenant="t") as remote:
        over_http = _ask(remote)
    with TokenClient([Endpoint(url="local", model="toolkit-local")], tenant="t") as local:
        in_process = _ask(local)
    assert over_http == in_process
    name, args = over_http[1][0]
    assert (name, args) == ("ifrs9_stage", {"dpd": 95})
    assert over_http[5] > 0  # the repeated prompt hit the prefix cache


def test_local_endpoint_goes_through_the_http_transport_code_path() -> None:
    engine = LocalEngine()
    inner = LocalTransport(engine)
    sent: list[bytes] = []

    class Recording(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.read())
            return inner.handle_request(request)

    client = TokenClient([Endpoint(url="local", model="toolkit-local")], transport=Recording())
    result = client.chat(QUESTION, TOOLS, temperature=0, cache=False)
    (body,) = sent
    assert result.usage.prompt_tokens == engine.count_prompt_tokens(json.loads(body))


@pytest.mark.parametrize("text", ["A loan is 95 days past due. Which IFRS 9 stage?"])
def test_chat_model_on_the_embedded_engine(text: str) -> None:
    model = ChatTokenService(model="toolkit-local", base_url="local").bind_tools(TOOLS)
    message = model.invoke(text)
    assert message.tool_calls[0]["name"] == "ifrs9_stage"
    assert message.usage_metadata is not None
