"""Value types shared by the rule pack, the kinds and the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ACTIONS",
    "STAGES",
    "Action",
    "Finding",
    "Hit",
    "Passage",
    "Severity",
    "Stage",
    "ToolCall",
]

Stage = Literal["input", "retrieval", "tool_call", "output"]
Action = Literal["redact", "block", "require_approval", "append_disclaimer", "flag"]
Severity = Literal["info", "low", "medium", "high", "critical"]

STAGES: tuple[Stage, ...] = ("input", "retrieval", "tool_call", "output")
ACTIONS: tuple[Action, ...] = ("redact", "block", "require_approval", "append_disclaimer", "flag")


@dataclass(frozen=True)
class Hit:
    """What a kind reports before the engine turns it into a :class:`Finding`.

    Attributes:
        label: What matched (entity name, phrase category, argument name).
        detail: A human explanation that never quotes sensitive values.
        span: Offsets in the checked text, when the hit is textual.
        replacement: Text to put in place of the span when the rule redacts.
        arg: For tool calls, the argument the span refers to.
        action: Overrides the rule's action for this hit (a kind whose meaning
            requires it, e.g. injection refusing writes in a tainted session).
    """

    label: str
    detail: str
    span: tuple[int, int] | None = None
    replacement: str | None = None
    arg: str | None = None
    action: Action | None = None


@dataclass(frozen=True)
class Finding:
    """One rule that fired, as recorded in a :class:`Decision` and the audit log.

    Attributes:
        rule_id: The rule's id, e.g. ``F-C1``.
        kind: The rule's kind.
        action: The rule's action.
        severity: The rule's severity.
        stage: The stage that was checked.
        label: What matched (entity, phrase category, argument).
        detail: Explanation; never contains a redacted value.
        span: Offsets in the checked text (original, before any change).
        passage: Index of the passage, for the retrieval stage.
        arg: The tool argument concerned, for the tool_call stage.
    """

    rule_id: str
    kind: str
    action: Action
    severity: Severity
    stage: Stage
    label: str
    detail: str
    span: tuple[int, int] | None = None
    passage: int | None = None
    arg: str | None = None

    def to_record(self) -> dict[str, Any]:
        """Return a JSON-ready dict (safe to log: holds no matched text)."""
        record: dict[str, Any] = {
            "rule": self.rule_id,
            "kind": self.kind,
            "action": self.action,
            "severity": self.severity,
            "label": self.label,
            "detail": self.detail,
        }
        if self.span is not None:
            record["span"] = list(self.span)
        if self.passage is not None:
            record["passage"] = self.passage
        if self.arg is not None:
            record["arg"] = self.arg
        return record


@dataclass(frozen=True)
class ToolCall:
    """A tool call as the compliance kinds see it.

    Attributes:
        name: Tool name.
        args: Arguments as the model produced them.
        write: Whether the tool changes state (``x-write: true`` in its schema).
    """

    name: str
    args: Mapping[str, Any]
    write: bool = False


@dataclass(frozen=True)
class Passage:
    """A retrieved passage: text plus the store's id and metadata.

    Attributes:
        text: The passage text.
        id: The store's document/chunk id, if any.
        metadata: Store metadata (source, region, classification...).
    """

    text: str
    id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
