"""The harness's own agent middleware: per-turn context in, compact tool results out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from toolkit.agent.tool_results import compact_tool_content

__all__ = ["HarnessMiddleware"]


class HarnessMiddleware(AgentMiddleware[AgentState[Any], Any, Any]):
    """Hands this turn's passages to `ChatTokenService` as ``context=`` and compacts tool results.

    The token client renders the context as one trailing message after the
    history, so the tools, the system prompt and the history stay a stable,
    cacheable prefix. Tool results are compacted once, as they enter the
    history; the full result is kept in `full_results` for the harness.
    """

    def __init__(self) -> None:
        super().__init__()
        self.context: list[dict[str, Any]] = []
        self.full_results: dict[str, str] = {}

    def _with_context(self, request: ModelRequest[Any]) -> ModelRequest[Any]:
        if not self.context:
            return request
        return request.override(model_settings={**request.model_settings, "context": self.context})

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any]:
        """Add the turn's context to the model call."""
        return handler(self._with_context(request))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        """Async twin of `wrap_model_call`."""
        return await handler(self._with_context(request))

    def _compact(self, result: ToolMessage | Command[Any]) -> ToolMessage | Command[Any]:
        if not isinstance(result, ToolMessage) or not isinstance(result.content, str):
            return result
        self.full_results[result.tool_call_id] = result.content
        short = compact_tool_content(result.content)
        return result if short == result.content else result.model_copy(update={"content": short})

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        """Run the tool, keep its full result, and put a compact copy in the history."""
        return self._compact(handler(request))

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        """Async twin of `wrap_tool_call`."""
        return self._compact(await handler(request))
