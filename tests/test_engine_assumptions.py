"""A default that stands in for something the question said is said in the answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

import toolkit.engine.assumptions as assumptions
from toolkit.engine import LocalEngine
from toolkit.engine.assumptions import (
    ASSUMPTION_LINE,
    Assumption,
    describe_assumption,
    find_assumptions,
)

# A savings tool written for these tests (not from any pack).
PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "principal": {"type": "number", "description": "Amount deposited.", "x-unit": "currency"},
        "annual_rate": {
            "type": "number",
            "description": "Nominal annual rate as a decimal fraction (3.5% is 0.035).",
            "x-unit": "fraction",
        },
        "years": {"type": "number", "description": "Term in years.", "x-unit": "years"},
        "compounds_per_year": {
            "type": "integer",
            "default": 12,
            "description": "Compounding periods per year (12 = monthly, 4 = quarterly, 季度).",
        },
        "tax_rate": {
            "type": "number",
            "default": 0.0,
            "description": "Withholding tax on the interest, as a fraction (policy setting).",
            "x-unit": "fraction",
        },
    },
    "required": ["principal", "annual_rate", "years"],
    "x-result": {
        "type": "object",
        "properties": {
            "future_value": {
                "type": "number",
                "description": "Value at the end of the term, rounded to cents.",
                "x-unit": "currency",
            }
        },
    },
}
DESCRIPTION = "Future value of a deposit with compound interest."
TOOL = {
    "type": "function",
    "function": {"name": "savings_growth", "description": DESCRIPTION, "parameters": PARAMETERS},
}


def _find(question: str, arguments: dict[str, Any]) -> list[Assumption]:
    return find_assumptions(question, "savings_growth", DESCRIPTION, PARAMETERS, arguments)


def test_a_default_for_a_word_the_question_used_is_an_assumption() -> None:
    question = "Future value of a 25,000 deposit at 3.5% for 7 years, compounded quarterly"
    found = _find(question, {"principal": 25000, "annual_rate": 0.035, "years": 7})
    assert found == [Assumption("savings_growth", "compounds_per_year", 12, "quarterly")]
    assert describe_assumption(found[0]) == (
        "Assumed compounds_per_year = 12 (the default): could not read 'quarterly'."
    )
    assert ASSUMPTION_LINE.match(describe_assumption(found[0], chinese=True))


@pytest.mark.parametrize(
    ("question", "arguments"),
    [
        # Nothing said about compounding or tax: the defaults are no assumption.
        ("Future value of 25,000 at 3.5% for 7 years?", {"principal": 25000}),
        # A word shared with another parameter ("interest", "years") or the tool is no mention.
        ("Interest on 25,000 at 3.5% over 7 years", {"principal": 25000}),
        # The call set another value than the default: nothing stood in.
        ("25,000 at 3.5% for 7 years compounded quarterly", {"compounds_per_year": 4}),
    ],
)
def test_no_spurious_assumptions(question: str, arguments: dict[str, Any]) -> None:
    assert _find(question, arguments) == []


def test_a_chinese_mention_in_the_description_counts() -> None:
    found = _find("存款2.5万，年利率3.5%，7年，按季度复利", {"principal": 25000})  # noqa: RUF001
    assert [a.parameter for a in found] == ["compounds_per_year"]
    line = describe_assumption(found[0], chinese=True)
    assert line.startswith("假设 compounds_per_year = 12（默认值）：无法读取“")  # noqa: RUF001


def test_the_argument_readers_unread_mentions_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Filled.unread` (parameter -> words it could not read) is taken as it comes."""
    real = assumptions.fill_arguments  # type: ignore[attr-defined]

    def with_unread(schema: dict[str, Any], text: str) -> Any:
        filled = real(schema, text)
        object.__setattr__(filled, "unread", {"tax_rate": "after tax at the usual rate"})
        return filled

    monkeypatch.setattr(assumptions, "fill_arguments", with_unread)
    found = _find("25,000 at 3.5% for 7 years, after tax at the usual rate", {})
    assert found == [Assumption("savings_growth", "tax_rate", 0.0, "after tax at the usual rate")]


def _converse(question: str) -> tuple[dict[str, Any], str]:
    engine = LocalEngine()
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    first = engine.complete({"model": "m", "messages": messages, "tools": [TOOL]})
    message = first["choices"][0]["message"]
    (call,) = message["tool_calls"]
    arguments = json.loads(call["function"]["arguments"])
    n = arguments.get("compounds_per_year", 12)
    value = arguments["principal"] * (1 + arguments["annual_rate"] / n) ** (n * arguments["years"])
    result = json.dumps({"future_value": round(value, 2)})
    messages += [message, {"role": "tool", "tool_call_id": call["id"], "content": result}]
    final = engine.complete({"model": "m", "messages": messages, "tools": [TOOL]})
    return arguments, final["choices"][0]["message"]["content"]


def test_the_engine_says_what_it_assumed_after_the_tool_ran() -> None:
    # Continuous compounding is no count per year: the engine cannot read it into the field.
    arguments, answer = _converse(
        "Future value of a 25,000 deposit at 3.5% for 7 years, compounded continuously"
    )
    assert "compounds_per_year" not in arguments
    assert "- Value at the end of the term: 31,929.14." in answer
    assert "Assumed compounds_per_year = 12 (the default): could not read" in answer
    assert "continuously" in answer.split("Assumed", 1)[1]
    _, plain = _converse("Future value of a 25,000 deposit at 3.5% for 7 years")
    assert "Assumed" not in plain


def test_a_frequency_word_is_read_not_assumed() -> None:
    arguments, answer = _converse(
        "Future value of a 25,000 deposit at 3.5% for 7 years, compounded quarterly"
    )
    assert arguments["compounds_per_year"] == 4
    assert "Assumed" not in answer
