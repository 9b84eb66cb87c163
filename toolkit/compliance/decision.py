"""The result of one compliance check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from toolkit.compliance.types import Finding, Passage, Stage

__all__ = ["ACTION_RANK", "Decision", "Outcome"]

Outcome = Literal["allow", "flag", "append_disclaimer", "redact", "require_approval", "block"]

ACTION_RANK: dict[str, int] = {
    "allow": 0,
    "flag": 1,
    "append_disclaimer": 2,
    "redact": 3,
    "require_approval": 4,
    "block": 5,
}
"""Order of precedence when several rules fire: the strongest action wins."""


@dataclass(frozen=True)
class Decision:
    """What a stage check decided.

    Attributes:
        stage: The stage checked.
        action: The strongest action taken (``allow`` when nothing fired).
        text: The resulting text (input/output stages); for ``block`` the message shown instead.
        args: The resulting tool arguments (tool_call stage), redacted where rules say so.
        passages: The passages to give the model (retrieval stage), after quarantine.
        findings: Every rule that fired, with spans in the original text.
        message: Why the call or text was stopped, for the model or the user.
        tool: The tool name (tool_call stage).
    """

    stage: Stage
    action: Outcome
    text: str | None = None
    args: Mapping[str, Any] | None = None
    passages: tuple[Passage, ...] | None = None
    findings: tuple[Finding, ...] = ()
    message: str | None = None
    tool: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        """True unless the action is ``block`` or ``require_approval``."""
        return self.action not in ("block", "require_approval")

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules that fired, in order, without repeats."""
        return tuple(dict.fromkeys(f.rule_id for f in self.findings))

    def to_record(self) -> dict[str, Any]:
        """A JSON-ready summary for the audit log; holds no checked text or argument values."""
        record: dict[str, Any] = {
            "type": "decision",
            "stage": self.stage,
            "action": self.action,
            "rules": list(self.rule_ids),
            "findings": [f.to_record() for f in self.findings],
        }
        if self.tool is not None:
            record["tool"] = self.tool
        if self.args is not None:
            record["arg_names"] = sorted(self.args)
        if self.passages is not None:
            record["passages_out"] = len(self.passages)
        record.update(self.extra)
        return record
