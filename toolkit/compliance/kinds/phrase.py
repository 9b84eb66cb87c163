"""``phrase``: forbidden wording, case-insensitive, in any language."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from toolkit.compliance.argpaths import iter_strings
from toolkit.compliance.kinds._text import PhraseMatcher, compile_pattern
from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.types import Action, Hit, Stage, ToolCall

__all__ = ["PhraseKind", "PhraseParams"]

_SENTENCE_END = re.compile(r"[.!?;\n\u3002\uff01\uff1f\uff1b]")


class PhraseParams(KindParams):
    """Params of ``phrase``.

    Attributes:
        phrases: Literal phrases; whitespace inside a phrase matches any whitespace.
        patterns: Regular expressions, for wording with variable parts ("will earn 8%").
        unless: Phrases that excuse a match in the same sentence ("hypothetical", "假设").
        replacement: Text put in place of a match when the action is ``redact``.
    """

    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    replacement: str = "[removed]"

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            compile_pattern(pattern)
        return value

    @model_validator(mode="after")
    def _something(self) -> PhraseParams:
        if not any(p.strip() for p in self.phrases) and not self.patterns:
            raise ValueError("give at least one entry in 'phrases' or 'patterns'")
        return self


def sentence_around(text: str, start: int, end: int) -> str:
    """Return the sentence of ``text`` that contains ``text[start:end]``."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    return text[left : right_match.start() if right_match else len(text)]


class PhraseKind(Kind):
    """Reports every forbidden phrase; ``redact`` replaces it, ``block`` withholds the text."""

    name: ClassVar[str] = "phrase"
    params_model: ClassVar[type[KindParams]] = PhraseParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"input", "retrieval", "tool_call", "output"})
    actions: ClassVar[frozenset[Action]] = frozenset({"redact", "block", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, PhraseParams)
        self.p = params
        self.matcher = PhraseMatcher(params.phrases, params.patterns)
        self.unless = PhraseMatcher(params.unless) if params.unless else None

    def scan_text(self, text: str, ctx: CheckContext) -> list[Hit]:
        """Return one hit per forbidden phrase not excused in its sentence."""
        hits: list[Hit] = []
        for m in self.matcher.finditer(text):
            if m.end() == m.start():
                continue
            if self.unless is not None and self.unless.search(
                sentence_around(text, m.start(), m.end())
            ):
                continue
            hits.append(
                Hit(
                    label="phrase",
                    detail="forbidden wording",
                    span=(m.start(), m.end()),
                    replacement=self.p.replacement,
                )
            )
        return hits

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Scan string arguments of the call at any depth (``arg`` is the string's path)."""
        hits = []
        for path, value in iter_strings(dict(call.args)):
            hits += [
                Hit("phrase", f"argument {path!r}: forbidden wording", h.span, h.replacement, path)
                for h in self.scan_text(value, ctx)
            ]
        return hits
