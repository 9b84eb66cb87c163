# ruff: noqa: RUF001
"""The automotive pack on requests phrased as in no pack text, English and Chinese.

The rendered project's tool schemas (plus the harness approval tool) go through
`LocalEngine.complete` as a client sends them, declared and with the ``x-`` keys removed
(as LangChain's conversion does). A call is right when it names the expected tool and the
real tool function gives the same result on the engine's arguments as on the expected ones
(so "Harbor" + "Crest Marlin" and "Harbor Crest" + "Marlin" are the same vehicle, and
"0x41 0x23" the same code as "4123"). Nothing here is a pack example or a case request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.engine import LocalEngine

Tools = list[dict[str, Any]]
Call = tuple[str, dict[str, Any]]

PARAPHRASES: list[tuple[str, list[Call]]] = [
    ("My scanner pulled P0420, what does that code mean?", [("parse_dtc", {"code": "P0420"})]),
    ("扫描仪报了个 C1201，这是什么故障？", [("parse_dtc", {"code": "C1201"})]),
    ("The bus trace shows the raw DTC bytes 0x41 0x23; decode them.",
     [("parse_dtc", {"code": "4123"})]),
    ("For this hazard we have severity S3, exposure E4 and controllability C2. What's the ASIL?",
     [("asil_determine", {"s": 3, "e": 4, "c": 2})]),
    ("HARA row: S2 / E3 / C3. Integrity level please.",
     [("asil_determine", {"s": 2, "e": 3, "c": 3})]),
    ("这个危害事件严重度S3，暴露度E2，可控性C3，对应什么ASIL等级？",
     [("asil_determine", {"s": 3, "e": 2, "c": 3})]),
    # Issue 13: three classes of one hazard, no approval requests.
    ("危害评级S1、E3、C3，ASIL是多少？", [("asil_determine", {"s": 1, "e": 3, "c": 3})]),
    ("Ego at 25 m/s, lead car at 15 m/s, 30 m apart: time to collision?",
     [("longitudinal_criticality", {"gap_m": 30, "v_ego": 25, "v_lead": 15})]),
    ("We're following a van 12 m ahead; we do 20 m/s and it does 17 m/s. Is that critical?",
     [("longitudinal_criticality", {"gap_m": 12, "v_ego": 20, "v_lead": 17})]),
    ("自车速度 30 米/秒，前车速度 22 米/秒，两车间距 40 米，需要多大减速度？",
     [("longitudinal_criticality", {"gap_m": 40, "v_ego": 30, "v_lead": 22})]),
    ("Our speed 90 km/h, the car in front 54 km/h, gap 25 m. TTC?",
     [("longitudinal_criticality", {"gap_m": 25, "v_ego": 25, "v_lead": 15})]),
    ("weather clear, rain or fog; lighting day or night; road highway or urban; executed: "
     "clear/day/highway and rain/night/urban",
     [("odd_coverage", {
         "odd": {"weather": ["clear", "rain", "fog"], "lighting": ["day", "night"],
                 "road": ["highway", "urban"]},
         "executed": [{"weather": "clear", "lighting": "day", "road": "highway"},
                      {"weather": "rain", "lighting": "night", "road": "urban"}]})]),
    ("ODD coverage check: surface dry, wet or icy; light day or dusk; we tested dry/day, "
     "wet/dusk and icy/day",
     [("odd_coverage", {
         "odd": {"surface": ["dry", "wet", "icy"], "light": ["day", "dusk"]},
         "executed": [{"surface": "dry", "light": "day"}, {"surface": "wet", "light": "dusk"},
                      {"surface": "icy", "light": "day"}]})]),
    ("ODD 覆盖率：天气：晴、雨、雪；路面：干、湿；已执行：晴/干、雨/湿",
     [("odd_coverage", {
         "odd": {"天气": ["晴", "雨", "雪"], "路面": ["干", "湿"]},
         "executed": [{"天气": "晴", "路面": "干"}, {"天气": "雨", "路面": "湿"}]})]),
    ('ODD {"weather": ["clear", "snow"], "road": ["rural", "urban"]}, executed '
     '[{"weather": "clear", "road": "rural"}]: what share of the ODD is covered?',
     [("odd_coverage", {
         "odd": {"weather": ["clear", "snow"], "road": ["rural", "urban"]},
         "executed": [{"weather": "clear", "road": "rural"}]})]),
    ("Does the check digit of 1HGCM82633A004352 work out?",
     [("vin_check", {"vin": "1HGCM82633A004352"})]),
    ("帮我核对一下车架号 WVWZZZ1JZXW000001 是否有效",
     [("vin_check", {"vin": "WVWZZZ1JZXW000001"})]),
    ("any recalls on a 2019 Honda Civic?",
     [("recall_lookup", {"make": "Honda", "model": "Civic", "year": 2019})]),
    ("Is there an open recall for the 2020 Northwind Vela?",
     [("recall_lookup", {"make": "Northwind", "model": "Vela", "year": 2020})]),
    ("车架号 3NW4B2C86LR019355 这台车需要召回吗？",
     [("recall_lookup", {"vin": "3NW4B2C86LR019355"})]),
    ("2021 Harbor Crest Marlin 有召回吗？",
     [("recall_lookup", {"make": "Harbor Crest", "model": "Marlin", "year": 2021})]),
    ("Customer says the brake pedal sinks to the floor on his car; log it.",
     [("escalate_safety_case", {"component": "brakes"})]),
    ("Three owners report the airbag warning lamp stays lit.",
     [("escalate_safety_case", {"component": "airbag", "vehicles": 3})]),
    ("两台车的方向盘突然变得很沉",
     [("escalate_safety_case", {"component": "steering", "vehicles": 2})]),
    ("A dealer smelled petrol in the cabin of five cars from the same batch.",
     [("escalate_safety_case", {"component": "fuel_system", "vehicles": 5})]),
    ("车主反映车辆在停车场突然意外加速，差点撞墙",
     [("escalate_safety_case", {"component": "acceleration"})]),
    ("As safety manager I sign off release VCU-3.1.0 for SOP.",
     [("approve_release", {"release": "VCU-3.1.0"})]),
    ("批准软件版本 ADAS-8.0.1 发布", [("approve_release", {"release": "ADAS-8.0.1"})]),
    # Written after the first set passed, run once, then kept (their misses were fixed:
    # a loose enum word, a missing alias, speeds swapped, one report split in two).
    ("What system does U0121 belong to?", [("parse_dtc", {"code": "U0121"})]),
    ("Decode 0x03 0x00 please", [("parse_dtc", {"code": "0300"})]),
    ("Fault code B1318 popped up on the dash diagnostics, which area is that?",
     [("parse_dtc", {"code": "B1318"})]),
    ("诊断仪读到 P0171，帮我解读一下", [("parse_dtc", {"code": "P0171"})]),
    ("Risk graph: S1 E4 C2, which ASIL?", [("asil_determine", {"s": 1, "e": 4, "c": 2})]),
    ("严重度为3、暴露度为4、可控性为3时ASIL是多少", [("asil_determine", {"s": 3, "e": 4, "c": 3})]),
    ("Rate this hazard: S3, E3, C3 — ASIL?", [("asil_determine", {"s": 3, "e": 3, "c": 3})]),
    ("暴露度E4、严重度S2、可控性C1，请给出ASIL", [("asil_determine", {"s": 2, "e": 4, "c": 1})]),
    ("Lead vehicle 20 m/s, us 28 m/s, headway 35 m; verdict?",
     [("longitudinal_criticality", {"gap_m": 35, "v_ego": 28, "v_lead": 20})]),
    ("前车 10 米/秒，本车 20 米/秒，相距 15 米，危险吗",
     [("longitudinal_criticality", {"gap_m": 15, "v_ego": 20, "v_lead": 10})]),
    ("We are at 33 m/s closing on a truck doing 25 m/s, 20 m gap. Required deceleration?",
     [("longitudinal_criticality", {"gap_m": 20, "v_ego": 33, "v_lead": 25})]),
    ("本车 25 米/秒，前方车辆 25 米/秒，车距 10 米，会碰撞吗",
     [("longitudinal_criticality", {"gap_m": 10, "v_ego": 25, "v_lead": 25})]),
    ("ODD: speed low or high; weather dry or wet. Done: low/dry, high/wet, low/wet. Coverage?",
     [("odd_coverage", {
         "odd": {"speed": ["low", "high"], "weather": ["dry", "wet"]},
         "executed": [{"speed": "low", "weather": "dry"}, {"speed": "high", "weather": "wet"},
                      {"speed": "low", "weather": "wet"}]})]),
    ("Coverage: road rural or urban; time day or night; tested rural/day and urban/night",
     [("odd_coverage", {
         "odd": {"road": ["rural", "urban"], "time": ["day", "night"]},
         "executed": [{"road": "rural", "time": "day"}, {"road": "urban", "time": "night"}]})]),
    ("Is 5YJ3E1EA7KF317001 a valid VIN?", [("vin_check", {"vin": "5YJ3E1EA7KF317001"})]),
    ("车架号LSVAU2180N2183294的校验位是否正确", [("vin_check", {"vin": "LSVAU2180N2183294"})]),
    ("Validate VIN 2T1BURHE0JC043821 please", [("vin_check", {"vin": "2T1BURHE0JC043821"})]),
    ("这个车架号 1FTFW1ET5DFC10312 对不对", [("vin_check", {"vin": "1FTFW1ET5DFC10312"})]),
    ("Recalls on VIN 5HC7D4E28MC104482?", [("recall_lookup", {"vin": "5HC7D4E28MC104482"})]),
    ("Anything open on the 2020 Northwind Vela recall-wise?",
     [("recall_lookup", {"make": "Northwind", "model": "Vela", "year": 2020})]),
    ("我的2020款 Northwind Vela 有召回吗",
     [("recall_lookup", {"make": "Northwind", "model": "Vela", "year": 2020})]),
    ("Any recall campaigns for the 2020 Northwind Vela I just bought?",
     [("recall_lookup", {"make": "Northwind", "model": "Vela", "year": 2020})]),
    ("查一下车架号 5HC7D4E28MC104482 的召回", [("recall_lookup", {"vin": "5HC7D4E28MC104482"})]),
    ("Owner reports the car accelerated by itself in traffic",
     [("escalate_safety_case", {"component": "acceleration"})]),
    ("车主说刹车踩下去很软", [("escalate_safety_case", {"component": "brakes"})]),
    ("Five customers complain the power steering cut out",
     [("escalate_safety_case", {"component": "steering"})]),
    ("Two owners say their brakes squeal and the car pulls hard left when braking",
     [("escalate_safety_case", {"component": "brakes", "vehicles": 2})]),
    ("客户投诉安全气囊灯一直亮着，共三辆车",
     [("escalate_safety_case", {"component": "airbag", "vehicles": 3})]),
    ("Sign off BCM-3.0.1 for production.", [("approve_release", {"release": "BCM-3.0.1"})]),
    ("Release approval for ADAS-9.2.0 at the SOP gate, please",
     [("approve_release", {"release": "ADAS-9.2.0"})]),
]  # fmt: skip


def _strip_custom_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_custom_keys(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [_strip_custom_keys(v) for v in value]
    return value


@pytest.fixture(scope="module")
def auto(rendered_template: Callable[[str], Path]) -> tuple[Tools, dict[str, Callable[..., Any]]]:
    from toolkit.agent import harness_tools, load_project
    from toolkit.tooling import openai_tool_schema

    project = load_project(rendered_template("auto"))
    specs = [*project.tools, *harness_tools(project.config.approval_examples)]
    return [openai_tool_schema(s) for s in specs], {s.name: s.func for s in specs}


@pytest.fixture(scope="module", params=["declared", "without-x-keys"])
def tools(request: pytest.FixtureRequest, auto: tuple[Tools, Any]) -> Tools:
    return auto[0] if request.param == "declared" else _strip_custom_keys(auto[0])


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def _calls(engine: LocalEngine, tools: Tools, question: str) -> list[Call]:
    body = {
        "model": "local",
        "messages": [
            {"role": "system", "content": "You are the workshop and ADAS team's assistant."},
            {"role": "user", "content": question},
        ],
        "tools": tools,
    }
    message = engine.complete(body)["choices"][0]["message"]
    return [
        (call["function"]["name"], json.loads(call["function"]["arguments"]))
        for call in message.get("tool_calls") or []
    ]


def _result(func: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    try:
        return func(**arguments).model_dump()
    except (ValueError, TypeError) as exc:  # pydantic errors are ValueErrors
        return f"error: {type(exc).__name__}"


@pytest.mark.parametrize(("question", "expected"), PARAPHRASES)
def test_paraphrase_picks_the_right_tool_with_the_right_arguments(
    engine: LocalEngine,
    tools: Tools,
    auto: tuple[Tools, dict[str, Callable[..., Any]]],
    question: str,
    expected: list[Call],
) -> None:
    functions = auto[1]
    actual = _calls(engine, tools, question)
    assert [name for name, _ in actual] == [name for name, _ in expected], actual
    for (name, arguments), (_, wanted) in zip(actual, expected, strict=True):
        assert set(wanted) <= set(arguments), arguments
        # Arguments the expectation leaves open (a summary, a default) are the engine's.
        assert _result(functions[name], arguments) == _result(
            functions[name], {**arguments, **wanted}
        ), arguments


def test_paraphrases_cover_every_domain_tool_in_both_languages(
    auto: tuple[Tools, dict[str, Callable[..., Any]]],
) -> None:
    domain = {name for name in auto[1] if name != "request_human_approval"}
    called = {name for _, expected in PARAPHRASES for name, _ in expected}
    assert called == domain
    chinese = [q for q, _ in PARAPHRASES if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(PARAPHRASES) >= 20 and len(chinese) >= 8


def test_paraphrases_appear_in_no_pack_text(rendered_template: Callable[[str], Path]) -> None:
    root = rendered_template("auto")
    texts = [
        path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file() and path.suffix in (".py", ".md", ".yaml", ".json", ".toml")
    ]
    for question, _ in PARAPHRASES:
        assert not any(question in text for text in texts), question
