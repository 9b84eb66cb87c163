"""The rule pack: ``compliance/rules.yaml`` loaded, validated and compiled."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from toolkit.compliance.kinds import KINDS, Kind
from toolkit.compliance.types import Action, Severity, Stage
from toolkit.errors import ConfigError, PredicateError, RulePackError
from toolkit.yamlfile import line_for, parse_yaml, read_text_capped

__all__ = ["Rule", "RuleSet"]


class Rule(BaseModel):
    """One rule of the pack.

    Attributes:
        id: Unique id, e.g. ``F-C1``.
        title: Short human title.
        regulation: The citation the rule implements.
        stages: Where it runs: ``input``, ``retrieval``, ``tool_call``, ``output``.
        kind: One of the known kinds (see :data:`toolkit.compliance.kinds.KINDS`).
        params: The kind's parameters.
        action: ``redact``, ``block``, ``require_approval``, ``append_disclaimer`` or ``flag``.
        severity: ``info``, ``low``, ``medium``, ``high`` or ``critical``.
        roles: Roles the rule applies to; absent means every role.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    title: str = Field(min_length=1)
    regulation: str = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    action: Action
    severity: Severity
    roles: list[str] | None = None

    _check: Kind | None = PrivateAttr(default=None)

    @property
    def check(self) -> Kind:
        """The compiled kind instance for this rule."""
        if self._check is None:  # pragma: no cover - RuleSet always compiles
            raise RuntimeError(f"rule {self.id} was not compiled; load it through RuleSet")
        return self._check

    def applies_to(self, role: str) -> bool:
        """Whether the rule runs for ``role``."""
        return (self.roles is None or role in self.roles) and self.check.applies_to(role)


class RuleSet:
    """A validated, compiled rule pack.

    Build it with :meth:`load` (a file) or :meth:`from_dict` (data already parsed).
    """

    def __init__(self, rules: list[Rule], source: str = "<rules>") -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.source = source

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"RuleSet({len(self.rules)} rules from {self.source})"

    def get(self, rule_id: str) -> Rule:
        """Return the rule with ``rule_id``.

        Raises:
            KeyError: no such rule.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def for_stage(self, stage: Stage, role: str | None = None) -> list[Rule]:
        """Rules that run at ``stage`` (for ``role`` when given), in file order."""
        return [r for r in self.rules if stage in r.stages and (role is None or r.applies_to(role))]

    @classmethod
    def load(cls, path: str | Path) -> RuleSet:
        """Load and validate a rule pack from a YAML file.

        Raises:
            RulePackError: the file is missing, not YAML, or a rule is invalid; the
                message names the file, the line, the rule id and the field.
        """
        path = Path(path)
        if not path.exists():
            raise RulePackError(
                file=str(path),
                problem="file not found (a project keeps it at compliance/rules.yaml)",
            )
        try:
            text = read_text_capped(path)
        except ConfigError as exc:
            raise RulePackError(file=str(path), problem=exc.problem) from None
        return cls.from_yaml(text, source=str(path))

    @classmethod
    def from_yaml(cls, text: str, source: str = "<rules>") -> RuleSet:
        """Parse and validate a rule pack given as YAML text."""
        try:
            doc = parse_yaml(text, source=source)
        except ConfigError as exc:
            raise RulePackError(
                file=source, field=exc.key, problem=exc.problem, line=exc.line
            ) from None
        return cls.from_dict(doc.data, source=source, lines=doc.lines)

    @classmethod
    def from_dict(
        cls,
        data: Any,
        source: str = "<rules>",
        lines: Mapping[tuple[Any, ...], int] | None = None,
    ) -> RuleSet:
        """Validate a rule pack already parsed into Python data (``{"rules": [...]}``)."""
        lines = lines or {}
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RulePackError(
                file=source,
                problem="the file must be a mapping with a 'rules' list",
                line=line_for(lines, ()),
            )
        extra = sorted(set(data) - {"rules", "version"})
        if extra:
            raise RulePackError(
                file=source,
                field=str(extra[0]),
                problem="unknown top-level key; allowed keys are 'rules' and 'version'",
                line=line_for(lines, (extra[0],)),
            )
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(data["rules"]):
            rule = _compile(raw, index, source, lines)
            if rule.id in seen:
                raise RulePackError(
                    file=source,
                    rule=rule.id,
                    field="id",
                    problem=f"duplicate rule id (first used by rule #{seen[rule.id] + 1}); "
                    "ids must be unique",
                    line=line_for(lines, ("rules", index, "id")),
                )
            seen[rule.id] = index
            rules.append(rule)
        return cls(rules, source=source)


def _compile(raw: Any, index: int, source: str, lines: Mapping[tuple[Any, ...], int]) -> Rule:
    base = ("rules", index)
    rule_name = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"#{index + 1}"

    def fail(field_path: tuple[Any, ...], problem: str) -> RulePackError:
        return RulePackError(
            file=source,
            rule=rule_name,
            field=".".join(str(p) for p in field_path),
            problem=problem,
            line=line_for(lines, (*base, *field_path)),
        )

    if not isinstance(raw, dict):
        raise fail(
            (),
            "each rule must be a mapping with id, title, regulation, stages, kind, params, "
            "action, severity",
        )
    try:
        rule = Rule.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise fail(tuple(err["loc"]), err["msg"]) from None
    kind_cls = KINDS.get(rule.kind)
    if kind_cls is None:
        raise fail(
            ("kind",), f"unknown kind {rule.kind!r}; known kinds are {', '.join(sorted(KINDS))}"
        )
    bad_stages = [s for s in rule.stages if s not in kind_cls.stages]
    if bad_stages:
        raise fail(
            ("stages",),
            f"kind {rule.kind!r} cannot run at {bad_stages}; it supports {sorted(kind_cls.stages)}",
        )
    if rule.action not in kind_cls.actions:
        raise fail(
            ("action",),
            f"kind {rule.kind!r} does not support action {rule.action!r}; "
            f"use one of {sorted(kind_cls.actions)}",
        )
    try:
        params = kind_cls.params_model.model_validate(rule.params)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ("params", *err["loc"]) if err["loc"] else ("params",)
        msg = err["msg"].removeprefix("Value error, ")
        raise fail(loc, f"{msg} (see docs/compliance.md, kind '{rule.kind}')") from None
    except PredicateError as exc:  # pragma: no cover - wrapped by pydantic as ValueError
        raise fail(("params",), str(exc)) from None
    rule._check = kind_cls(params)
    return rule
