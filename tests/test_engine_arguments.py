"""Argument filling is driven by the JSON schema alone (units, enums, patterns, refs)."""

from __future__ import annotations

from typing import Any

import pytest

from toolkit.engine.arguments import fill_arguments


def obj(
    properties: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


def ppm(description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "x-unit": "ppm", "description": description}


@pytest.mark.parametrize(
    ("schema", "text", "expected"),
    [
        (
            obj(
                {"ch4": ppm("Methane."), "c2h4": ppm("Ethylene."), "c2h2": ppm("Acetylene.")},
                ["ch4", "c2h4", "c2h2"],
            ),
            "DGA: CH4 200 ppm, C2H4 90 ppm, C2H2 12 ppm.",
            {"ch4": 200.0, "c2h4": 90.0, "c2h2": 12.0},
        ),
        (
            obj(
                {
                    "demand_mw": {"type": "number", "x-unit": "MW"},
                    "reserve": {
                        "type": "number",
                        "maximum": 1,
                        "x-unit": "fraction",
                        "description": "Spinning reserve margin.",
                    },
                },
                ["demand_mw"],
            ),
            "Dispatch 1.2 GW with 15% reserve.",
            {"demand_mw": 1200.0, "reserve": 0.15},
        ),
        (
            obj(
                {
                    "severity": {"enum": ["S0", "S1", "S2", "S3"], "type": "string"},
                    "exposure": {"enum": ["E0", "E1", "E2", "E3", "E4"], "type": "string"},
                },
                ["severity", "exposure"],
            ),
            "Severity S2 and exposure E3",
            {"severity": "S2", "exposure": "E3"},
        ),
        (
            obj({"values": {"type": "array", "items": {"type": "number"}}}, ["values"]),
            "Limits for 5.1, 5.3, 4.9 and 5.0",
            {"values": [5.1, 5.3, 4.9, 5.0]},
        ),
        (
            obj({"code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}}, ["code"]),
            "Look up part ABC-1234 in the catalogue",
            {"code": "ABC-1234"},
        ),
        (
            obj(
                {
                    "current_a": {"type": "number", "x-unit": "A"},
                    "ambient": {"type": "number", "x-unit": "celsius"},
                },
                ["current_a", "ambient"],
            ),
            "a 250A cable at 95 °F",
            {"current_a": 250.0, "ambient": 35.0},
        ),
        (
            obj({"window_days": {"type": "integer", "minimum": 1}}, ["window_days"]),
            "over the last 2 weeks",
            {"window_days": 14},
        ),
        (
            obj({"impaired": {"type": "boolean"}}, ["impaired"]),
            "the exposure is not impaired",
            {"impaired": False},
        ),
        (
            obj({"reason": {"type": "string"}}, ["reason"]),
            'Please approve "raise the limit to 5,000" today',
            {"reason": "raise the limit to 5,000"},
        ),
    ],
)
def test_fills_from_schema(schema: dict[str, Any], text: str, expected: dict[str, Any]) -> None:
    filled = fill_arguments(schema, text)
    assert filled.missing == []
    assert filled.arguments == expected


def test_bounds_and_integers_rule_candidates_out() -> None:
    schema = obj(
        {
            "pd": {"type": "number", "minimum": 0, "maximum": 1, "x-unit": "fraction"},
            "n": {"type": "integer", "minimum": 1, "maximum": 10},
        },
        ["pd", "n"],
    )
    filled = fill_arguments(schema, "pd 150% for 2.5 items")
    assert filled.arguments == {} and filled.missing == ["pd", "n"]


def test_optional_properties_need_a_label() -> None:
    schema = obj(
        {
            "dpd": {"type": "integer", "x-unit": "days"},
            "ratio": {"type": "number", "description": "PD ratio."},
        },
        ["dpd"],
    )
    assert fill_arguments(schema, "IFRS 9 stage for 45 days past due").arguments == {"dpd": 45}
    assert fill_arguments(schema, "45 days past due, PD ratio 2.5").arguments == {
        "dpd": 45,
        "ratio": 2.5,
    }


def test_arrays_of_objects_through_refs_and_dates() -> None:
    schema = obj(
        {"txns": {"type": "array", "items": {"$ref": "#/$defs/Txn"}}},
        ["txns"],
        **{
            "$defs": {
                "Txn": obj(
                    {
                        "customer_id": {"type": "string", "description": "Customer identifier."},
                        "date": {"type": "string", "format": "date"},
                        "amount": {"type": "number", "x-unit": "currency"},
                        "type": {
                            "type": "string",
                            "enum": ["wire", "cash"],
                            "description": "Instrument: wire (电汇) or cash (现金).",
                        },
                    },
                    ["customer_id", "date", "amount", "type"],
                )
            }
        },
    )
    text = "Customer C1 deposited 9,500 cash on 2026-01-05 and 9,800 cash on 2026-01-06"
    filled = fill_arguments(schema, text)
    assert filled.arguments == {
        "txns": [
            {"customer_id": "C1", "date": "2026-01-05", "amount": 9500.0, "type": "cash"},
            {"customer_id": "C1", "date": "2026-01-06", "amount": 9800.0, "type": "cash"},
        ]
    }
    assert fill_arguments(schema, "Customer C1 deposited 9,500 cash").missing == ["txns"]


def test_json_literal_in_the_text_is_used_as_is() -> None:
    schema = obj({"items": {"type": "array", "items": {"type": "object"}}}, ["items"])
    filled = fill_arguments(schema, 'Screen these: [{"amount": 9500}, {"amount": 9900}]')
    assert filled.arguments == {"items": [{"amount": 9500}, {"amount": 9900}]}


def test_pydantic_generated_schema() -> None:
    import datetime as dt
    from typing import Annotated, Literal

    from pydantic import BaseModel, Field

    class Txn(BaseModel):
        customer_id: str = Field(min_length=1, description="Customer identifier.")
        date: dt.date = Field(description="Booking date.")
        amount: float = Field(gt=0, json_schema_extra={"x-unit": "currency"})
        kind: Literal["cash", "wire"]
        ref: str | None = None

    class Args(BaseModel):
        txns: list[Txn]
        window_days: Annotated[int, Field(ge=1, le=366, json_schema_extra={"x-unit": "days"})] = 3
        ratio: float | None = Field(default=None, ge=0, description="PD ratio.")

    schema = Args.model_json_schema()
    text = "Customer K9 wired 5,000 on 2026-02-01; window 2 weeks"
    filled = fill_arguments(schema, text)
    assert filled.missing == []
    assert filled.arguments == {
        "txns": [{"customer_id": "K9", "date": "2026-02-01", "amount": 5000.0, "kind": "wire"}],
        "window_days": 14,
    }


@pytest.mark.parametrize(
    "dpd",
    [
        {"type": "integer", "minimum": 0, "x-unit": "days", "description": "Days past due."},
        {"type": "integer", "minimum": 0, "description": "Days past due."},
        {"type": "integer", "minimum": 0, "description": "Number of days the loan is late."},
    ],
)
@pytest.mark.parametrize(
    "text",
    [
        "A loan is 45 days past due. Which IFRS 9 stage?",
        "Which IFRS 9 stage for a loan 45 days past due?",
        "逾期45天的贷款属于IFRS 9第几阶段？",  # noqa: RUF001
    ],
)
def test_a_number_with_the_unit_beats_a_bare_label_number(dpd: dict[str, Any], text: str) -> None:
    filled = fill_arguments(obj({"dpd": dpd}, ["dpd"]), text)
    assert filled.arguments == {"dpd": 45}
    assert filled.weak == [] and filled.extracted == ["dpd"]


def test_only_a_leading_time_word_makes_a_unit() -> None:
    rate = {"type": "number", "description": "Interest rate per year."}
    assert fill_arguments(obj({"rate": rate}, ["rate"]), "rate 7").arguments == {"rate": 7.0}
    days = {"type": "integer", "description": "Days past due."}
    # "IFRS 9" alone fills the property but is flagged as a guess.
    filled = fill_arguments(obj({"dpd": days}, ["dpd"]), "Which IFRS 9 stage?")
    assert filled.arguments == {"dpd": 9} and filled.weak == ["dpd"]


def test_defaults_and_fallbacks_are_not_extracted() -> None:
    schema = obj(
        {
            "value": {"type": "string", "description": "The account number."},
            "kind": {"type": "string", "enum": ["iban", "card_pan"]},
            "strict": {"type": "boolean", "default": True},
        },
        ["value", "kind", "strict"],
    )
    filled = fill_arguments(schema, "Check account 12345678")
    # A required enum nobody named is missing (asked for), never its first value.
    assert filled.arguments == {"value": "12345678", "strict": True}
    assert filled.missing == ["kind"]
    assert sorted(filled.defaulted) == ["strict"]
    assert filled.extracted == ["value"]
    start, end = filled.spans[0]
    assert "Check account 12345678"[start:end] == "12345678"


@pytest.mark.parametrize(
    "text",
    [
        "Cash deposits of 9,500, 9,800 and 9,700 on 2026-03-02, 2026-03-03 and 2026-03-04 "
        "for customer C-1001.",
        "客户C-1001在2026-03-02、2026-03-03和2026-03-04分别存入现金9500、9800和9700",
    ],
)
def test_array_items_do_not_take_digits_of_an_identifier(text: str) -> None:
    schema = obj(
        {"txns": {"type": "array", "items": {"$ref": "#/$defs/Txn"}}},
        ["txns"],
        **{
            "$defs": {
                "Txn": obj(
                    {
                        "customer_id": {"type": "string", "description": "Customer identifier."},
                        "date": {"type": "string", "format": "date"},
                        "amount": {"type": "number"},
                        "type": {
                            "type": "string",
                            "enum": ["wire", "cash"],
                            "description": "Instrument: wire (电汇) or cash (现金).",
                        },
                    },
                    ["customer_id", "date", "amount", "type"],
                )
            }
        },
    )
    filled = fill_arguments(schema, text)
    assert [(t["customer_id"], t["date"], t["amount"]) for t in filled.arguments["txns"]] == [
        ("C-1001", "2026-03-02", 9500),
        ("C-1001", "2026-03-03", 9800),
        ("C-1001", "2026-03-04", 9700),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Is my account number valid?",  # no identifier at all
        "Is card 411111******1111 valid?",  # masked upstream: not readable
        "Check IBAN GB****************5432",
    ],
)
def test_identifier_properties_never_take_the_whole_request(text: str) -> None:
    schema = obj({"value": {"type": "string", "description": "The account number."}}, ["value"])
    assert fill_arguments(schema, text).missing == ["value"]
