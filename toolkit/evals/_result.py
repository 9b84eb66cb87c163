"""What the evaluation scores: the agent harness's result, as a read-only protocol.

`toolkit.agent.AgentResult` (see CONVENTIONS.md, "Agent results") is the real
type. Scoring only reads attributes, so it is typed against the protocols
below; the pydantic models of the same shape are a stand-in used by tests and
benches until the harness is merged (the lead may replace them with
re-exports from `toolkit.agent`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

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


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCallRecord(_Record):
    """Stand-in for `toolkit.agent.ToolCallRecord`."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: ToolStatus
    result: Any | None = None
    reason: str | None = None


class DecisionRecord(_Record):
    """Stand-in for `toolkit.agent.DecisionRecord`."""

    stage: Literal["input", "retrieval", "tool_call", "output"]
    action: str
    rule_ids: list[str] = Field(default_factory=list)
    detail: str = ""


class UsageSummary(_Record):
    """Stand-in for `toolkit.agent.UsageSummary`."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    calls: int = 0


class AgentResult(_Record):
    """Stand-in for `toolkit.agent.AgentResult`, same fields."""

    answer: str
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    retrieved_ids: list[str] = Field(default_factory=list)
    retrieved: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    refused: bool = False
    usage: UsageSummary = Field(default_factory=UsageSummary)
    trace: list[dict[str, Any]] = Field(default_factory=list)
    latency_s: float = 0.0
