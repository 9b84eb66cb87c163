"""The contract every rule kind implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from toolkit.compliance.types import Action, Hit, Passage, Stage, ToolCall

__all__ = ["CheckContext", "Kind", "KindParams"]


class KindParams(BaseModel):
    """Parameters every kind accepts.

    Attributes:
        message: What the user or model is told when the rule blocks or holds something.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: str | None = None


@dataclass
class CheckContext:
    """Per-session facts the kinds may read.

    Attributes:
        role: The caller's role.
        context: Deployment facts for predicates (``ctx.<name>``), e.g. the endpoint region.
        quarantined: Number of retrieved passages quarantined so far in this session.
        write_tools: Names known to be write tools.
    """

    role: str
    context: Mapping[str, Any] = field(default_factory=dict)
    quarantined: int = 0
    write_tools: frozenset[str] = frozenset()


class Kind:
    """Base class of the rule kinds; a kind instance holds one rule's validated params."""

    name: ClassVar[str]
    params_model: ClassVar[type[KindParams]] = KindParams
    stages: ClassVar[frozenset[Stage]]
    actions: ClassVar[frozenset[Action]]

    def __init__(self, params: KindParams) -> None:
        self.params = params

    def applies_to(self, role: str) -> bool:
        """Whether the rule runs for ``role`` (beyond the rule's ``roles`` list)."""
        return True

    def scan_text(self, text: str, ctx: CheckContext) -> list[Hit]:
        """Check text at the input or output stage (or a passage's text)."""
        return []

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Check a tool call."""
        return []

    def scan_passage(self, passage: Passage, ctx: CheckContext) -> list[Hit]:
        """Check a retrieved passage; by default its text."""
        return self.scan_text(passage.text, ctx)

    def quarantine(self, passage: Passage, rule_id: str) -> Passage | None:
        """Return what a flagged passage becomes (None drops it); default unchanged."""
        return passage
