"""``list_limit``: at most N listed items when a topic is present (e.g. adverse-action reasons)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from toolkit.compliance.kinds._text import PhraseMatcher, compile_pattern
from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.types import Action, Hit, Stage

__all__ = ["ListLimitKind", "ListLimitParams"]

_DEFAULT_ITEM = r"^\s*(?:\d{1,2}[.)\u3001]|[-*\u2022\u00b7]|[\uff08(]\d{1,2}[)\uff09])\s+\S"


class ListLimitParams(KindParams):
    """Params of ``list_limit``.

    Attributes:
        topics: Phrases that make the rule apply (e.g. "declined", "principal reasons").
        patterns: Regular expressions that make the rule apply.
        item_pattern: Regex for one list item (default: a numbered or bulleted line).
        max_items: The most items allowed.
    """

    topics: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    item_pattern: str = _DEFAULT_ITEM
    max_items: int = Field(ge=0)

    @model_validator(mode="after")
    def _check(self) -> ListLimitParams:
        for pattern in [*self.patterns, self.item_pattern]:
            compile_pattern(pattern)
        if not any(t.strip() for t in self.topics) and not self.patterns:
            raise ValueError("give at least one entry in 'topics' or 'patterns'")
        return self


class ListLimitKind(Kind):
    """Counts list items in text about the topic."""

    name: ClassVar[str] = "list_limit"
    params_model: ClassVar[type[KindParams]] = ListLimitParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"output"})
    actions: ClassVar[frozenset[Action]] = frozenset({"block", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, ListLimitParams)
        self.p = params
        self.topic = PhraseMatcher(params.topics, params.patterns)
        self.item = compile_pattern(params.item_pattern)

    def scan_text(self, text: str, ctx: CheckContext) -> list[Hit]:
        """Return a hit when the topic is present and there are too many items."""
        if not self.topic.search(text):
            return []
        count = sum(1 for _ in self.item.finditer(text))
        if count <= self.p.max_items:
            return []
        return [Hit("items", f"{count} listed items, at most {self.p.max_items} allowed")]
