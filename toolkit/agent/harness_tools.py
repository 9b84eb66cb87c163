"""Tools every agent gets from the harness, whatever its industry."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from toolkit.tooling import ToolSpec, domain_tool, spec_of

__all__ = ["HARNESS_TOOLS", "ApprovalRequest", "request_human_approval"]


class ApprovalRequest(BaseModel):
    """A recorded request for a human decision; nothing is executed."""

    status: str
    action: str
    limit: float | None
    amount: float | None
    reason: str


@domain_tool(
    write=True,
    examples=(
        "Raise my credit limit to 80,000.",
        "Please approve a limit increase to 60,000 for this customer.",
        "This decline needs a credit officer's decision.",
        "把我的额度提高到8万",
    ),
)
def request_human_approval(
    action: Annotated[
        str, Field(min_length=1, max_length=200, description="What needs a human decision.")
    ] = "credit decision",
    limit: Annotated[
        float | None,
        Field(
            ge=0,
            description="Requested credit limit, if any.",
            json_schema_extra={"x-unit": "currency"},
        ),
    ] = None,
    amount: Annotated[
        float | None,
        Field(
            ge=0, description="Amount concerned, if any.", json_schema_extra={"x-unit": "currency"}
        ),
    ] = None,
    reason: Annotated[str, Field(max_length=500, description="Why a human must decide.")] = "",
) -> ApprovalRequest:
    """Ask a human (credit officer or committee) to decide; recorded, never executed."""
    return ApprovalRequest(
        status="pending_human_review", action=action, limit=limit, amount=amount, reason=reason
    )


def _spec() -> ToolSpec:
    spec = spec_of(request_human_approval)
    assert spec is not None  # the decorator above always attaches one
    return spec


HARNESS_TOOLS: tuple[ToolSpec, ...] = (_spec(),)
