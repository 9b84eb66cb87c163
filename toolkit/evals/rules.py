"""The parts of a project's rule pack that evaluation needs: ids, citations and checkable params.

`toolkit.compliance` validates the pack; this reader is lenient and keeps
each rule's ``id``, ``kind``, ``regulation``, optional ``roles`` and ``params``.
The params evaluation checks, per kind (the compliance rule-pack reference):

- ``phrase``: ``phrases``, ``patterns``, ``unless``;
- ``pii``: ``entities`` (default: all built-in ones, each checked as
  `toolkit.evals.pii` describes), ``unmask_roles``;
- ``disclaimer``: ``topics``, ``patterns``, ``text``;
- ``tool_permission``: ``tools``, ``allow``, ``deny``, ``write_tools``, ``reads``,
  ``always_allow``, ``deny_writes``;
- ``bounds``: ``tools``, ``args`` (``min``, ``max``, ``exclusive_min``,
  ``exclusive_max``, ``max_items``, ``required``).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolkit.errors import ConfigError
from toolkit.evals.pii import PII_ENTITIES
from toolkit.evals.textmatch import Wording
from toolkit.yamlfile import config_error, read_yaml

__all__ = ["APPROVAL_TOOL", "RuleInfo", "citations", "load_rules"]

APPROVAL_TOOL = "request_human_approval"
"""The harness's escalation tool: calling it records an approval request."""


def _globs(name: str, patterns: Sequence[str]) -> bool:
    return any(p == "*" or fnmatch.fnmatchcase(name, p) for p in patterns)


class RuleInfo(BaseModel):
    """One rule as evaluation sees it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    title: str = ""
    regulation: str = ""
    kind: str = ""
    stages: list[str] = Field(default_factory=list)
    roles: list[str] | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    def applies_to(self, role: str | None) -> bool:
        """Whether the rule applies to a request made in ``role``."""
        return self.roles is None or role is None or role in self.roles

    def _strings(self, key: str, default: Sequence[str] = ()) -> list[str]:
        value = self.params.get(key, default)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return [str(item) for item in value if isinstance(item, str | int | float)]
        return []

    def _role_map(self, key: str) -> dict[str, list[str]]:
        value = self.params.get(key)
        if not isinstance(value, Mapping):
            return {}
        return {
            str(role): [str(v) for v in (tools if isinstance(tools, list) else [tools])]
            for role, tools in value.items()
        }

    def wording(self) -> Wording | None:
        """The forbidden wording of a ``phrase`` rule."""
        if self.kind != "phrase":
            return None
        return Wording(self._strings("phrases"), self._strings("patterns"), self._strings("unless"))

    def topic(self) -> Wording | None:
        """The topic that makes a ``disclaimer`` rule's text necessary."""
        if self.kind != "disclaimer":
            return None
        return Wording(self._strings("topics"), self._strings("patterns"))

    @property
    def disclaimer_text(self) -> str | None:
        """The disclaimer a ``disclaimer`` rule requires."""
        text = self.params.get("text") if self.kind == "disclaimer" else None
        return text.strip() if isinstance(text, str) and text.strip() else None

    def pii_entities(self, role: str | None) -> list[str]:
        """Entities a ``pii`` rule keeps masked for ``role`` (none for its unmask roles)."""
        if self.kind != "pii" or (role is not None and role in self._strings("unmask_roles")):
            return []
        return self._strings("entities", PII_ENTITIES)

    def tool_denial(self, name: str, role: str | None, write_tools: Collection[str]) -> str | None:
        """Why a ``tool_permission`` rule forbids ``role`` to run ``name`` (None: it does not).

        ``write_tools`` are the project's write tools (``x-write`` in their schema); the rule's
        own ``write_tools`` add to them.
        """
        if self.kind != "tool_permission" or name in self._strings("always_allow", [APPROVAL_TOOL]):
            return None
        deny, allow = self._role_map("deny"), self._role_map("allow")
        role_key = role or ""
        if _globs(name, deny.get("*", []) + deny.get(role_key, [])):
            return f"{name} is denied for role {role}"
        if not _globs(name, self._strings("tools", ["*"])):
            return None
        allowed = _globs(name, allow.get(role_key, []))
        deny_writes = self.params.get("deny_writes")
        if not isinstance(deny_writes, bool):
            deny_writes = not (deny and not allow and not self._strings("write_tools"))
        is_write = name in write_tools or _globs(name, self._strings("write_tools"))
        if deny_writes and is_write and not allowed:
            return f"write tool {name} is not allowed for role {role}"
        if self.params.get("reads") == "deny" and not allowed:
            return f"{name} is not allowed for role {role}"
        return None

    def bound_problems(self, name: str, args: Mapping[str, Any]) -> list[str]:
        """Arguments of a call outside a ``bounds`` rule's limits."""
        bounds = self.params.get("args")
        if self.kind != "bounds" or not isinstance(bounds, Mapping):
            return []
        if not _globs(name, self._strings("tools")):
            return []
        problems = []
        for arg, bound in bounds.items():
            if not isinstance(bound, Mapping):
                continue
            if arg not in args:
                if bound.get("required"):
                    problems.append(f"{arg} is missing")
                continue
            problem = _bound_problem(args[arg], bound)
            if problem:
                problems.append(f"{arg}={args[arg]!r} {problem}")
        return problems


def _limit(bound: Mapping[str, Any], key: str) -> float | None:
    value = bound.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _bound_problem(value: Any, bound: Mapping[str, Any]) -> str | None:
    max_items = bound.get("max_items")
    if isinstance(value, list | tuple):
        if isinstance(max_items, int) and len(value) > max_items:
            return f"has {len(value)} items, more than {max_items}"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is not a number"
    number = float(value)
    if not math.isfinite(number):
        return "is not finite"
    below_min = _limit(bound, "min")
    above_max = _limit(bound, "max")
    at_or_below = _limit(bound, "exclusive_min")
    at_or_above = _limit(bound, "exclusive_max")
    if below_min is not None and number < below_min:
        return f"is below {below_min:g}"
    if above_max is not None and number > above_max:
        return f"is above {above_max:g}"
    if at_or_below is not None and number <= at_or_below:
        return f"is not above {at_or_below:g}"
    if at_or_above is not None and number >= at_or_above:
        return f"is not below {at_or_above:g}"
    return None


def load_rules(path: Path) -> list[RuleInfo]:
    """Read the rules of a rule pack (``compliance/rules.yaml``).

    Raises:
        ConfigError: the file is unreadable, not a mapping with a ``rules`` list, or a rule
            has no id; names the file and line.
    """
    doc = read_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(file=str(path), problem="must be a mapping with a 'rules' list")
    rules: list[RuleInfo] = []
    for index, raw in enumerate(data["rules"]):
        try:
            rules.append(RuleInfo.model_validate(raw))
        except ValidationError as exc:
            raise config_error(doc, exc, prefix=("rules", index)) from exc
    return rules


def citations(rules: Sequence[RuleInfo]) -> dict[str, str]:
    """Rule id -> regulation citation, for reports."""
    return {rule.id: rule.regulation for rule in rules}
