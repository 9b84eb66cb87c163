"""The PII floor: payment and identity numbers are masked whatever the pack's rules say.

A pack's ``pii`` rules decide what its roles see; where they are silent, a valid
card number, IBAN or PRC resident id still never reaches a user or a model's
context in clear (PCI DSS 3.4.1 applies to an energy desk as much as to a
bank). A role is entitled to one of these entities only when a ``pii`` rule
that detects it lists the role in ``unmask_roles``. The floor runs after the
rules, at the output and retrieval stages, on what the rules left.
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.compliance.kinds.pii import PiiKind
from toolkit.compliance.masking import mask_value
from toolkit.compliance.recognizers import Recognizer, builtin_recognizer
from toolkit.compliance.rules import Rule
from toolkit.compliance.types import Finding, Stage

__all__ = ["FLOOR_ENTITIES", "FLOOR_ID", "PiiFloor"]

FLOOR_ENTITIES: tuple[str, ...] = ("card_pan", "iban", "cn_resident_id")
"""Entities masked for every role not entitled to them by a ``pii`` rule."""

FLOOR_ID = "PII-FLOOR"
"""The id under which the floor's masking appears in decisions and the audit log."""


class PiiFloor:
    """Masks the floor entities a role is not entitled to.

    Args:
        rules: The rule pack.
        role: The session's role.
        active: The rules that run at the floor's stage for this role: an entity a
            ``pii`` rule among them already redacts needs no second scan.
    """

    def __init__(self, rules: Iterable[Rule], role: str, active: Iterable[Rule] = ()) -> None:
        skip: set[str] = set()
        for rule in rules:
            check = rule.check
            if isinstance(check, PiiKind) and role in check.p.unmask_roles:
                skip.update(check.p.entities)
        for rule in active:
            if isinstance(rule.check, PiiKind) and rule.action == "redact":
                skip.update(r.entity for r in rule.check.recognizers)
        self.recognizers: list[Recognizer] = [
            builtin_recognizer(e) for e in FLOOR_ENTITIES if e not in skip
        ]

    def apply(
        self, text: str, stage: Stage, passage: int | None = None
    ) -> tuple[str, list[Finding]]:
        """Return ``text`` with every floor entity masked, and one finding per value."""
        from toolkit.compliance.engine import apply_replacements

        edits: list[tuple[tuple[int, int], str]] = []
        findings: list[Finding] = []
        for recognizer in self.recognizers:
            for m in recognizer.find(text):
                edits.append(((m.start, m.end), mask_value(m.entity, m.value)))
                findings.append(
                    Finding(
                        rule_id=FLOOR_ID,
                        kind="pii",
                        action="redact",
                        severity="high",
                        stage=stage,
                        label=m.entity,
                        detail=f"{m.entity} found ({m.end - m.start} characters), masked",
                        span=(m.start, m.end),
                        passage=passage,
                    )
                )
        return (apply_replacements(text, edits) if edits else text), findings
