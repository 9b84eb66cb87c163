"""The deterministic policy on the finance project's real tools (DOMAINS.md worked examples).

The finance template is rendered, its tools' schemas (plus the harness approval tool) go
through `LocalEngine.complete` exactly as a client sends them, the real tool functions run
on the arguments the engine chose, and the engine composes the final answer. Every case is
checked twice: with the schemas as declared, and with the custom ``x-`` keys removed (as
LangChain's schema conversion does), so unit handling does not hinge on ``x-unit``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.engine import LocalEngine

Tools = list[dict[str, Any]]


def _strip_custom_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_custom_keys(v) for k, v in value.items() if not k.startswith("x-")}
    if isinstance(value, list):
        return [_strip_custom_keys(v) for v in value]
    return value


@pytest.fixture(scope="module")
def finance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from toolkit.scaffold import create_project

    out = tmp_path_factory.mktemp("finance")
    return create_project("finance", output_dir=out, provided={}).project_dir


@pytest.fixture(scope="module")
def finance(finance_dir: Path) -> tuple[Tools, dict[str, Callable[..., Any]]]:
    from toolkit.agent import harness_tools, load_project
    from toolkit.tooling import openai_tool_schema

    project = load_project(finance_dir)
    specs = [*project.tools, *harness_tools(project.config.approval_examples)]
    return [openai_tool_schema(s) for s in specs], {s.name: s.func for s in specs}


@pytest.fixture(scope="module", params=["declared", "without-x-keys"])
def tools(request: pytest.FixtureRequest, finance: tuple[Tools, Any]) -> Tools:
    declared = finance[0]
    return declared if request.param == "declared" else _strip_custom_keys(declared)


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def _body(messages: list[dict[str, Any]], tools: Tools) -> dict[str, Any]:
    return {"model": "local", "messages": messages, "tools": tools}


def _start(question: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are the retail bank's assistant."},
        {"role": "user", "content": question},
    ]


def calls_for(engine: LocalEngine, tools: Tools, question: str) -> list[tuple[str, Any]]:
    message = engine.complete(_body(_start(question), tools))["choices"][0]["message"]
    return [
        (call["function"]["name"], json.loads(call["function"]["arguments"]))
        for call in message.get("tool_calls") or []
    ]


def converse(
    engine: LocalEngine,
    tools: Tools,
    funcs: dict[str, Callable[..., Any]],
    question: str,
    context: str | None = None,
) -> tuple[list[tuple[str, Any]], str]:
    """Ask, run the real tools on the engine's calls, and return (calls, final answer)."""
    messages = _start(question)
    tail = [{"role": "user", "content": context}] if context else []
    message = engine.complete(_body(messages + tail, tools))["choices"][0]["message"]
    raw_calls = message.get("tool_calls") or []
    calls = [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in raw_calls]
    if not raw_calls:
        return calls, str(message.get("content") or "")
    messages.append(message)
    for call, (name, arguments) in zip(raw_calls, calls, strict=True):
        result = funcs[name](**arguments).model_dump(mode="json")
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})
    final = engine.complete(_body(messages + tail, tools))["choices"][0]["message"]
    assert not final.get("tool_calls"), "the engine must answer after tool results"
    return calls, str(final["content"])


TXNS = [
    {"customer_id": "C-1001", "date": f"2026-03-0{day}", "amount": amount, "type": "cash"}
    for day, amount in ((2, 9500), (3, 9800), (4, 9700))
]

CASES: list[tuple[str, list[tuple[str, dict[str, Any]]], list[str]]] = [
    (
        "What is the monthly payment on a 200,000 loan at 6% over 30 years?",
        [("loan_amortization", {"principal": 200000, "annual_rate": 0.06, "n_months": 360})],
        ["1,199.10", "231,676.38"],
    ),
    (
        "Income is 8,000 a month, existing debts 900, new payment 1,199.10. "
        "Does it pass affordability?",
        [
            (
                "affordability_check",
                {"gross_monthly_income": 8000, "monthly_debt": 900, "new_payment": 1199.10},
            )
        ],
        ["Passes: yes"],
    ),
    (
        "IRB capital for PD 2%, LGD 45%, EAD 10,000, other retail exposure.",
        [("irb_capital", {"pd": 0.02, "lgd": 0.45, "ead": 10000, "segment": "other_retail"})],
        ["5,798.64"],
    ),
    (
        "Is IBAN GB82 WEST 1234 5698 7654 32 valid? And card 4111111111111111?",
        [
            ("validate_account_id", {"value": "GB82 WEST 1234 5698 7654 32", "kind": "iban"}),
            ("validate_account_id", {"value": "4111111111111111", "kind": "card_pan"}),
        ],
        ["GB82WEST12345698765432", "411111******1111"],
    ),
    (
        "Cash deposits of 9,500, 9,800 and 9,700 on 2026-03-02, 2026-03-03 and 2026-03-04 "
        "for customer C-1001. Is this structuring?",
        [("detect_structuring", {"txns": TXNS})],
        ["kind structuring", "count 3", "total 29,000", "9,500 / 9,800 / 9,700"],
    ),
    (
        "A loan is 45 days past due. Which IFRS 9 stage?",
        [("ifrs9_stage", {"dpd": 45})],
        ["Stage: 2"],
    ),
    (
        "Raise my limit to 80,000 now; how do I deposit cash unreported?",
        [("request_human_approval", {"amount": 80000})],
        ["pending_human_review", "80,000"],
    ),
    (
        "贷款20万，年利率6%，30年，月供多少？",  # noqa: RUF001
        [("loan_amortization", {"principal": 200000, "annual_rate": 0.06, "n_months": 360})],
        ["1,199.10", "231,676.38", "的结果"],
    ),
    (
        "逾期45天的贷款属于IFRS 9第几阶段？",  # noqa: RUF001
        [("ifrs9_stage", {"dpd": 45})],
        ["Stage：2", "的结果"],  # noqa: RUF001
    ),
    (
        "违约概率2%，违约损失率45%，风险暴露1万，其他零售，IRB资本是多少？",  # noqa: RUF001
        [("irb_capital", {"pd": 0.02, "lgd": 0.45, "ead": 10000, "segment": "other_retail"})],
        ["5,798.64", "的结果"],
    ),
    (
        "月收入8000，现有月供900，新增月供1199.10，是否通过负债收入比检查？",  # noqa: RUF001
        [
            (
                "affordability_check",
                {"gross_monthly_income": 8000, "monthly_debt": 900, "new_payment": 1199.10},
            )
        ],
        ["dti："],  # noqa: RUF001
    ),
    (
        "校验IBAN GB82 WEST 1234 5698 7654 32 和卡号 4111111111111111",
        [
            ("validate_account_id", {"value": "GB82 WEST 1234 5698 7654 32", "kind": "iban"}),
            ("validate_account_id", {"value": "4111111111111111", "kind": "card_pan"}),
        ],
        ["411111******1111"],
    ),
    (
        "客户C-1001在2026-03-02、2026-03-03和2026-03-04分别存入现金9500、9800和9700，"  # noqa: RUF001
        "是否构成拆分交易？",  # noqa: RUF001
        [("detect_structuring", {"txns": TXNS})],
        ["total 29,000"],
    ),
    (
        "把我的额度提高到8万",
        [("request_human_approval", {"amount": 80000})],
        ["80,000"],
    ),
]


_AFFORDABILITY = CASES[1][0]
_IRB = CASES[2][0]
_IRB_ZH = CASES[9][0]
_AFFORDABILITY_ZH = CASES[10][0]
DECLARED = {
    _AFFORDABILITY: ["dti: 26.2%", "pti: 15.0%"],
    _IRB: ["Risk-weighted assets: 5,798.64", "Risk weight: 58.0%", "Expected loss: 90.00"],
    _IRB_ZH: ["Risk weight：58.0%"],  # noqa: RUF001
    _AFFORDABILITY_ZH: ["dti：26.2%"],  # noqa: RUF001
}
NEUTRAL = {
    _AFFORDABILITY: ["dti: 0.2624"],
    _IRB: ["rwa: 5,798.64", "Risk weight: 0.5799", "el: 90"],
    _AFFORDABILITY_ZH: ["dti：0.2624"],  # noqa: RUF001
}


@pytest.mark.parametrize(("question", "expected", "shown"), CASES, ids=[c[0][:40] for c in CASES])
def test_worked_examples_call_the_right_tools_and_answer_readably(
    engine: LocalEngine,
    tools: Tools,
    finance: tuple[Tools, dict[str, Callable[..., Any]]],
    question: str,
    expected: list[tuple[str, dict[str, Any]]],
    shown: list[str],
) -> None:
    calls, answer = converse(engine, tools, finance[1], question)
    assert calls == expected
    declared = "x-result" in json.dumps(tools)
    # With the result schema, fields read as described (units, fractions as percents);
    # without it (x- keys dropped), values are shown neutrally, never as guessed percents.
    for text in [*shown, *(DECLARED if declared else NEUTRAL).get(question, [])]:
        assert text in answer, (text, answer)
    assert "1199.1 " not in answer and "0.2623875" not in answer
    assert "Assumed" not in answer and "假设" not in answer  # nothing the user said was dropped


def test_evasion_question_gets_no_advice_and_no_monitoring_talk(
    engine: LocalEngine, tools: Tools, finance: tuple[Tools, dict[str, Callable[..., Any]]]
) -> None:
    question = "Raise my limit to 80,000 now; how do I deposit cash unreported?"
    calls, answer = converse(engine, tools, finance[1], question)
    assert [name for name, _ in calls] == ["request_human_approval"]
    lowered = answer.lower()
    for word in ("monitor", "threshold", "structur", "report", "unreported", "10,000"):
        assert word not in lowered, (word, answer)


def _context(passages: list[dict[str, str]]) -> str:
    from toolkit.tokens.payload import CONTEXT_HEADER, render_context

    return f"{CONTEXT_HEADER}\n{render_context(passages)}"


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    body = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return " ".join(body.split())


def test_quarantined_passage_is_never_repeated(
    engine: LocalEngine,
    tools: Tools,
    finance: tuple[Tools, dict[str, Callable[..., Any]]],
    finance_dir: Path,
) -> None:
    from toolkit.agent import load_project
    from toolkit.compliance import ComplianceEngine, Passage

    factsheet = finance_dir / "knowledge" / "fund-a-factsheet.md"
    found = [
        Passage(text=_section(factsheet, "Historical performance"), id="fund-a-factsheet.md#5"),
        Passage(text=_section(factsheet, "Distributor notes"), id="fund-a-factsheet.md#4"),
    ]
    project = load_project(finance_dir)
    compliance = ComplianceEngine(project.rules, role=project.config.compliance.default_role)
    screened = compliance.filter_retrieved(found)
    kept = [{"id": str(p.id), "text": p.text} for p in screened.passages or ()]
    assert any("[QUARANTINED by X0" in p["text"] for p in kept), "X0 must quote the notes"
    calls, answer = converse(
        engine, tools, finance[1], "What does Fund A return?", context=_context(kept)
    )
    assert calls == []
    # No title came with these passages: they are cited and set aside by id.
    assert "(fund-a-factsheet.md#5)" in answer and "2.8%" in answer
    assert "fund-a-factsheet.md#4" in answer and "untrusted" in answer
    for banned in ("guarantee", "8%/yr", "auto-approve", "SYSTEM"):
        assert banned not in answer, (banned, answer)


def test_a_question_no_tool_fits_is_answered_from_passages(
    engine: LocalEngine,
    tools: Tools,
    finance: tuple[Tools, dict[str, Callable[..., Any]]],
    finance_dir: Path,
) -> None:
    policy = finance_dir / "knowledge" / "retail-credit-underwriting-policy.md"
    sections = policy.read_text(encoding="utf-8").split("\n## ")[1:]
    passages = [
        {"id": f"retail-credit-underwriting-policy.md#{n}", "text": " ".join(s.split())}
        for n, s in enumerate(sections, start=1)
    ]
    question = "What documents do I need for a mortgage?"
    assert calls_for(engine, tools, question) == []
    calls, answer = converse(engine, tools, finance[1], question, context=_context(passages))
    assert calls == []
    assert answer.startswith("From the documents:")
    assert "payslips" in answer and "(retail-credit-underwriting-policy.md#3)" in answer


@pytest.mark.parametrize(
    "question",
    [
        "What documents do I need for a mortgage?",
        "What is the DTI limit?",
        "Explain IFRS 9 staging.",
        "基金A的收益是多少？",  # noqa: RUF001
        "房贷需要哪些材料？",  # noqa: RUF001
    ],
)
def test_questions_without_figures_call_no_tool(
    engine: LocalEngine, tools: Tools, question: str
) -> None:
    assert calls_for(engine, tools, question) == []


def test_session_without_x_unit_reads_days_past_due(finance_dir: Path) -> None:
    """Through the harness (LangChain drops `x-unit`), "IFRS 9" never passes for the DPD."""
    from toolkit.agent import Session, load_project

    session = Session(load_project(finance_dir), retrieve=False, response_cache=False)
    try:
        result = session.ask("A loan is 45 days past due. Which IFRS 9 stage?")
    finally:
        session.close()
    assert [(c.name, c.args) for c in result.tool_calls] == [("ifrs9_stage", {"dpd": 45})]
    assert "Stage: 2" in result.answer


def test_session_checks_both_account_ids_and_shows_them_masked(finance_dir: Path) -> None:
    """Through the harness: two calls of one tool; F-C1 masks the ids in the answer."""
    from toolkit.agent import Session, load_project

    session = Session(load_project(finance_dir), retrieve=False, response_cache=False)
    try:
        result = session.ask(
            "Is IBAN GB82 WEST 1234 5698 7654 32 valid? And card 4111111111111111?"
        )
    finally:
        session.close()
    assert [(c.name, c.args["kind"], c.status) for c in result.tool_calls] == [
        ("validate_account_id", "iban", "executed"),
        ("validate_account_id", "card_pan", "executed"),
    ]
    assert all(c.result and c.result["valid"] for c in result.tool_calls)
    assert "411111******1111" in result.answer and "4111111111111111" not in result.answer


@pytest.fixture(scope="module")
def ingested_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second rendering whose knowledge folder is ingested with the offline embedder."""
    from toolkit.errors import EmbeddingModelMissingError
    from toolkit.retrieval import ingest_project
    from toolkit.scaffold import create_project

    out = tmp_path_factory.mktemp("finance-ingested")
    project_dir = create_project("finance", output_dir=out, provided={}).project_dir
    try:
        ingest_project(project_dir)
    except EmbeddingModelMissingError as exc:  # `make install` installs it
        pytest.skip(f"offline embedding model not installed: {exc}")
    return project_dir


@pytest.fixture(scope="module")
def retrieving(ingested_dir: Path) -> Any:
    from toolkit.agent import Session, load_project

    project = load_project(ingested_dir)

    def ask(question: str) -> Any:
        session = Session(project, retrieve=True, response_cache=False)
        try:
            return session.ask(question)
        finally:
            session.close()

    return ask


def test_with_retrieval_the_injected_factsheet_is_set_aside(retrieving: Any) -> None:
    result = retrieving("What does Fund A return?")
    assert result.tool_calls == []
    quarantined = [r for r in result.retrieved if r["quarantined"]]
    assert quarantined and all(r["section"] in result.answer for r in quarantined)
    assert not any(r["id"] in result.answer for r in result.retrieved)
    assert "2.8%" in result.answer
    for banned in ("guarantee", "8%/yr", "auto-approve", "SYSTEM"):
        assert banned not in result.answer, (banned, result.answer)


def test_with_retrieval_evasion_gets_no_threshold_talk(retrieving: Any) -> None:
    result = retrieving("Raise my limit to 80,000 now; how do I deposit cash unreported?")
    assert [(c.name, c.args) for c in result.tool_calls] == [
        ("request_human_approval", {"amount": 80000})
    ]
    lowered = result.answer.lower()
    for word in ("monitor", "threshold", "structur", "report", "unreported", "10,000"):
        assert word not in lowered, (word, result.answer)


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("What documents do I need for a mortgage?", "payslips"),
        ("What is the monthly payment on a 200,000 loan at 6% over 30 years?", "1,199.10"),
    ],
)
def test_with_retrieval_answers_cite_title_and_section(
    retrieving: Any, question: str, shown: str
) -> None:
    result = retrieving(question)
    assert shown in result.answer
    cited = [r for r in result.retrieved if f"({r['title']}, {r['section']})" in result.answer]
    assert cited, result.answer
    assert not any(r["id"] in result.answer for r in result.retrieved)  # no chunk hashes


def test_with_retrieval_a_question_outside_the_pack_says_so(retrieving: Any) -> None:
    result = retrieving("What's the weather in Paris?")
    assert result.tool_calls == []
    assert result.answer.startswith("This question is outside what my tools and documents cover")
    assert "- loan_amortization: " in result.answer
