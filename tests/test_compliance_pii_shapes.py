"""Twenty realistic ways of writing an identifier, masked at every stage and at rest.

Each shape in ``data/pii_shapes.json`` is a way people or systems write a card
number, an IBAN, a resident id, a phone number or an e-mail address that slipped
past enforcement before: dots, mixed separators, double spaces, full-width digits,
glued to Chinese characters or letters, behind a "reference" label, lower-case
IBANs, spaced resident ids, contacts glued to Chinese text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolkit.compliance import AuditLog, ComplianceEngine, Passage, RuleSet
from toolkit.compliance.at_rest import mask_at_rest
from toolkit.compliance.recognizers import builtin_recognizer
from toolkit.evals.pii import find_unmasked_pii

SHAPES: list[dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "pii_shapes.json").read_text(encoding="utf-8")
)
IDS = [s["id"] for s in SHAPES]
RULES = RuleSet.from_dict(
    {
        "rules": [
            {
                "id": "P1",
                "title": "Mask personal and payment data",
                "regulation": "PCI DSS 3.4.1; PIPL",
                "stages": ["input", "retrieval", "tool_call", "output"],
                "kind": "pii",
                "action": "redact",
                "severity": "high",
            }
        ]
    }
)


def _clear(text: str) -> list[str]:
    """Entities still readable in full."""
    return [v.entity for v in find_unmasked_pii(text)]


def test_there_are_twenty_shapes() -> None:
    assert len(SHAPES) == 20 and len(set(IDS)) == 20


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_the_recognizer_and_the_leak_detector_agree(shape: dict[str, str]) -> None:
    found = [m.entity for m in builtin_recognizer(shape["entity"]).find(shape["text"])]
    assert found == [shape["entity"]]
    assert shape["entity"] in _clear(shape["text"])


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_masked_at_output_and_input(shape: dict[str, str]) -> None:
    engine = ComplianceEngine(RULES, role="agent")
    for check in (engine.check_output, engine.check_input):
        decision = check(shape["text"])
        assert decision.action == "redact"
        assert decision.text is not None and _clear(decision.text) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_masked_at_retrieval(shape: dict[str, str]) -> None:
    decision = ComplianceEngine(RULES, role="agent").filter_retrieved(
        [Passage(text=f"# Notes\n\n{shape['text']}", id="doc#0")]
    )
    (passage,) = decision.passages or ()
    assert _clear(passage.text) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_masked_in_tool_arguments_at_any_depth(shape: dict[str, str]) -> None:
    decision = ComplianceEngine(RULES, role="agent").check_tool_call(
        "log_note", {"note": shape["text"], "items": [{"memo": shape["text"]}]}
    )
    assert decision.args is not None
    assert _clear(json.dumps(decision.args, ensure_ascii=False)) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_never_in_clear_in_the_audit_log(shape: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    # No rule at all: the audit log is a side door and masks whatever the pack says.
    engine = ComplianceEngine(RuleSet([]), role="agent", audit=AuditLog(path))
    engine.check_tool_call("log_note", {"note": shape["text"], "deep": [[shape["text"]]]})
    engine.check_output(shape["text"])
    assert _clear(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_masked_at_rest(shape: dict[str, str]) -> None:
    record: dict[str, Any] = {"messages": [{"content": shape["text"]}], "answer": shape["text"]}
    assert _clear(json.dumps(mask_at_rest(record), ensure_ascii=False)) == []


@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_the_floor_masks_payment_and_identity_numbers_without_a_rule(
    shape: dict[str, str],
) -> None:
    decision = ComplianceEngine(RuleSet([]), role="agent").check_output(shape["text"])
    assert decision.text is not None
    left = _clear(decision.text)
    floor = {"card_pan", "iban", "cn_resident_id"}
    assert not floor & set(left)
    if shape["entity"] in floor:
        assert decision.rule_ids == ("PII-FLOOR",)


@pytest.mark.parametrize(
    "text",
    [
        '{"risk_weight": 0.25066147886538653, "pd": 0.0123}',
        "Total 1,234,567.89 USD on 2024-01-15, batch 4471, 42 units",
        "ratio 4111111111111111.5 here",
        "timestamp 1732608000123 and order ORD-2024-000123",
    ],
)
def test_decimals_and_ordinary_numbers_are_left_alone(text: str) -> None:
    engine = ComplianceEngine(RULES, role="agent")
    assert engine.check_output(text).text == text
    assert mask_at_rest(text) == text


def test_an_entitled_role_sees_the_value_through_the_floor() -> None:
    rules = RuleSet.from_dict(
        {
            "rules": [
                {
                    "id": "P1",
                    "title": "Cards",
                    "regulation": "PCI DSS 3.4.1",
                    "stages": ["output"],
                    "kind": "pii",
                    "params": {"entities": ["card_pan"], "unmask_roles": ["investigator"]},
                    "action": "redact",
                    "severity": "high",
                }
            ]
        }
    )
    text = "Card 4111 1111 1111 1111"
    assert ComplianceEngine(rules, role="investigator").check_output(text).text == text
    assert ComplianceEngine(rules, role="teller").check_output(text).text != text
