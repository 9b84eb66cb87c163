"""The parts of a project's rule pack that evaluation needs: ids, citations and checkable params.

The rule pack itself is validated by `toolkit.compliance`; this reader only
needs each rule's ``id``, ``kind``, ``regulation``, optional ``roles`` and
``params``, and is lenient about kinds it does not check. Which params are
read, per kind (documented in docs/decisions.md):

- ``phrase``: ``phrases`` (forbidden wording, matched case-insensitively);
- ``pii``: ``entities`` (``card_pan`` and ``iban`` are checked by checksum);
- ``disclaimer``: ``text`` (the disclaimer) and ``topics`` (keywords; none = always);
- any kind: ``forbidden_tools`` (tool names that must never run), or
  ``forbidden_tools_by_role`` (role -> tool names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolkit.errors import ConfigError
from toolkit.yamlfile import config_error, read_yaml

__all__ = ["RuleInfo", "citations", "load_rules"]


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

    def _strings(self, key: str) -> list[str]:
        value = self.params.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(item) for item in value if isinstance(item, str | int | float)]
        return []

    @property
    def phrases(self) -> list[str]:
        """Forbidden phrases of a ``phrase`` rule."""
        return self._strings("phrases") if self.kind == "phrase" else []

    @property
    def pii_entities(self) -> list[str]:
        """Entities of a ``pii`` rule."""
        return self._strings("entities") if self.kind == "pii" else []

    @property
    def disclaimer_text(self) -> str | None:
        """The disclaimer a ``disclaimer`` rule requires."""
        text = self.params.get("text") if self.kind == "disclaimer" else None
        return text if isinstance(text, str) and text.strip() else None

    @property
    def disclaimer_topics(self) -> list[str]:
        """Keywords that make the disclaimer necessary (none: always)."""
        return self._strings("topics")

    def forbidden_tools(self, role: str | None) -> set[str]:
        """Tools this rule forbids from running for ``role``."""
        names = set(self._strings("forbidden_tools"))
        by_role = self.params.get("forbidden_tools_by_role")
        if isinstance(by_role, Mapping) and role is not None:
            value = by_role.get(role, [])
            names.update(str(v) for v in (value if isinstance(value, list) else [value]))
        return names


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
