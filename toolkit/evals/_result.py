"""What the evaluation scores: the agent harness's result, as a read-only protocol.

`toolkit.agent.AgentResult` is the real type, re-exported here. Scoring only
reads attributes, so it is typed against the protocols below and accepts any
object of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

__all__ = [
    "AgentResult",
    "AgentResultLike",
    "DecisionRecord",
    "ToolCallRecord",
    "UsageSummary",
]

ToolStatus = Literal["executed", "blocked", "approval_requested", "error"]


class ToolCallLike(Protocol):
    """One tool call the agent made, in call order."""

    @property
    def name(self) -> str: ...
    @property
    def args(self) -> dict[str, Any]: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str | None: ...


class DecisionLike(Protocol):
    """One compliance decision."""

    @property
    def stage(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def rule_ids(self) -> list[str]: ...
    @property
    def detail(self) -> str: ...


class UsageLike(Protocol):
    """Token usage and cost of one `ask`."""

    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cached_tokens(self) -> int: ...
    @property
    def cost(self) -> float: ...
    @property
    def calls(self) -> int: ...


class AgentResultLike(Protocol):
    """The attributes of `toolkit.agent.AgentResult` that evaluation reads."""

    @property
    def answer(self) -> str: ...
    @property
    def tool_calls(self) -> Sequence[ToolCallLike]: ...
    @property
    def retrieved_ids(self) -> Sequence[str]: ...
    @property
    def decisions(self) -> Sequence[DecisionLike]: ...
    @property
    def refused(self) -> bool: ...
    @property
    def usage(self) -> UsageLike: ...
    @property
    def trace(self) -> Sequence[dict[str, Any]]: ...
    @property
    def latency_s(self) -> float: ...


# The real models live in the harness; evaluation re-exports them for its tests and benches.
from toolkit.agent.results import (  # noqa: E402
    AgentResult,
    DecisionRecord,
    ToolCallRecord,
    UsageSummary,
)
