"""``pii``: personal and payment data found by checksum-validated recognizers."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolkit.compliance.argpaths import iter_strings
from toolkit.compliance.kinds._text import compile_pattern
from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.masking import MaskStyle, mask_value
from toolkit.compliance.recognizers import (
    BUILTIN_ENTITIES,
    PatternRecognizer,
    Recognizer,
    builtin_recognizer,
)
from toolkit.compliance.types import Action, Hit, Stage, ToolCall

__all__ = ["CustomEntity", "PiiKind", "PiiParams"]


class CustomEntity(BaseModel):
    """A custom entity: a name, a regex and how to mask it.

    Attributes:
        name: Entity name used in findings.
        pattern: Regular expression (case-insensitive) for the whole value.
        keep_last: Characters kept at the end when masking partially; 0 (default)
            replaces the value with ``[NAME REDACTED]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    pattern: str
    keep_last: int = Field(default=0, ge=0, le=8)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        compile_pattern(value)
        return value


class PiiParams(KindParams):
    """Params of ``pii``.

    Attributes:
        entities: Built-in entities to look for (default: all of them).
        custom: Extra entities defined by regex.
        mask: ``partial`` (keep the safe part) or ``full``, for every entity...
        masks: ...or per entity.
        unmask_roles: Roles with a need to see the values; the rule skips them.
        scan_args: At the tool_call stage, which arguments to scan (default all strings).
    """

    entities: list[str] = Field(default_factory=lambda: list(BUILTIN_ENTITIES))
    custom: list[CustomEntity] = Field(default_factory=list)
    mask: MaskStyle = "partial"
    masks: dict[str, MaskStyle] = Field(default_factory=dict)
    unmask_roles: list[str] = Field(default_factory=list)
    scan_args: list[str] | None = None

    @field_validator("entities")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(BUILTIN_ENTITIES))
        if unknown:
            raise ValueError(
                f"unknown entities {unknown}; built-in ones are {list(BUILTIN_ENTITIES)} "
                "(define others under 'custom')"
            )
        return value

    @model_validator(mode="after")
    def _masks_known(self) -> PiiParams:
        names = set(self.entities) | {c.name for c in self.custom}
        extra = sorted(set(self.masks) - names)
        if extra:
            raise ValueError(f"'masks' names entities this rule does not detect: {extra}")
        if not names:
            raise ValueError("the rule detects nothing: give 'entities' or 'custom'")
        return self


class PiiKind(Kind):
    """Finds entities; ``redact`` replaces each with its mask."""

    name: ClassVar[str] = "pii"
    params_model: ClassVar[type[KindParams]] = PiiParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"input", "retrieval", "tool_call", "output"})
    actions: ClassVar[frozenset[Action]] = frozenset({"redact", "block", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, PiiParams)
        self.p = params
        self.recognizers: list[Recognizer] = [builtin_recognizer(e) for e in params.entities]
        self.recognizers += [
            PatternRecognizer(c.name, compile_pattern(c.pattern)) for c in params.custom
        ]
        self._keep = {c.name: c.keep_last for c in params.custom}

    def applies_to(self, role: str) -> bool:
        """Roles listed in ``unmask_roles`` see values in clear."""
        return role not in self.p.unmask_roles

    def _mask(self, entity: str, value: str) -> str:
        style = self.p.masks.get(entity, self.p.mask)
        if entity in self._keep:
            keep = self._keep[entity] if style == "partial" else 0
            if keep == 0:
                return f"[{entity.upper()} REDACTED]"
            return "*" * (len(value) - keep) + value[-keep:]
        return mask_value(entity, value, style)

    def scan_text(self, text: str, ctx: CheckContext) -> list[Hit]:
        """Return one hit per recognised entity, with its masked replacement."""
        return [
            Hit(
                label=m.entity,
                detail=f"{m.entity} found ({m.end - m.start} characters)",
                span=(m.start, m.end),
                replacement=self._mask(m.entity, m.value),
            )
            for recognizer in self.recognizers
            for m in recognizer.find(text)
        ]

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Scan string arguments at any depth (all, or those under ``scan_args``).

        A hit's ``arg`` is the string's path, e.g. ``note`` or ``items[0].memo``.
        """
        hits = []
        for arg, value in call.args.items():
            if self.p.scan_args is not None and arg not in self.p.scan_args:
                continue
            for path, text in iter_strings(value, arg):
                hits += [
                    Hit(
                        hit.label,
                        f"argument {path!r}: {hit.detail}",
                        hit.span,
                        hit.replacement,
                        path,
                    )
                    for hit in self.scan_text(text, ctx)
                ]
        return hits
