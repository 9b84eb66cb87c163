"""``disclaimer``: text that must accompany an answer on a given topic."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from toolkit.compliance.kinds._text import PhraseMatcher, compile_pattern
from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.types import Action, Hit, Stage

__all__ = ["DisclaimerKind", "DisclaimerParams"]


class DisclaimerParams(KindParams):
    """Params of ``disclaimer``.

    Attributes:
        topics: Phrases that mark the topic (any language, case-insensitive).
        patterns: Regular expressions that mark the topic.
        text: The disclaimer to append; not appended twice.
    """

    topics: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> DisclaimerParams:
        for pattern in self.patterns:
            compile_pattern(pattern)
        if not any(t.strip() for t in self.topics) and not self.patterns:
            raise ValueError("give at least one entry in 'topics' or 'patterns'")
        return self


class DisclaimerKind(Kind):
    """Fires when the topic is present and the disclaimer is not; the engine appends it."""

    name: ClassVar[str] = "disclaimer"
    params_model: ClassVar[type[KindParams]] = DisclaimerParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"output"})
    actions: ClassVar[frozenset[Action]] = frozenset({"append_disclaimer", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, DisclaimerParams)
        self.p = params
        self.matcher = PhraseMatcher(params.topics, params.patterns)

    def scan_text(self, text: str, ctx: CheckContext) -> list[Hit]:
        """Return a hit carrying the disclaimer text when it is needed."""
        if self.p.text.strip() in text:
            return []
        m = next(self.matcher.finditer(text), None)
        if m is None:
            return []
        return [
            Hit(
                label="topic",
                detail="topic requires a disclaimer",
                span=(m.start(), m.end()),
                replacement=self.p.text,
            )
        ]
