# ruff: noqa: RUF001
"""The embedded engine on domains it was never tuned on, through `LocalEngine.complete`.

Tool schemas for logistics, clinical dosing, irrigation, radio links, hotel revenue and
HVAC are written here, fresh and plain (names, descriptions, types, enums, bounds; no
``x-`` annotations), and sent exactly as a client of `toolkit serve` sends them, with the
two tools of their domain. The energy tools of issue 12 cover the two failures measured
before this work (an array of dispatch units; Chinese gas names in shuffled order).
`bench/bench_engine_unseen.py` prints the score on these cases and on a held-out set of
phrasings that was written after the engine work and is never used to tune it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from toolkit.engine import LocalEngine

Call = tuple[str, dict[str, Any]]
Case = tuple[str, str, list[Call]]


def num(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "number", "description": description, **extra}


def integer(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "description": description, **extra}


def text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def tool(
    name: str, description: str, properties: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


SHIPMENT = {
    "type": "object",
    "properties": {
        "origin": text("City the shipment leaves from."),
        "destination": text("City the shipment is delivered to."),
        "weight_kg": num("Gross weight.", exclusiveMinimum=0),
        "volume_m3": num("Loaded volume.", exclusiveMinimum=0),
    },
    "required": ["origin", "destination", "weight_kg", "volume_m3"],
}
DISPATCH_UNIT = {
    "type": "object",
    "properties": {
        "name": text("Generating unit name."),
        "pmin": num("Minimum stable output in MW.", minimum=0),
        "pmax": num("Maximum output in MW.", minimum=0),
        "cost": num("Marginal cost in $/MWh."),
    },
    "required": ["name", "pmin", "pmax", "cost"],
}


def gas(english: str, chinese: str) -> dict[str, Any]:
    return num(f"{english} ({chinese}) dissolved in oil, ppm.", minimum=0)


DOMAINS: dict[str, list[dict[str, Any]]] = {
    "logistics": [
        tool(
            "consolidate_shipments",
            "Group shipments into full truckloads per lane and report the trucks needed.",
            {
                "shipments": {"type": "array", "items": SHIPMENT, "description": "Shipments."},
                "truck_capacity_kg": num("Payload limit of one truck.", default=24000),
            },
            ["shipments"],
        ),
        tool(
            "freight_quote",
            "Price a road freight move from distance, weight and the tariff.",
            {
                "distance_km": num("Road distance.", exclusiveMinimum=0),
                "weight_kg": num("Chargeable weight.", exclusiveMinimum=0),
                "tariff": num("Tariff in currency per tonne-km.", exclusiveMinimum=0),
                "fuel_surcharge": num("Fuel surcharge on the base price.", minimum=0, maximum=1),
            },
            ["distance_km", "weight_kg", "tariff"],
        ),
    ],
    "dosing": [
        tool(
            "weight_based_dose",
            "Per-dose and daily amount of a drug dosed by body weight, with a daily cap.",
            {
                "dose_mg_per_kg": num("Prescribed dose per administration.", exclusiveMinimum=0),
                "body_weight_kg": num("Patient body weight.", exclusiveMinimum=0),
                "interval_hours": num("Hours between doses.", exclusiveMinimum=0),
                "max_daily_mg": num("Maximum daily dose in mg.", exclusiveMinimum=0),
            },
            ["dose_mg_per_kg", "body_weight_kg", "interval_hours"],
        ),
        tool(
            "creatinine_clearance",
            "Cockcroft-Gault creatinine clearance estimate for renal dose adjustment.",
            {
                "age_years": integer("Patient age.", minimum=18, maximum=120),
                "weight_kg": num("Body weight.", exclusiveMinimum=0),
                "serum_creatinine": num("Serum creatinine in mg/dL.", exclusiveMinimum=0),
                "sex": {"type": "string", "enum": ["female", "male"], "description": "Sex."},
            },
            ["age_years", "weight_kg", "serum_creatinine", "sex"],
        ),
    ],
    "irrigation": [
        tool(
            "irrigation_volume",
            "Irrigation water a field needs over a period, from reference "
            "evapotranspiration (ET0) and the crop coefficient.",
            {
                "area_ha": num("Irrigated area.", exclusiveMinimum=0),
                "et0_mm_day": num("Reference evapotranspiration ET0.", minimum=0),
                "crop_coefficient": num("Crop coefficient Kc.", minimum=0.1, maximum=2),
                "days": integer("Length of the period.", minimum=1),
                "efficiency": num(
                    "Application efficiency of the system.", minimum=0, maximum=1, default=0.85
                ),
            },
            ["area_ha", "et0_mm_day", "crop_coefficient", "days"],
        ),
        tool(
            "fertilizer_need",
            "Product quantity to apply on a field for a nitrogen target.",
            {
                "area_ha": num("Field area.", exclusiveMinimum=0),
                "n_rate_kg_ha": num("Nitrogen target per hectare.", exclusiveMinimum=0),
                "product_n_content": num("Nitrogen share of the product.", minimum=0, maximum=1),
            },
            ["area_ha", "n_rate_kg_ha", "product_n_content"],
        ),
    ],
    "radio": [
        tool(
            "link_budget",
            "Received power and fade margin of a point-to-point radio link (free-space path loss).",
            {
                "tx_power_dbm": num("Transmitter output power."),
                "tx_gain_dbi": num("Transmit antenna gain."),
                "rx_gain_dbi": num("Receive antenna gain."),
                "frequency_ghz": num("Carrier frequency.", exclusiveMinimum=0),
                "distance_km": num("Path length.", exclusiveMinimum=0),
                "rx_sensitivity_dbm": num("Receiver sensitivity."),
                "cable_loss_db": num("Feeder and connector losses.", minimum=0, default=0),
            },
            [
                "tx_power_dbm",
                "tx_gain_dbi",
                "rx_gain_dbi",
                "frequency_ghz",
                "distance_km",
                "rx_sensitivity_dbm",
            ],
        ),
        tool(
            "erlang_b",
            "Blocking probability of a trunk group from offered traffic (Erlang B).",
            {
                "traffic_erlangs": num("Offered traffic in erlangs.", minimum=0),
                "channels": integer("Number of channels (trunks).", minimum=1),
            },
            ["traffic_erlangs", "channels"],
        ),
    ],
    "hotel": [
        tool(
            "revpar",
            "Hotel revenue per available room (RevPAR) from rooms, average daily rate and "
            "occupancy.",
            {
                "rooms_available": integer("Rooms available for sale.", minimum=1),
                "adr": num("Average daily rate per occupied room.", minimum=0),
                "occupancy": num("Share of rooms sold.", minimum=0, maximum=1),
            },
            ["rooms_available", "adr", "occupancy"],
        ),
        tool(
            "group_quote",
            "Price a group block of hotel rooms for several nights with a discount.",
            {
                "rooms": integer("Rooms in the block.", minimum=1),
                "nights": integer("Length of stay.", minimum=1),
                "rate": num("Nightly room rate before discount.", minimum=0),
                "discount": num("Group discount.", minimum=0, maximum=1, default=0),
            },
            ["rooms", "nights", "rate"],
        ),
    ],
    "hvac": [
        tool(
            "cooling_load",
            "Sensible cooling load of a room from floor area, design temperatures and occupants.",
            {
                "floor_area_m2": num("Floor area.", exclusiveMinimum=0),
                "indoor_temp": num("Indoor design temperature."),
                "outdoor_temp": num("Outdoor design temperature."),
                "scale": {
                    "type": "string",
                    "enum": ["C", "F"],
                    "description": "Temperature scale: C (Celsius) or F (Fahrenheit).",
                },
                "occupants": integer("People in the room.", minimum=0, default=0),
            },
            ["floor_area_m2", "indoor_temp", "outdoor_temp", "scale"],
        ),
        tool(
            "duct_velocity",
            "Air velocity in a round or rectangular duct from airflow and cross-section.",
            {
                "airflow_m3_h": num("Air volume flow.", exclusiveMinimum=0),
                "duct_area_m2": num("Duct cross-section area.", exclusiveMinimum=0),
            },
            ["airflow_m3_h", "duct_area_m2"],
        ),
    ],
    "energy": [
        tool(
            "economic_dispatch",
            "Least-cost dispatch of generating units to meet demand (merit order).",
            {
                "units": {"type": "array", "items": DISPATCH_UNIT, "description": "Units."},
                "demand_mw": num("System demand to serve.", minimum=0),
            },
            ["units", "demand_mw"],
        ),
        tool(
            "dga_diagnose",
            "Dissolved gas analysis of transformer oil: IEC ratios and Duval triangle zone.",
            {
                "h2": gas("Hydrogen", "氢气"),
                "ch4": gas("Methane", "甲烷"),
                "c2h6": gas("Ethane", "乙烷"),
                "c2h4": gas("Ethylene", "乙烯"),
                "c2h2": gas("Acetylene", "乙炔"),
            },
            ["h2", "ch4", "c2h6", "c2h4", "c2h2"],
        ),
        tool(
            "equipment_loading",
            "Transformer loading in per unit from rated power, voltage and current.",
            {
                "rated_mva": num("Nameplate rating.", exclusiveMinimum=0),
                "kv_ll": num("Line-to-line voltage.", exclusiveMinimum=0),
                "amps": num("Measured line current.", minimum=0),
                "paper": {
                    "type": "string",
                    "enum": ["normal", "upgraded"],
                    "default": "normal",
                    "description": "Insulation paper.",
                },
            },
            ["rated_mva", "kv_ll", "amps"],
        ),
    ],
}

DISPATCH_AB = [
    {"name": "Unit A", "pmin": 50, "pmax": 200, "cost": 20},
    {"name": "Unit B", "pmin": 100, "pmax": 300, "cost": 25},
]
DGA = {"h2": 200, "ch4": 120, "c2h6": 40, "c2h4": 90, "c2h2": 5}

CASES: list[Case] = [
    (
        "logistics",
        "Plan trucks for: shipment 1 from Rotterdam to Munich, 12,000 kg and 30 m3; "
        "shipment 2 from Antwerp to Munich, 9,500 kg and 22 m3.",
        [
            (
                "consolidate_shipments",
                {
                    "shipments": [
                        {
                            "origin": "Rotterdam",
                            "destination": "Munich",
                            "weight_kg": 12000,
                            "volume_m3": 30,
                        },
                        {
                            "origin": "Antwerp",
                            "destination": "Munich",
                            "weight_kg": 9500,
                            "volume_m3": 22,
                        },
                    ]
                },
            )
        ],
    ),
    (
        "logistics",
        "Quote 850 km of road freight for 18 tonnes at 0.09 per tonne-km with a 12% fuel "
        "surcharge.",
        [
            (
                "freight_quote",
                {"distance_km": 850, "weight_kg": 18000, "tariff": 0.09, "fuel_surcharge": 0.12},
            )
        ],
    ),
    (
        "logistics",
        "运费报价：距离420公里，货重6吨，运价每吨公里0.5元",
        [("freight_quote", {"distance_km": 420, "weight_kg": 6000, "tariff": 0.5})],
    ),
    (
        "dosing",
        "Dose 15 mg/kg every 8 hours for a 22 kg child, max 1,000 mg a day.",
        [
            (
                "weight_based_dose",
                {
                    "dose_mg_per_kg": 15,
                    "body_weight_kg": 22,
                    "interval_hours": 8,
                    "max_daily_mg": 1000,
                },
            )
        ],
    ),
    (
        "dosing",
        "Creatinine clearance for a 67 year old male, 82 kg, serum creatinine 1.4 mg/dL?",
        [
            (
                "creatinine_clearance",
                {"age_years": 67, "weight_kg": 82, "serum_creatinine": 1.4, "sex": "male"},
            )
        ],
    ),
    (
        "dosing",
        "体重18公斤的患儿，每公斤10毫克，每6小时一次，单次和每日剂量是多少？",
        [("weight_based_dose", {"dose_mg_per_kg": 10, "body_weight_kg": 18, "interval_hours": 6})],
    ),
    (
        "irrigation",
        "How much water does a 12 ha maize field need over 10 days with ET0 6.5 mm/day and "
        "Kc 1.15 at 80% efficiency?",
        [
            (
                "irrigation_volume",
                {
                    "area_ha": 12,
                    "et0_mm_day": 6.5,
                    "crop_coefficient": 1.15,
                    "days": 10,
                    "efficiency": 0.8,
                },
            )
        ],
    ),
    (
        "irrigation",
        "灌溉面积20公顷，参考蒸散量每天5毫米，作物系数0.9，灌溉周期7天",
        [
            (
                "irrigation_volume",
                {"area_ha": 20, "et0_mm_day": 5, "crop_coefficient": 0.9, "days": 7},
            )
        ],
    ),
    (
        "irrigation",
        "Fertilizer for 35 ha at 140 kg/ha nitrogen using urea with 46% N?",
        [
            (
                "fertilizer_need",
                {"area_ha": 35, "n_rate_kg_ha": 140, "product_n_content": 0.46},
            )
        ],
    ),
    (
        "radio",
        "Link budget: transmitter 27 dBm, transmit antenna 24 dBi, receive antenna 21 dBi, "
        "6 GHz over 18 km, receiver sensitivity -78 dBm, 2 dB cable loss.",
        [
            (
                "link_budget",
                {
                    "tx_power_dbm": 27,
                    "tx_gain_dbi": 24,
                    "rx_gain_dbi": 21,
                    "frequency_ghz": 6,
                    "distance_km": 18,
                    "rx_sensitivity_dbm": -78,
                    "cable_loss_db": 2,
                },
            )
        ],
    ),
    (
        "radio",
        "What is the blocking with 25 erlangs offered on 30 channels?",
        [("erlang_b", {"traffic_erlangs": 25, "channels": 30})],
    ),
    (
        "hotel",
        "RevPAR for a 180-room hotel at $142 ADR and 78% occupancy?",
        [("revpar", {"rooms_available": 180, "adr": 142, "occupancy": 0.78})],
    ),
    (
        "hotel",
        "Quote a block of 25 rooms for 3 nights at 119 per night with a 15% discount.",
        [("group_quote", {"rooms": 25, "nights": 3, "rate": 119, "discount": 0.15})],
    ),
    (
        "hotel",
        "Our hotel has 240 rooms, ADR 96 and occupancy 81%: what's RevPAR? Also quote 12 "
        "rooms for 2 nights at 110 per night.",
        [
            ("revpar", {"rooms_available": 240, "adr": 96, "occupancy": 0.81}),
            ("group_quote", {"rooms": 12, "nights": 2, "rate": 110}),
        ],
    ),
    (
        "radio",
        "Erlang B for 18 erlangs on 25 channels, and the link budget for 23 dBm transmit "
        "power, 30 dBi transmit and 30 dBi receive antennas, 15 GHz, 9 km, sensitivity "
        "-75 dBm.",
        [
            ("erlang_b", {"traffic_erlangs": 18, "channels": 25}),
            (
                "link_budget",
                {
                    "tx_power_dbm": 23,
                    "tx_gain_dbi": 30,
                    "rx_gain_dbi": 30,
                    "frequency_ghz": 15,
                    "distance_km": 9,
                    "rx_sensitivity_dbm": -75,
                },
            ),
        ],
    ),
    (
        "hvac",
        "Cooling load for a 45 m² office, indoor 24 degrees Celsius, outdoor 35 degrees "
        "Celsius, 6 occupants.",
        [
            (
                "cooling_load",
                {
                    "floor_area_m2": 45,
                    "indoor_temp": 24,
                    "outdoor_temp": 35,
                    "scale": "C",
                    "occupants": 6,
                },
            )
        ],
    ),
    (
        "hvac",
        "Cooling load of a 500 sq ft room: outdoor 95°F, indoor 75°F.",
        [
            (
                "cooling_load",
                {"floor_area_m2": 46.451520, "indoor_temp": 75, "outdoor_temp": 95, "scale": "F"},
            )
        ],
    ),
    (
        "hvac",
        "Air velocity for 1,800 m3/h through a 0.12 m² duct?",
        [("duct_velocity", {"airflow_m3_h": 1800, "duct_area_m2": 0.12})],
    ),
    (
        "energy",
        "Unit A 50–200 MW at $20/MWh, unit B 100-300 MW at $25/MWh; demand 350 MW",
        [("economic_dispatch", {"units": DISPATCH_AB, "demand_mw": 350})],
    ),
    (
        "energy",
        "Dispatch for 350 MW. Unit A: between 50 and 200 MW, $20/MWh. Unit B: 100 to 300 "
        "MW, $25/MWh.",
        [("economic_dispatch", {"units": DISPATCH_AB, "demand_mw": 350})],
    ),
    (
        "energy",
        "机组A 50至200兆瓦，成本20元/兆瓦时；机组B 100至300兆瓦，成本25元/兆瓦时；负荷350兆瓦",
        [
            (
                "economic_dispatch",
                {
                    "units": [
                        {**DISPATCH_AB[0], "name": "机组A"},
                        {**DISPATCH_AB[1], "name": "机组B"},
                    ],
                    "demand_mw": 350,
                },
            )
        ],
    ),
    (
        "energy",
        "变压器油色谱：乙炔5，甲烷120，氢气200，乙烯90，乙烷40 (ppm)，请诊断",
        [("dga_diagnose", DGA)],
    ),
    (
        "energy",
        "Loading of a 40 MVA transformer at 110 kV carrying 190 A, upgraded paper?",
        [("equipment_loading", {"rated_mva": 40, "kv_ll": 110, "amps": 190, "paper": "upgraded"})],
    ),
]


def calls(
    engine: LocalEngine, tools: list[dict[str, Any]], request: str, **extra: Any
) -> list[Call]:
    body = {
        "model": "local",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant with tools."},
            {"role": "user", "content": request},
        ],
        "tools": tools,
        **extra,
    }
    message = engine.complete(body)["choices"][0]["message"]
    return [
        (call["function"]["name"], json.loads(call["function"]["arguments"]))
        for call in message.get("tool_calls") or []
    ]


def same(actual: Any, expected: Any) -> bool:
    """Equal, with numbers compared to 1e-6 relative and strings case-insensitively."""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and math.isclose(actual, expected, rel_tol=1e-6)
    return isinstance(actual, str) and actual.casefold() == str(expected).casefold()


def fully_correct(actual: list[Call], expected: list[Call]) -> bool:
    """Right tools (in any order), each with exactly the expected arguments."""
    ordered = sorted(actual, key=lambda call: call[0])
    wanted = sorted(expected, key=lambda call: call[0])
    return len(ordered) == len(wanted) and all(
        a[0] == e[0] and same(a[1], e[1]) for a, e in zip(ordered, wanted, strict=True)
    )


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def sorted_properties(value: Any) -> Any:
    """The schemas with properties in alphabetical order, as some converters send them."""
    if isinstance(value, list):
        return [sorted_properties(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: sorted_properties(v) for k, v in value.items()}
    if isinstance(out.get("properties"), dict):
        out["properties"] = dict(sorted(out["properties"].items()))
    return out


@pytest.mark.parametrize("order", ["declared", "sorted"])
@pytest.mark.parametrize(("domain", "request_text", "expected"), CASES)
def test_unseen_domain_requests(
    engine: LocalEngine, domain: str, request_text: str, expected: list[Call], order: str
) -> None:
    tools = DOMAINS[domain] if order == "declared" else sorted_properties(DOMAINS[domain])
    actual = calls(engine, tools, request_text)
    assert fully_correct(actual, expected), actual


def test_four_domains_besides_finance_and_the_packs() -> None:
    fresh = {domain for domain, _, _ in CASES} - {"energy"}
    assert len(fresh) >= 4


def test_forced_tool_is_called(engine: LocalEngine) -> None:
    tools = DOMAINS["hotel"]
    forced = {"type": "function", "function": {"name": "group_quote"}}
    request = "12 rooms, 2 nights, 110 each"
    assert calls(engine, tools, request, tool_choice=forced)[0][0] == "group_quote"
    responses_style = {"type": "function", "name": "group_quote"}
    assert calls(engine, tools, request, tool_choice=responses_style)[0][0] == "group_quote"
    assert calls(engine, tools, request, tool_choice="required")


def test_dispatch_numbers_outside_the_items_do_not_leak(engine: LocalEngine) -> None:
    request = "Demand is 420 MW. Units: A 50-200 MW at $20/MWh; B 100-300 MW at $25/MWh."
    [(name, arguments)] = calls(engine, DOMAINS["energy"], request)
    assert name == "economic_dispatch" and arguments["demand_mw"] == 420
    assert [(u["pmin"], u["pmax"], u["cost"]) for u in arguments["units"]] == [
        (50, 200, 20),
        (100, 300, 25),
    ]


def test_dispatch_with_a_unit_missing_its_cost_asks(engine: LocalEngine) -> None:
    request = "Unit A 50-200 MW at $20/MWh, unit B 100-300 MW; demand 350 MW"
    body = {"model": "local", "messages": [{"role": "user", "content": request}],
            "tools": DOMAINS["energy"]}  # fmt: skip
    message = engine.complete(body)["choices"][0]["message"]
    assert not message.get("tool_calls")
    assert "units" in message["content"]


@pytest.mark.parametrize("request_text", ["我有3个孩子和2只狗", "Table for 4 at 8?"])
def test_bare_numbers_with_no_matching_words_call_nothing(
    engine: LocalEngine, request_text: str
) -> None:
    assert calls(engine, DOMAINS["hotel"] + DOMAINS["radio"], request_text) == []


RAINFALL = [
    tool(
        "rainfall_summary",
        "Moving average and total of a rainfall record.",
        {
            "readings": {
                "type": "array",
                "items": {"type": "number"},
                "description": "Daily rainfall readings (降雨量) in mm, oldest first.",
            },
            "window": integer("Moving-average window length (窗口).", minimum=1),
        },
        ["readings", "window"],
    ),
]

INCIDENTS = [
    tool(
        "estimate_resolution",
        "Expected hours to resolve a support ticket from its priority and the team working it.",
        {
            "priority": integer("Priority P0-P4 (P0 most urgent).", minimum=0, maximum=4),
            "severity": integer("Customer impact class S1-S3 (S1 outage).", minimum=1, maximum=3),
            "engineers": integer("Engineers assigned.", minimum=1),
        },
        ["priority", "severity", "engineers"],
    )
]


@pytest.mark.parametrize(
    "request_text",
    [
        "Rainfall summary, window 3: 12, 15, 11, 14, 18, 20",
        "Moving average of the rainfall 12, 15, 11, 14, 18, 20 mm with window 3",
        "降雨量 12、15、11、14、18、20，窗口 3，求移动平均",
    ],
)
def test_a_series_of_numbers_is_one_list_argument(engine: LocalEngine, request_text: str) -> None:
    # One call over the whole series, not one call per comma-separated number; the number
    # labelled by another property is not an item.
    [(name, arguments)] = calls(engine, RAINFALL, request_text)
    assert name == "rainfall_summary"
    assert arguments["readings"] == [12, 15, 11, 14, 18, 20]
    assert arguments["window"] == 3


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Ticket is P1, impact S2, 3 engineers on it. Hours to fix?",
         [{"priority": 1, "severity": 2, "engineers": 3}]),
        ("How long for a P0/S1 with 5 engineers, and a P3/S3 with 1 engineer?",
         [{"priority": 0, "severity": 1, "engineers": 5},
          {"priority": 3, "severity": 3, "engineers": 1}]),
        ("工单 P2，影响 S1，4 名工程师，需要多少小时？",
         [{"priority": 2, "severity": 1, "engineers": 4}]),
    ],
)  # fmt: skip
def test_class_labels_written_as_the_description_writes_its_range(
    engine: LocalEngine, request_text: str, expected: list[dict[str, Any]]
) -> None:
    """ "P0-P4" in a description says priorities are written "P1"; a label outside the
    range ("P7") or with another prefix is no value for it."""
    actual = calls(engine, INCIDENTS, request_text)
    assert [arguments for _, arguments in actual] == expected, actual


def test_a_class_label_outside_the_range_is_not_read(engine: LocalEngine) -> None:
    request = "Ticket P7, impact S2, 3 engineers: hours?"
    body = {"model": "local", "tools": INCIDENTS,
            "messages": [{"role": "user", "content": request}]}  # fmt: skip
    message = engine.complete(body)["choices"][0]["message"]
    assert not message.get("tool_calls")
    assert "priority" in message["content"]


ROOMS = [
    tool(
        "book_rooms",
        "Assign meetings to meeting rooms by capacity.",
        {
            "rooms": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Room name to seats.",
            },
            "meetings": {
                "type": "array",
                "items": {"type": "object", "additionalProperties": {"type": "integer"}},
                "description": "Meetings, each team name to head count.",
            },
            "closed": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Rooms closed for cleaning.",
            },
        },
        ["rooms", "meetings"],
    )
]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ('Book these. Meetings: [{"sales": 3}, {"design": 8}] Rooms: {"Oak": 4, "Elm": 10} '
         'Closed: ["Elm"]',
         {"rooms": {"Oak": 4, "Elm": 10}, "meetings": [{"sales": 3}, {"design": 8}],
          "closed": ["Elm"]}),
        ('Book rooms {"Oak": 4, "Elm": 10} for [{"sales": 3}, {"design": 8}]',
         {"rooms": {"Oak": 4, "Elm": 10}, "meetings": [{"sales": 3}, {"design": 8}]}),
    ],
)  # fmt: skip
def test_pasted_json_goes_to_the_property_that_labels_it(
    engine: LocalEngine, request_text: str, expected: dict[str, Any]
) -> None:
    """Each top-level literal fills one property: the one whose name comes right before it,
    else the first required property still open; the lists inside an object are not
    literals of their own, and an unlabelled literal never fills an optional property."""
    assert calls(engine, ROOMS, request_text) == [("book_rooms", expected)]


def test_lists_inside_a_pasted_object_are_not_literals_of_their_own(
    engine: LocalEngine,
) -> None:
    grid = [tool("grid_size", "Cells of a grid of factors.", {
        "factors": {"type": "object", "description": "Factor to its levels.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "done": {"type": "array", "items": {"type": "object"}, "description": "Cells run."},
    }, ["factors", "done"])]  # fmt: skip
    request = 'Grid size for {"a": ["x", "y"], "b": ["z"]} with [{"a": "x", "b": "z"}] run?'
    [(_, arguments)] = calls(engine, grid, request)
    assert arguments == {"factors": {"a": ["x", "y"], "b": ["z"]}, "done": [{"a": "x", "b": "z"}]}


LIBRARY = [
    tool(
        "renew_loan",
        "Renew the loan of an item the desk scanner shows, for another three weeks.",
        {"barcode": text("Item barcode, e.g. B123456.", pattern="^B[0-9]{6}$")},
        ["barcode"],
    ),
    tool(
        "report_damage",
        "Record damage to a returned library item: water damage, torn pages, missing parts.",
        {
            "kind": {
                "type": "string",
                "enum": ["water", "torn", "missing_parts", "other"],
                "description": "Kind of damage: water (wet, water damage), torn, "
                "missing_parts, other.",
            },
            "items": integer("Number of items (books) damaged.", minimum=1),
        },
        ["kind"],
    ),
]


def test_a_tool_called_once_per_clause_keeps_each_clause_value(engine: LocalEngine) -> None:
    """Focusing each tool on its own sentence must not fold two per-clause calls into one
    value: the second barcode stays the second barcode."""
    request = "Two books came back with water damage; the scanner shows B100200 and B300400."
    actual = calls(engine, LIBRARY, request)
    barcodes = [arguments["barcode"] for name, arguments in actual if name == "renew_loan"]
    assert barcodes == ["B100200", "B300400"], actual
    assert ("report_damage", {"kind": "water", "items": 2}) in actual, actual


def test_a_count_never_takes_a_physical_quantity(engine: LocalEngine) -> None:
    # A speed next to the counted noun ("the bike wobbled at 25 km/h") is not how many bikes.
    report = [
        tool(
            "report_bike_fault",
            "Report a fault with a shared bike.",
            {
                "fault": {
                    "type": "string",
                    "enum": ["saddle", "brakes", "chain", "other"],
                    "description": "What is broken.",
                },
                "bikes": integer("Number of bikes (cycles) affected.", minimum=1),
            },
            ["fault"],
        )
    ]
    text = "Report a fault: the saddle is loose and the bike wobbled badly at 25 km/h"
    [(name, arguments)] = calls(engine, report, text)
    assert (name, arguments) == ("report_bike_fault", {"fault": "saddle"})


BIKES = [
    tool(
        "report_bike_fault",
        "Open a repair ticket for a shared bike.",
        {
            "fault": {
                "type": "string",
                "enum": ["saddle", "brakes", "chain", "other"],
                "description": "What is broken: saddle (seat, 车座), brakes (刹车), "
                "chain (drivetrain, 链条), other.",
            },
            "note": {"type": "string", "description": "The rider's words."},
        },
        ["fault", "note"],
    ),
    tool(
        "station_occupancy",
        "Share of docks in use at a bike station.",
        {
            "docks": integer("Docks at the station.", minimum=1),
            "bikes": integer("Bikes parked.", minimum=0),
        },
        ["docks", "bikes"],
    ),
]


@pytest.mark.parametrize(
    "request_text", ["Drivetrain grinding loudly since this morning", "链条一直在响，怎么办？"]
)
def test_the_only_tool_a_request_names_anything_of_is_called(
    engine: LocalEngine, request_text: str
) -> None:
    # Below the similarity threshold, but the one tool sharing a word with the request is
    # given in full: its enum value is named by the alias its description gives.
    [(name, arguments)] = calls(engine, BIKES, request_text)
    assert (name, arguments["fault"]) == ("report_bike_fault", "chain")


def test_nothing_is_called_when_no_tool_shares_a_word(engine: LocalEngine) -> None:
    assert calls(engine, BIKES, "Grinding noise since this morning, what now?") == []


def test_a_frequency_word_after_a_figure_is_its_period(engine: LocalEngine) -> None:
    # "4% yearly" says what the rate is per; "every quarter" says how often it is applied.
    growth = [
        tool(
            "savings_growth",
            "Balance of a savings pot with interest added periodically.",
            {
                "deposit": num("Money put in."),
                "rate": num("Yearly rate in percent."),
                "years": num("How long it stays in, in years."),
                "additions_per_year": integer(
                    "How many times a year interest is added.", minimum=1, maximum=365
                ),
            },
            ["deposit", "rate", "years"],
        )
    ]
    text = "Savings pot: 8,000 in at 4% yearly for 12 years, interest added every quarter"
    [(_, arguments)] = calls(engine, growth, text)
    assert arguments["additions_per_year"] == 4
