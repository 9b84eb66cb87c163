"""Pin toolkit.compliance's public surface."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC = {
    "toolkit.compliance": [
        "ACTIONS", "BUILTIN_ENTITIES", "KINDS", "STAGES", "AuditLog", "ComplianceEngine",
        "ComplianceMiddleware", "Decision", "Finding", "Passage", "Predicate",
        "PredicateEvalError", "Rule", "RuleSet", "ToolCall", "ToolIntent", "TurnEvidence",
        "VerifyResult", "WriteGate", "canonical_json", "mask_at_rest", "mask_value",
        "parse_predicate",
    ],
    "toolkit.compliance.recognizers": [
        "BUILTIN_ENTITIES", "IBAN_LENGTHS", "CardPanRecognizer", "CnResidentIdRecognizer",
        "EmailRecognizer", "IbanRecognizer", "Match", "PatternRecognizer", "PhoneRecognizer",
        "Recognizer", "VinRecognizer", "builtin_recognizer", "cn_id_check_char",
        "is_valid_cn_resident_id", "is_valid_iban", "is_valid_pan", "is_valid_vin", "luhn_valid",
        "vin_check_digit",
    ],
    "toolkit.compliance.kinds": ["KINDS", "CheckContext", "Kind", "KindParams"],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC[module])
    for name in mod.__all__:
        assert getattr(mod, name) is not None


def test_known_kinds() -> None:
    from toolkit.compliance import KINDS

    assert sorted(KINDS) == [
        "access", "approval", "bounds", "disclaimer", "injection", "list_limit", "phrase", "pii",
        "tool_permission",
    ]  # fmt: skip


def test_loading_rules_does_not_import_langchain() -> None:
    code = (
        "import sys, toolkit.compliance as c; c.RuleSet.from_yaml('rules: []');"
        "print(any(m.startswith('langchain') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
