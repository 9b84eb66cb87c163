from typing import Any

import pytest

from toolkit.tokens import Endpoint, affinity_key, build_core_payload, tenant_salt
from toolkit.tokens.affinity import MAX_CACHE_MARKERS, ROUTING_HEADER, apply_dialect

SYSTEM = {"role": "system", "content": "Static instructions."}
TOOLS = [{"name": "lookup", "parameters": {"type": "object", "properties": {}}}]


def core(messages: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    return build_core_payload(messages, TOOLS, model="m", **kwargs)


def conversation(turns: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [SYSTEM]
    for n in range(turns):
        messages.append({"role": "user", "content": f"question {n}"})
        messages.append({"role": "assistant", "content": f"answer {n}"})
    messages.append({"role": "user", "content": "last question"})
    return messages


def test_key_depends_on_stable_prefix_and_tenant_only() -> None:
    one = core([SYSTEM, {"role": "user", "content": "a"}], context="t=1")
    two = core(conversation(3), context="t=2", temperature=0.3)
    assert affinity_key(one, "acme") == affinity_key(two, "acme")
    assert affinity_key(one, "acme") != affinity_key(one, "globex")
    other_system = core([{"role": "system", "content": "Other."}, {"role": "user", "content": "a"}])
    assert affinity_key(other_system, "acme") != affinity_key(one, "acme")
    no_tools = build_core_payload([SYSTEM, {"role": "user", "content": "a"}], model="m")
    assert affinity_key(no_tools, "acme") != affinity_key(one, "acme")


def test_cache_salt_is_per_tenant_never_per_request() -> None:
    assert tenant_salt(None) is None
    assert tenant_salt("acme") == tenant_salt("acme")
    assert tenant_salt("acme") != tenant_salt("globex")
    endpoint = Endpoint(url="http://v/v1", model="m", dialect="vllm")
    a = core(conversation(1), context="now=1")
    b = core(conversation(2), context="now=2")
    body_a, _ = apply_dialect(a, endpoint, affinity=affinity_key(a, "acme"), tenant="acme")
    body_b, _ = apply_dialect(b, endpoint, affinity=affinity_key(b, "acme"), tenant="acme")
    assert body_a["cache_salt"] == body_b["cache_salt"] == tenant_salt("acme")
    body_none, _ = apply_dialect(a, endpoint, affinity="k", tenant=None)
    assert "cache_salt" not in body_none


@pytest.mark.parametrize(
    ("dialect", "body_fields", "headers"),
    [
        ("openai", {"prompt_cache_key": "KEY"}, {}),
        ("sglang", {}, {ROUTING_HEADER: "KEY"}),
        ("llamacpp", {"cache_prompt": True}, {}),
        ("deepseek", {}, {}),
        ("qianfan", {}, {}),
    ],
)
def test_dialect_fields(dialect: str, body_fields: dict[str, Any], headers: dict[str, str]) -> None:
    endpoint = Endpoint(url="http://h/v1", model="served", dialect=dialect)
    body, sent_headers = apply_dialect(core(conversation(1)), endpoint, affinity="KEY", tenant="t")
    for key, value in body_fields.items():
        assert body[key] == value
    for key in ("prompt_cache_key", "cache_salt", "cache_prompt"):
        if key not in body_fields:
            assert key not in body
    assert sent_headers == headers
    assert body["model"] == "served"
    assert "Authorization" not in sent_headers


@pytest.mark.parametrize("dialect", ["anthropic", "dashscope"])
@pytest.mark.parametrize("turns", [0, 1, 2, 6, 20])
def test_explicit_markers_at_most_four_at_end_of_stable_prefix(dialect: str, turns: int) -> None:
    endpoint = Endpoint(url="http://h/v1", model="m", dialect=dialect)
    payload = core(conversation(turns), context="volatile")
    body, _ = apply_dialect(payload, endpoint, affinity="k", tenant=None)
    marked = [
        i
        for i, m in enumerate(body["messages"])
        if isinstance(m["content"], list) and any("cache_control" in p for p in m["content"])
    ]
    assert 1 <= len(marked) <= MAX_CACHE_MARKERS
    assert 0 in marked  # end of the system block
    last_history = len(body["messages"]) - 2
    assert marked[-1] == last_history  # end of history, never the volatile tail
    assert isinstance(body["messages"][-1]["content"], str)
    if turns:
        # the previous request's breakpoint (before the last assistant turn) is kept
        assert last_history - 2 in marked
    # text is unchanged by the markers
    for original, sent in zip(payload["messages"], body["messages"], strict=True):
        if isinstance(sent["content"], list):
            assert sent["content"][0]["text"] == original["content"]
    # the input body is not mutated
    assert all(isinstance(m["content"], str) for m in payload["messages"])


def test_markers_skip_messages_without_content() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    messages: list[dict[str, Any]] = [
        SYSTEM,
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c", "content": "result"},
    ]
    endpoint = Endpoint(url="http://h/v1", model="m", dialect="anthropic")
    body, _ = apply_dialect(core(messages), endpoint, affinity="k", tenant=None)
    assert body["messages"][2]["content"] is None
    assert isinstance(body["messages"][3]["content"], list)
    assert isinstance(body["messages"][1]["content"], list)


def test_stream_asks_for_usage() -> None:
    endpoint = Endpoint(url="http://h/v1", model="m")
    body, _ = apply_dialect(
        core([SYSTEM, {"role": "user", "content": "x"}]),
        endpoint,
        affinity="k",
        tenant=None,
        stream=True,
    )
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
