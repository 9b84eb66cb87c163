from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.evals import RuleInfo, citations, load_rules

PACK = """\
rules:
  - id: F-C1
    title: Mask card numbers
    regulation: PCI DSS v4.0.1 Req 3.4.1
    stages: [output]
    kind: pii
    params: {entities: [card_pan]}
    action: redact
    severity: high
  - id: F-C3
    regulation: EU AI Act Art. 14
    kind: tool_permission
    roles: [customer_service]
    params:
      deny: {"*": [wire_funds], customer_service: set_credit_limit}
"""


def test_load_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(PACK, encoding="utf-8")
    rules = load_rules(path)
    assert [r.id for r in rules] == ["F-C1", "F-C3"]
    assert rules[0].pii_entities("customer_service") == ["card_pan"]
    assert rules[0].wording() is None and rules[1].wording() is None
    assert rules[1].tool_denial("set_credit_limit", "customer_service", ())
    assert rules[1].tool_denial("set_credit_limit", "credit_officer", ()) is None
    assert rules[1].tool_denial("wire_funds", "credit_officer", ())
    assert rules[1].applies_to("customer_service") and not rules[1].applies_to("credit_officer")
    assert citations(rules) == {"F-C1": "PCI DSS v4.0.1 Req 3.4.1", "F-C3": "EU AI Act Art. 14"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- a\n", "'rules' list"),
        ("rules: {}\n", "'rules' list"),
        ("rules:\n  - title: no id\n", "rules.0.id"),
    ],
)
def test_bad_rule_packs(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_rules(path)


@pytest.mark.parametrize(
    ("params", "text", "answer", "needed"),
    [
        ({"text": "Not advice.", "topics": ["fund"]}, "Not advice.", "Fund A returned 5%.", True),
        ({"text": "Not advice.", "topics": ["fund"]}, "Not advice.", "Fundamentals.", False),
        ({"text": "Not advice.", "patterns": [r"\binvest"]}, "Not advice.", "Investing is", True),
        ({"text": "  ", "topics": ["fund"]}, None, "fund", False),
    ],
)
def test_disclaimer_params(
    params: dict[str, object], text: str | None, answer: str, needed: bool
) -> None:
    rule = RuleInfo(id="D", kind="disclaimer", params=params)
    assert rule.disclaimer_text == text
    topic = rule.topic()
    assert topic is not None
    assert (text is not None and topic.first(answer) is not None) is needed


def test_pii_entities_default_to_all() -> None:
    rule = RuleInfo(id="P", kind="pii")
    assert {"card_pan", "iban"} <= set(rule.pii_entities(None))
    assert RuleInfo(id="Q", kind="phrase").pii_entities(None) == []
