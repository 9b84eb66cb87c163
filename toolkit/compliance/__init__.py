"""Compliance: a declarative rule pack enforced at four stages, with an audit log.

The LangChain middleware lives in :mod:`toolkit.compliance.middleware` and is
imported lazily (``ComplianceMiddleware`` below) so that loading rules or
verifying a log does not import LangChain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolkit.compliance.at_rest import mask_at_rest
from toolkit.compliance.audit import AuditLog, VerifyResult, canonical_json
from toolkit.compliance.decision import Decision
from toolkit.compliance.engine import ComplianceEngine
from toolkit.compliance.kinds import KINDS
from toolkit.compliance.masking import mask_value
from toolkit.compliance.predicate import Predicate, PredicateEvalError, parse_predicate
from toolkit.compliance.recognizers import BUILTIN_ENTITIES
from toolkit.compliance.rules import Rule, RuleSet
from toolkit.compliance.types import ACTIONS, STAGES, Finding, Passage, ToolCall
from toolkit.compliance.write_gate import ToolIntent, TurnEvidence, WriteGate

if TYPE_CHECKING:
    from toolkit.compliance.middleware import ComplianceMiddleware

__all__ = [
    "ACTIONS",
    "BUILTIN_ENTITIES",
    "KINDS",
    "STAGES",
    "AuditLog",
    "ComplianceEngine",
    "ComplianceMiddleware",
    "Decision",
    "Finding",
    "Passage",
    "Predicate",
    "PredicateEvalError",
    "Rule",
    "RuleSet",
    "ToolCall",
    "ToolIntent",
    "TurnEvidence",
    "VerifyResult",
    "WriteGate",
    "canonical_json",
    "mask_at_rest",
    "mask_value",
    "parse_predicate",
]


def __getattr__(name: str) -> Any:
    if name == "ComplianceMiddleware":
        from toolkit.compliance.middleware import ComplianceMiddleware

        return ComplianceMiddleware
    raise AttributeError(f"module 'toolkit.compliance' has no attribute {name!r}")
