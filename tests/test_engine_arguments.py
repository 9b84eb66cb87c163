# ruff: noqa: RUF001
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
        "逾期45天的贷款属于IFRS 9第几阶段？",
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


def dispatch_schema(*, annotated: bool) -> dict[str, Any]:
    def number(description: str, unit: str) -> dict[str, Any]:
        if annotated:
            return {"type": "number", "description": description, "x-unit": unit}
        return {
            "type": "number",
            "description": f"{description} in {unit.replace('currency', '$')}.",
        }

    unit = obj(
        {
            "name": {"type": "string", "description": "Unit name."},
            "pmin": number("Minimum stable output", "MW"),
            "pmax": number("Maximum output", "MW"),
            "cost": number("Marginal cost", "currency/MWh"),
        },
        ["name", "pmin", "pmax", "cost"],
    )
    return obj(
        {"units": {"type": "array", "items": unit}, "demand_mw": {"type": "number"}},
        ["units", "demand_mw"],
    )


@pytest.mark.parametrize("annotated", [True, False])
@pytest.mark.parametrize(
    "text",
    [
        "Unit A 50–200 MW at $20/MWh, unit B 100-300 MW at $25/MWh; demand 350 MW",
        "Demand 350 MW. Unit A: between 50 and 200 MW, $20/MWh. Unit B: 100 to 300 MW, $25/MWh.",
        "- Unit A 50~200 MW, 20 $/MWh\n- Unit B 100 to 300 MW, 25 $/MWh\nServe 350 MW of demand",
        "1) Unit A 50-200MW costs $20/MWh 2) Unit B 100-300MW costs $25/MWh; demand_mw 350",
    ],
)
def test_arrays_of_objects_with_several_numbers_per_item(annotated: bool, text: str) -> None:
    filled = fill_arguments(dispatch_schema(annotated=annotated), text)
    assert filled.missing == []
    for unit in filled.arguments["units"]:
        unit["name"] = unit["name"].casefold()
    assert filled.arguments == {
        "units": [
            {"name": "unit a", "pmin": 50, "pmax": 200, "cost": 20},
            {"name": "unit b", "pmin": 100, "pmax": 300, "cost": 25},
        ],
        "demand_mw": 350,
    }


def test_an_item_missing_a_field_fails_the_array_rather_than_dropping_it() -> None:
    text = "Unit A 50-200 MW at $20/MWh, unit B 100-300 MW; demand 350 MW"
    filled = fill_arguments(dispatch_schema(annotated=False), text)
    assert filled.missing == ["units"]
    assert filled.arguments == {"demand_mw": 350}


def test_ranges_fill_min_max_pairs_by_name_or_description() -> None:
    schema = obj(
        {
            "temp_low": {"type": "number"},
            "temp_high": {"type": "number"},
            "lower": {"type": "number", "description": "Minimum flow in m3/h."},
            "upper": {"type": "number", "description": "Maximum flow in m3/h."},
        },
        ["temp_low", "temp_high", "lower", "upper"],
    )
    filled = fill_arguments(schema, "temperature 18 to 24 °C, flow between 300 and 450 m3/h")
    assert filled.arguments == {"temp_low": 18, "temp_high": 24, "lower": 300, "upper": 450}


def test_a_price_is_never_a_power_nor_a_power_a_price() -> None:
    schema = obj(
        {
            "capacity_mw": {"type": "number"},
            "price": {"type": "number", "description": "Energy price in $/MWh."},
        },
        ["capacity_mw", "price"],
    )
    filled = fill_arguments(schema, "$42/MWh for 120 MW")
    assert filled.arguments == {"capacity_mw": 120, "price": 42}
    assert fill_arguments(schema, "120 MW").missing == ["price"]


def gas_schema() -> dict[str, Any]:
    names = {"h2": ("Hydrogen", "氢气"), "ch4": ("Methane", "甲烷"), "c2h6": ("Ethane", "乙烷"),
             "c2h4": ("Ethylene", "乙烯"), "c2h2": ("Acetylene", "乙炔")}  # fmt: skip
    return obj(
        {
            key: {"type": "number", "description": f"{en} ({zh}), ppm."}
            for key, (en, zh) in names.items()
        },
        list(names),
    )


@pytest.mark.parametrize(
    "text",
    [
        "乙炔5，甲烷120，氢气200，乙烯90，乙烷40",
        "油中溶解气体：乙烯 90 ppm、氢气 200 ppm、乙烷 40 ppm、乙炔 5 ppm、甲烷 120 ppm",
        "甲烷为120，乙烷是40，氢气：200，乙炔=5，乙烯约90",
    ],
)
def test_chinese_labels_from_descriptions_in_any_order(text: str) -> None:
    filled = fill_arguments(gas_schema(), text)
    assert filled.arguments == {"h2": 200, "ch4": 120, "c2h6": 40, "c2h4": 90, "c2h2": 5}


def compound_schema() -> dict[str, Any]:
    return obj(
        {
            "principal": {
                "type": "number", "exclusiveMinimum": 0, "description": "Amount invested.",
            },
            "annual_rate": {
                "type": "number", "minimum": 0, "maximum": 1,
                "description": "Nominal annual interest rate as a fraction.",
            },
            "years": {"type": "number", "exclusiveMinimum": 0, "description": "Years invested."},
            "compounds_per_year": {
                "type": "integer", "minimum": 1, "default": 12,
                "description": "Compounding periods per year.",
            },
        },
        ["principal", "annual_rate", "years"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("Compound interest on 25,000 at 3.5% for 7 years, compounded quarterly", 4),
        ("25,000 at 3.5% over 7 years with monthly compounding", 12),
        ("25,000 at 3.5% for 7 years, interest paid semi-annually", 2),
        ("25,000 at 3.5% for 7 years compounded daily", 365),
        ("25,000 at 3.5% for 7 years, compounding twice a year", 2),
        ("本金2.5万，年利率3.5%，7年，按季复利", 4),
        ("25,000 at 3.5% for 7 years with 4 compounding periods a year", 4),
    ],
)
def test_frequency_words_fill_a_count_per_period(text: str, periods: int) -> None:
    filled = fill_arguments(compound_schema(), text)
    assert filled.arguments == {
        "principal": 25000,
        "annual_rate": 0.035,
        "years": 7,
        "compounds_per_year": periods,
    }
    assert filled.unread == {}


def test_a_mention_that_cannot_be_read_is_reported_not_guessed() -> None:
    filled = fill_arguments(compound_schema(), "25,000 at 3.5% for 7 years compounded continuously")
    assert "compounds_per_year" not in filled.arguments
    assert filled.unread == {"compounds_per_year": "compounded continuously"}
    # A principal alone is not a compounding count ("Compound interest on 25,000").
    plain = fill_arguments(compound_schema(), "Compound interest on 25,000 at 3.5% for 7 years")
    assert plain.arguments == {"principal": 25000, "annual_rate": 0.035, "years": 7}
    assert plain.unread == {}


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("24 degrees Celsius inside", "C"),
        ("75 Fahrenheit indoors", "F"),
        ("300 in kelvin", "K"),
        ("室内24摄氏度", "C"),
        ("it is 75°F", "F"),
    ],
)
def test_enum_values_named_in_words(text: str, scale: str) -> None:
    schema = obj(
        {"scale": {"type": "string", "enum": ["C", "F", "K"], "description": "Temperature scale."}},
        ["scale"],
    )
    filled = fill_arguments(schema, text)
    assert filled.arguments == {"scale": scale} and filled.defaulted == []


def test_plain_schema_units_come_from_names_and_descriptions() -> None:
    schema = obj(
        {
            "rated_mva": {"type": "number"},
            "kv_ll": {"type": "number"},
            "amps": {"type": "number"},
            "hot_spot_c": {"type": "number", "description": "Winding hot-spot temperature."},
            "paper": {"type": "string", "enum": ["normal", "upgraded"], "default": "normal"},
        },
        ["rated_mva", "kv_ll", "amps"],
    )
    filled = fill_arguments(schema, "40 MVA, 110 kV, 190 A, hot spot 212 °F, upgraded paper")
    assert filled.arguments == {
        "rated_mva": 40, "kv_ll": 110, "amps": 190, "hot_spot_c": 100, "paper": "upgraded"
    }  # fmt: skip


def test_identifiers_are_read_by_generic_words_or_an_annotation() -> None:
    marked = obj({"vin": {"type": "string", "x-identifier": True}}, ["vin"])
    assert fill_arguments(marked, "Look up WVWZZZ1JZXW000001 please").arguments == {
        "vin": "WVWZZZ1JZXW000001"
    }
    named = obj({"asset_code": {"type": "string"}}, ["asset_code"])
    assert fill_arguments(named, "What do we know about asset AX-40017?").arguments == {
        "asset_code": "AX-40017"
    }


def shipment_schema() -> dict[str, Any]:
    shipment = obj(
        {
            "origin": {"type": "string", "description": "City the shipment leaves from."},
            "destination": {"type": "string", "description": "City it is delivered to."},
            "weight_kg": {"type": "number"},
        },
        ["origin", "destination", "weight_kg"],
    )
    return obj({"shipments": {"type": "array", "items": shipment}}, ["shipments"])


@pytest.mark.parametrize(
    "text",
    [
        "2 shipments: from Rotterdam to Munich 1.2 t; from Antwerp to Lyon 800 kg",
        "Shipment 1 Rotterdam to Munich, 1,200 kg - shipment 2 Antwerp to Lyon, 800 kg",
        "Rotterdam→Munich 1200 kg and Antwerp→Lyon 800 kg",
    ],
)
def test_items_with_routes_and_numbered_labels(text: str) -> None:
    filled = fill_arguments(shipment_schema(), text)
    assert filled.arguments == {
        "shipments": [
            {"origin": "Rotterdam", "destination": "Munich", "weight_kg": 1200},
            {"origin": "Antwerp", "destination": "Lyon", "weight_kg": 800},
        ]
    }


def test_the_noun_after_a_number_is_what_it_counts() -> None:
    schema = obj(
        {
            "traffic": {"type": "number", "description": "Offered traffic in erlangs."},
            "channels": {"type": "integer", "description": "Number of channels."},
        },
        ["traffic", "channels"],
    )
    for text in ("Erlang B for 40 channels carrying 32 erlangs", "32 erlangs on 40 channels"):
        assert fill_arguments(schema, text).arguments == {"traffic": 32, "channels": 40}
    rate = obj(
        {"nights": {"type": "integer"}, "rate": {"type": "number", "description": "Room rate."}},
        ["nights", "rate"],
    )
    assert fill_arguments(rate, "3 nights at 119 per night").arguments == {"nights": 3, "rate": 119}
