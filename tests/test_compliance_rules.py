"""Rule pack loading: validation errors name the file, line, rule and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.compliance import KINDS, RuleSet
from toolkit.errors import ConfigError, RulePackError

DATA = Path(__file__).parent / "data" / "compliance"

GOOD = """\
rules:
  - id: F-C1
    title: Mask card and account numbers
    regulation: PCI DSS v4.0.1 Req 3.4.1
    stages: [output, retrieval]
    kind: pii
    params: {entities: [card_pan, iban]}
    action: redact
    severity: high
"""


@pytest.mark.parametrize("name", ["finance_rules.yaml", "industries_rules.yaml"])
def test_shipped_packs_load(name: str) -> None:
    rules = RuleSet.load(DATA / name)
    assert len(rules) >= 12
    assert {r.kind for r in rules} <= set(KINDS)


def test_the_issue_example_loads() -> None:
    rules = RuleSet.from_yaml(GOOD)
    rule = rules.get("F-C1")
    assert rule.stages == ["output", "retrieval"] and rule.action == "redact"
    assert [r.id for r in rules.for_stage("retrieval")] == ["F-C1"]
    assert rules.for_stage("input") == []


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (_broken("kind: pii", "kind: piii"), 6, "kind", "known kinds are access, approval"),
        (_broken("action: redact", "action: redactt"), 8, "action", "Input should be"),
        (_broken("severity: high", "severity: hihg"), 9, "severity", "Input should be"),
        (_broken("stages: [output, retrieval]", "stages: [output, logs]"), 5, "stages.1", ""),
        (_broken("stages: [output, retrieval]", "stages: []"), 5, "stages", "at least 1"),
        (_broken("{entities: [card_pan, iban]}", "{entities: [card]}"), 7, "params.entities",
         "unknown entities"),
        (_broken("{entities: [card_pan, iban]}", "{entitys: [card_pan]}"), 7, "params.entitys",
         "Extra inputs"),
        (_broken("    title: Mask card and account numbers\n", ""), 2, "title", "Field required"),
        (_broken("action: redact", "action: require_approval"), 8, "action",
         "does not support action 'require_approval'"),
        (_broken("kind: pii", "kind: tool_permission"), 5, "stages", "cannot run at"),
    ],
)  # fmt: skip
def test_errors_name_file_line_rule_and_field(text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(RulePackError) as info:
        RuleSet.from_yaml(text, source="proj/compliance/rules.yaml")
    err = info.value
    message = str(err)
    assert isinstance(err, ConfigError) and isinstance(err, ValueError)
    assert message.startswith(f"proj/compliance/rules.yaml:{line} ")
    assert err.rule == "F-C1" and err.field == field
    assert words in message


def test_duplicate_ids_are_refused() -> None:
    text = GOOD + GOOD.removeprefix("rules:\n")
    with pytest.raises(RulePackError, match=r"rules.yaml:10 .*duplicate rule id") as info:
        RuleSet.from_yaml(text, source="rules.yaml")
    assert info.value.field == "id"


def test_duplicate_keys_are_refused() -> None:
    text = GOOD.replace("    severity: high\n", "    severity: high\n    action: flag\n")
    with pytest.raises(RulePackError, match=r"r.yaml:10 .*appears twice"):
        RuleSet.from_yaml(text, source="r.yaml")


def test_bad_predicate_is_refused_with_its_column() -> None:
    text = GOOD.replace(
        "    kind: pii\n    params: {entities: [card_pan, iban]}\n    action: redact\n",
        "    kind: approval\n    params: {tools: [x], when: 'limit >> 5'}\n    action: block\n",
    ).replace("[output, retrieval]", "[tool_call]")
    with pytest.raises(RulePackError, match="column 8") as info:
        RuleSet.from_yaml(text)
    assert info.value.field == "params.when"


def test_bad_regex_is_refused() -> None:
    text = GOOD.replace(
        "kind: pii\n    params: {entities: [card_pan, iban]}",
        "kind: phrase\n    params: {patterns: ['(unclosed']}",
    )
    with pytest.raises(RulePackError, match="invalid regular expression"):
        RuleSet.from_yaml(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("rules: {}\n", "'rules' list"),
        ("- a\n- b\n", "'rules' list"),
        ("", "'rules' list"),
        ("rules: [\n", "not valid YAML"),
        ("rules: []\nextra: 1\n", "unknown top-level key"),
        ("rules:\n  - just a string\n", "each rule must be a mapping"),
    ],
)
def test_file_shape_errors(text: str, words: str) -> None:
    with pytest.raises(RulePackError, match=words):
        RuleSet.from_yaml(text, source="r.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="file not found"):
        RuleSet.load(tmp_path / "compliance" / "rules.yaml")
