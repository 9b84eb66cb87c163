"""Render chat messages as a Qwen2.5 server does: ChatML, with the tools in the system block.

This follows the `chat_template` shipped with Qwen2.5-Instruct (and used by vLLM/SGLang for
it): when tools are present the system block carries the system prompt (or Qwen's default)
followed by a `# Tools` section listing each tool as JSON inside `<tools></tools>`; assistant
tool calls are `<tool_call>` JSON lines; consecutive tool results are grouped into one user
turn of `<tool_response>` blocks. Jinja's `tojson` is `json.dumps(ensure_ascii=False)` with
its default separators, reproduced here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from toolkit.engine.request import Message, ToolCall, ToolSpec

__all__ = ["DEFAULT_SYSTEM", "render_completion", "render_prompt", "tool_json"]

DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
_TOOLS_HEAD = (
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
_TOOLS_TAIL = (
    "\n</tools>\n\nFor each function call, return a json object with function name and "
    "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)


def tool_json(tool: ToolSpec) -> str:
    """The tool as the template's `tool | tojson` prints it."""
    function: dict[str, Any] = {"name": tool.name}
    if tool.description:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    return json.dumps({"type": "function", "function": function}, ensure_ascii=False)


def _call_text(call: ToolCall) -> str:
    arguments = json.loads(call.arguments or "{}")
    return (
        '<tool_call>\n{"name": "'
        + call.name
        + '", "arguments": '
        + json.dumps(arguments, ensure_ascii=False)
        + "}\n</tool_call>"
    )


def _system_role(role: str) -> str:
    # OpenAI's `developer` role is the system prompt under another name.
    return "system" if role == "developer" else role


def render_prompt(
    messages: Sequence[Message], tools: Sequence[ToolSpec], *, add_generation_prompt: bool = True
) -> str:
    """Render a request as the prompt text a Qwen server tokenizes.

    Args:
        messages: the validated messages.
        tools: the validated tools, in request order.
        add_generation_prompt: append the opening of the assistant turn.

    Returns:
        The ChatML text, special tokens included as text.
    """
    parts: list[str] = []
    first_is_system = bool(messages) and _system_role(messages[0].role) == "system"
    system_text = messages[0].content if first_is_system else DEFAULT_SYSTEM
    if tools:
        parts.append("<|im_start|>system\n" + system_text + _TOOLS_HEAD)
        parts.extend("\n" + tool_json(tool) for tool in tools)
        parts.append(_TOOLS_TAIL + "<|im_end|>\n")
    else:
        parts.append("<|im_start|>system\n" + system_text + "<|im_end|>\n")
    for index, message in enumerate(messages):
        role = _system_role(message.role)
        if index == 0 and first_is_system:
            continue
        if role in ("user", "system") or (role == "assistant" and not message.tool_calls):
            parts.append(f"<|im_start|>{role}\n{message.content}<|im_end|>\n")
        elif role == "assistant":
            parts.append("<|im_start|>assistant")
            if message.content:
                parts.append("\n" + message.content)
            parts.extend("\n" + _call_text(call) for call in message.tool_calls)
            parts.append("<|im_end|>\n")
        else:
            previous_is_tool = index > 0 and messages[index - 1].role == "tool"
            next_is_tool = index + 1 < len(messages) and messages[index + 1].role == "tool"
            if not previous_is_tool:
                parts.append("<|im_start|>user")
            parts.append("\n<tool_response>\n" + message.content + "\n</tool_response>")
            if not next_is_tool:
                parts.append("<|im_end|>\n")
    if add_generation_prompt:
        parts.append("<|im_start|>assistant\n")
    return "".join(parts)


def render_completion(content: str, tool_calls: Sequence[ToolCall]) -> str:
    """The text the model generates for an answer, ending with `<|im_end|>`."""
    pieces = [content] if content else []
    pieces.extend(_call_text(call) for call in tool_calls)
    return "\n".join(pieces) + "<|im_end|>"
