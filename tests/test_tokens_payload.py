import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.tokens import (
    Endpoint,
    PayloadError,
    TokenClient,
    build_core_payload,
    canonical_dumps,
    encode_body,
    tool_message,
)
from toolkit.tokens.payload import CONTEXT_HEADER, render_context

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "zeta",
            "parameters": {
                "type": "object",
                "properties": {"b": {"type": "number"}, "a": {"type": "string"}},
            },
        },
    },
    {
        "name": "alpha",
        "description": "First tool.",
        "parameters": {"properties": {}, "type": "object"},
    },
]
SYSTEM = {"role": "system", "content": "You are a careful analyst."}


def body_of(messages: list[dict[str, Any]], **kwargs: Any) -> bytes:
    client = TokenClient(Endpoint(url="http://h/v1", model="m"))
    return encode_body(client.build_payload(messages, TOOLS, **kwargs))


def test_tools_sorted_by_name_and_canonical() -> None:
    body = build_core_payload([SYSTEM], TOOLS, model="m")
    assert [t["function"]["name"] for t in body["tools"]] == ["alpha", "zeta"]
    reordered = build_core_payload([SYSTEM], list(reversed(TOOLS)), model="m")
    assert encode_body(body) == encode_body(reordered)
    # nested keys are sorted in the bytes
    text = encode_body(body).decode()
    assert text.index('"a":{"type":"string"}') < text.index('"b":{"type":"number"}')


def test_top_level_order_is_model_tools_messages_then_rest() -> None:
    text = body_of([SYSTEM, {"role": "user", "content": "hi"}], temperature=0.0).decode()
    assert text.startswith('{"model":"m","tools":[')
    assert text.index('"tools"') < text.index('"messages"') < text.index('"prompt_cache_key"')


def test_context_goes_to_the_tail_never_the_system_prompt() -> None:
    messages = [SYSTEM, {"role": "user", "content": "What changed?"}]
    body = build_core_payload(
        messages, model="m", context={"time": "2026-01-01T10:00:00Z", "passages": ["p1", "p2"]}
    )
    assert body["messages"][0] == SYSTEM
    tail = body["messages"][-1]
    assert tail["role"] == "user"
    assert tail["content"].startswith(CONTEXT_HEADER)
    assert "2026-01-01T10:00:00Z" in tail["content"]
    assert "2026" not in body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("plain", "plain"),
        (["a", "b"], "[1] a\n[2] b"),
        ([{"id": "doc-7", "text": "Basel III"}], "[doc-7] Basel III"),
        ({"b": "2", "a": "1"}, "## a\n1\n\n## b\n2"),
        ({"ids": {"k": 1}}, '## ids\n{"k":1}'),
    ],
)
def test_render_context(context: Any, expected: str) -> None:
    assert render_context(context) == expected


def test_history_is_not_rewritten() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    messages: list[dict[str, Any]] = [
        SYSTEM,
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
    ]
    body = build_core_payload(messages, model="m")
    assert body["messages"] == messages
    assert body["messages"] is not messages
    # dict arguments become canonical JSON
    dict_call = {"id": "c1", "function": {"name": "f", "arguments": {"z": 1, "a": 2}}}
    body = build_core_payload([{"role": "assistant", "tool_calls": [dict_call]}], model="m")
    assert body["messages"][0]["tool_calls"][0]["function"]["arguments"] == '{"a":2,"z":1}'


def test_turn_n_is_a_byte_prefix_of_turn_n_plus_1_up_to_the_tail() -> None:
    history = [SYSTEM, {"role": "user", "content": "Rate for 30 years?"}]
    first = body_of(history, context={"time": "10:00:01", "passages": ["old"]}, temperature=0.0)
    history2 = [
        *history,
        {"role": "assistant", "content": "6%"},
        {"role": "user", "content": "And 15 years?"},
    ]
    second = body_of(history2, context={"time": "10:00:09", "passages": ["new"]}, temperature=0.0)
    tail_start = first.index(b'{"content":"' + CONTEXT_HEADER.encode())
    assert second[:tail_start] == first[:tail_start]
    assert first[tail_start:] != second[tail_start:]


@settings(max_examples=40, deadline=None)
@given(
    turns=st.lists(st.tuples(st.text(max_size=40), st.text(max_size=40)), min_size=1, max_size=6),
    ctx=st.lists(st.text(max_size=30), max_size=3),
)
def test_prefix_property_for_any_conversation(turns: list[tuple[str, str]], ctx: list[str]) -> None:
    history: list[dict[str, Any]] = [SYSTEM]
    bodies = []
    for user, assistant in turns:
        history.append({"role": "user", "content": user})
        bodies.append(
            (encode_body(build_core_payload(history, TOOLS, model="m", context=ctx)), len(history))
        )
        history.append({"role": "assistant", "content": assistant})
    for (earlier, _), (later, _) in itertools.pairwise(bodies):
        cut = earlier.rfind(b',{"content":"' + CONTEXT_HEADER.encode()) if ctx else len(earlier) - 2
        assert later[:cut] == earlier[:cut]


def test_same_request_is_byte_identical_in_another_process(tmp_path: Path) -> None:
    script = tmp_path / "build.py"
    script.write_text(
        "import sys\n"
        "from toolkit.tokens import Endpoint, TokenClient, encode_body\n"
        f"tools = {TOOLS!r}\n"
        "client = TokenClient(Endpoint(url='http://h/v1', model='m'), tenant='acme')\n"
        "body = client.build_payload([{'role': 'system', 'content': 'S'},"
        " {'role': 'user', 'content': 'é ✓'}], tools, context={'b': [1, {'x': 2}], 'a': 'now'},"
        " temperature=0)\n"
        "sys.stdout.buffer.write(encode_body(body))\n"
    )
    here = TokenClient(Endpoint(url="http://h/v1", model="m"), tenant="acme").build_payload(
        [{"role": "system", "content": "S"}, {"role": "user", "content": "é ✓"}],
        list(reversed(TOOLS)),
        context={"a": "now", "b": [1, {"x": 2}]},
        temperature=0,
    )
    env = {"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        capture_output=True,
        check=True,
    ).stdout
    assert out == encode_body(here)


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ("hello", "messages"),
        ([], "messages"),
        ([{"content": "x"}], "messages[0].role"),
        ([{"role": "wizard", "content": "x"}], "messages[0].role"),
        ([{"role": "user", "content": "x"}, SYSTEM], "messages[1]"),
        ([{"role": "tool", "content": "x"}], "messages[0].tool_call_id"),
        ([{"role": "user", "content": 5}], "messages[0].content"),
        ([{"role": "assistant", "tool_calls": [{"id": "x"}]}], "messages[0].tool_calls[0]"),
    ],
)
def test_bad_messages_name_the_field(messages: Any, field: str) -> None:
    with pytest.raises(PayloadError) as info:
        build_core_payload(messages, model="m")
    assert info.value.field == field
    assert field in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"tools": [{"description": "no name"}]}, "tools[0].name"),
        ({"tools": [TOOLS[1], TOOLS[1]]}, "tools[1].name"),
        ({"tool_choice": "auto"}, "tool_choice"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"stream": True}, "stream"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadError) as info:
        build_core_payload([SYSTEM], model="m", **kwargs)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("any", "required"),
        ("auto", "auto"),
        ("zeta", {"type": "function", "function": {"name": "zeta"}}),
    ],
)
def test_tool_choice(choice: str, expected: Any) -> None:
    assert (
        build_core_payload([SYSTEM], TOOLS, model="m", tool_choice=choice)["tool_choice"]
        == expected
    )


def test_tool_message_truncates_once() -> None:
    message = tool_message("c1", "x" * 50, max_chars=10)
    assert message["content"] == "x" * 10 + "\n[truncated 40 characters]"
    assert tool_message("c1", "short")["content"] == "short"


def test_canonical_dumps_is_stable() -> None:
    assert (
        canonical_dumps({"b": 1, "a": [1, {"d": None, "c": "é"}]})
        == '{"a":[1,{"c":"é","d":null}],"b":1}'
    )
    assert json.loads(encode_body({"z": 1, "model": "m"})) == {"model": "m", "z": 1}
