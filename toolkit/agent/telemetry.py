"""The agent's spans: one ``execute_tool`` span per tool call, around compliance and the tool.

Every call is counted (``toolkit_agent_tool_calls_total``), tracing on or off.

The middleware is the outermost one, so the tool_call-stage decision and the
tool's own run are children of the tool's span. With tracing off it hands the
call straight on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState
from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from toolkit.observability import active, count_tool_call, end_tool_call, tool_span

__all__ = ["ToolSpanMiddleware"]

_Result = ToolMessage | Command[Any]


def _status(result: _Result) -> tuple[str, Any]:
    if isinstance(result, ToolMessage):
        return ("error" if result.status == "error" else "ok"), result.content
    return "ok", None


class ToolSpanMiddleware(AgentMiddleware[AgentState[Any], Any, Any]):
    """Wraps each tool call in an ``execute_tool {name}`` span (GenAI conventions)."""

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], _Result],
    ) -> _Result:
        """Run the call inside its span, and count it."""
        call = request.tool_call
        if not active():
            result = handler(request)
            count_tool_call(call["name"], _status(result)[0])
            return result
        with tool_span(call["name"], call.get("id"), call.get("args")) as span:
            result = handler(request)
            status, content = _status(result)
            end_tool_call(span, status=status, result=content)
        count_tool_call(call["name"], status)
        return result

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[_Result]],
    ) -> _Result:
        """Async twin of `wrap_tool_call`."""
        call = request.tool_call
        if not active():
            result = await handler(request)
            count_tool_call(call["name"], _status(result)[0])
            return result
        with tool_span(call["name"], call.get("id"), call.get("args")) as span:
            result = await handler(request)
            status, content = _status(result)
            end_tool_call(span, status=status, result=content)
        count_tool_call(call["name"], status)
        return result
