"""What one agent turn produced: the answer and the evidence an evaluation scores."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AgentResult", "DecisionRecord", "ToolCallRecord", "UsageSummary"]

ToolStatus = Literal["executed", "blocked", "approval_requested", "error"]
Stage = Literal["input", "retrieval", "tool_call", "output"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCallRecord(_Record):
    """One tool call the model asked for, and what the harness did with it."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: ToolStatus
    result: Any | None = None
    reason: str | None = None


class DecisionRecord(_Record):
    """One compliance decision taken during the turn."""

    stage: Stage
    action: str
    rule_ids: list[str] = Field(default_factory=list)
    detail: str = ""


class UsageSummary(_Record):
    """Tokens and cost over every token-service call of the turn."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    calls: int = 0
    unknown_usage_calls: int = 0
    """Calls whose endpoint reported no usage: the token counts above are a floor."""


class AgentResult(_Record):
    """The result of `Session.ask`."""

    answer: str
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    retrieved_ids: list[str] = Field(default_factory=list)
    retrieved: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    refused: bool = False
    usage: UsageSummary = Field(default_factory=UsageSummary)
    trace: list[dict[str, Any]] = Field(default_factory=list)
    latency_s: float = 0.0
