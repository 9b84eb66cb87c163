"""Tools every agent gets from the harness, whatever its industry.

The approval tool knows no domain: it records an action, its subject, an optional amount
and a reason. What a request needing approval sounds like is the pack's knowledge, so its
``Examples:`` line comes from ``pack.approval_examples`` and the tool is built per project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, Field

from toolkit.pack import APPROVAL_TOOL
from toolkit.tooling import ToolSpec, domain_tool, spec_of

__all__ = ["ApprovalRequest", "approval_tool", "harness_tools", "request_human_approval"]


class ApprovalRequest(BaseModel):
    """A recorded request for a human decision; nothing is executed."""

    status: str = Field(description="Always pending_human_review: a person decides next.")
    action: str = Field(description="What the human is asked to approve.")
    subject: str = Field(description="Who or what the action concerns.")
    amount: float | None = Field(description="The figure at stake, if any.")
    reason: str = Field(description="Why a human must decide.")


def request_human_approval(
    action: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description=(
                "What the human is asked to approve: the change, instruction or release "
                "requested, in the user's words."
            ),
        ),
    ] = "human decision requested",
    subject: Annotated[
        str,
        Field(
            max_length=200,
            description="Who or what the action concerns (an id or name), if known.",
        ),
    ] = "",
    amount: Annotated[
        float | None,
        Field(
            description=(
                "The figure at stake, if any: the new value, limit, level, quantity or "
                "amount requested, in the unit of the request (金额, 数量, 额度, 限额)."
            ),
        ),
    ] = None,
    reason: Annotated[str, Field(max_length=500, description="Why a human must decide.")] = "",
) -> ApprovalRequest:
    """Hand an action the agent may not take alone to a person with authority to approve it.

    Use it when a request exceeds what the agent may do by itself or a rule holds a tool
    call for approval. The request is recorded for review; nothing is executed.
    """
    return ApprovalRequest(
        status="pending_human_review", action=action, subject=subject, amount=amount, reason=reason
    )


def approval_tool(examples: Sequence[str] = ()) -> ToolSpec:
    """The ``request_human_approval`` tool with the pack's examples on its ``Examples:`` line.

    Args:
        examples: Requests of the pack that need a human decision (``pack.approval_examples``).
    """
    spec = spec_of(domain_tool(write=True, examples=examples)(request_human_approval))
    assert spec is not None and spec.name == APPROVAL_TOOL  # domain_tool always attaches one
    return spec


def harness_tools(approval_examples: Sequence[str] = ()) -> tuple[ToolSpec, ...]:
    """Every tool the harness adds to a project's own tools.

    Args:
        approval_examples: The pack's examples for the approval tool.
    """
    return (approval_tool(approval_examples),)
