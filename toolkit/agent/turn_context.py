"""Per-turn context (retrieved passages) passed to the token client at the tail of the request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse

__all__ = ["TurnContextMiddleware"]


class TurnContextMiddleware(AgentMiddleware[AgentState[Any], Any, Any]):
    """Hands this turn's passages to `ChatTokenService` as ``context=``.

    The token client renders them as one trailing message after the history, so
    the tools, the system prompt and the history stay a stable, cacheable prefix.
    """

    def __init__(self) -> None:
        super().__init__()
        self.context: list[dict[str, Any]] = []

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
