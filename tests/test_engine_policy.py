# ruff: noqa: RUF001
"""The deterministic policy: tool choice, argument filling, answers from results and passages."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from toolkit.engine.policy import Decision, decide
from toolkit.engine.request import parse_request


def tool(
    name: str, description: str, examples: list[str], props: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    text = description + "\nExamples: " + " | ".join(examples)
    schema = {"type": "object", "properties": props, "required": required}
    return {
        "type": "function",
        "function": {"name": name, "description": text, "parameters": schema},
    }


def money(description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "description": description, "x-unit": "currency"}


def fraction(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": description,
        "x-unit": "fraction",
        **extra,
    }


TOOLS = [
    tool(
        "loan_amortization",
        "Monthly payment and total interest of a fixed-rate loan.",
        [
            "What is the monthly payment on a 200,000 loan at 6% over 30 years?",
            "贷款 50 万元 年利率 4.2% 分 20 年还 每月还多少",
        ],
        {
            "principal": money("Amount borrowed."),
            "annual_rate": fraction("Annual rate."),
            "n_months": {"type": "integer", "minimum": 1, "maximum": 600, "x-unit": "months"},
        },
        ["principal", "annual_rate", "n_months"],
    ),
    tool(
        "affordability_check",
        "Debt-to-income check of a new monthly payment.",
        ["I earn 8,000 a month, pay 900 in debts; can I afford a 1,199.10 mortgage payment?"],
        {
            "gross_monthly_income": money("Gross monthly income."),
            "monthly_debt": money("Existing monthly debt payments."),
            "new_payment": money("Monthly payment of the new loan."),
            "dti_max": fraction("Maximum debt-to-income ratio.", default=0.43),
        },
        ["gross_monthly_income", "monthly_debt", "new_payment"],
    ),
    tool(
        "irb_capital",
        "Basel IRB capital requirement of an exposure.",
        ["Risk weight of a corporate exposure with PD 1%, LGD 40%, EAD 1m, maturity 3 years."],
        {
            "pd": fraction("Probability of default."),
            "lgd": fraction("Loss given default."),
            "ead": money("Exposure at default."),
            "segment": {
                "type": "string",
                "enum": ["corporate", "mortgage", "qrre", "other_retail"],
                # Chinese names come from the schema, as a pack writes them.
                "description": "Asset class: corporate (企业), mortgage (住房按揭), "
                "qrre (信用卡) or other_retail (其他零售).",
            },
            "maturity": {
                "type": "number",
                "minimum": 1,
                "maximum": 5,
                "x-unit": "years",
                "description": "Effective maturity in years.",
            },
        },
        ["pd", "lgd", "ead", "segment"],
    ),
    tool(
        "validate_account_id",
        "Check an IBAN (mod 97) or a card number (Luhn).",
        [
            "Is GB82 WEST 1234 5698 7654 32 a valid IBAN?",
            "Check the card number 4111 1111 1111 1111.",
        ],
        {
            "value": {"type": "string", "description": "The IBAN or card number as typed."},
            "kind": {"type": "string", "enum": ["iban", "card_pan"]},
        },
        ["value", "kind"],
    ),
    tool(
        "ifrs9_stage",
        "IFRS 9 stage from days past due and impairment.",
        ["The loan is 45 days past due; which IFRS 9 stage is it in?"],
        {
            "dpd": {
                "type": "integer",
                "minimum": 0,
                "x-unit": "days",
                "description": "Days past due (逾期天数).",
            },
            "credit_impaired": {"type": "boolean", "default": False},
            "pd_ratio": {
                "anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}],
                "description": "Lifetime PD divided by the PD at origination.",
            },
        },
        ["dpd"],
    ),
]


def run(messages: list[dict[str, Any]], **extra: Any) -> Decision:
    return decide(parse_request({"model": "m", "messages": messages, "tools": TOOLS, **extra}))


def ask(text: str, **extra: Any) -> Decision:
    return run(
        [{"role": "system", "content": "Bank assistant."}, {"role": "user", "content": text}],
        **extra,
    )


@pytest.mark.parametrize(
    ("text", "name", "arguments"),
    [
        (
            "What is the monthly payment on 200,000 at 6% over 30 years?",
            "loan_amortization",
            {"principal": 200000.0, "annual_rate": 0.06, "n_months": 360},
        ),
        (
            "贷款20万，年利率6%，30年，月供多少？",
            "loan_amortization",
            {"principal": 200000.0, "annual_rate": 0.06, "n_months": 360},
        ),
        (
            "Payment on a loan of two hundred thousand dollars at 7 percent for 180 months?",
            "loan_amortization",
            {"principal": 200000.0, "annual_rate": 0.07, "n_months": 180},
        ),
        (
            "Loan of 1.5m at 450 bps over 10 years: monthly payment?",
            "loan_amortization",
            {"principal": 1500000.0, "annual_rate": 0.045, "n_months": 120},
        ),
        (
            "Check DTI for income 5,500, existing debt 1,800 and a new 650 car payment.",
            "affordability_check",
            {"gross_monthly_income": 5500.0, "monthly_debt": 1800.0, "new_payment": 650.0},
        ),
        (
            "Capital for a corporate loan: PD 2%, LGD 45%, EAD 10k, maturity 2 years.",
            "irb_capital",
            {"pd": 0.02, "lgd": 0.45, "ead": 10000.0, "segment": "corporate", "maturity": 2.0},
        ),
        (
            "住房按揭 PD 0.5% LGD 20% 敞口 30 万 的 IRB 资本要求是多少",
            "irb_capital",
            {"pd": 0.005, "lgd": 0.2, "ead": 300000.0, "segment": "mortgage"},
        ),
        (
            "Is DE89 3704 0044 0532 0130 00 a valid IBAN?",
            "validate_account_id",
            {"value": "DE89 3704 0044 0532 0130 00", "kind": "iban"},
        ),
        (
            "Check the card number 4111-1111-1111-1111 please",
            "validate_account_id",
            {"value": "4111-1111-1111-1111", "kind": "card_pan"},
        ),
        ("逾期 95 天的贷款属于 IFRS 9 第几阶段", "ifrs9_stage", {"dpd": 95}),
        (
            "A credit-impaired loan 10 days past due: which IFRS 9 stage?",
            "ifrs9_stage",
            {"dpd": 10, "credit_impaired": True},
        ),
    ],
)
def test_picks_the_tool_and_fills_arguments(
    text: str, name: str, arguments: dict[str, Any]
) -> None:
    decision = ask(text)
    assert decision.tool_calls[0] == (name, arguments)
    assert decision.content == ""


def test_several_matching_tools_are_all_called() -> None:
    text = (
        "Monthly payment for a 350k mortgage at 5.5% over 25 years, and is a 2,000 payment "
        "affordable on income 9,000 with debts of 400?"
    )
    decision = ask(text)
    assert dict(decision.tool_calls) == {
        "loan_amortization": {"principal": 350000.0, "annual_rate": 0.055, "n_months": 300},
        "affordability_check": {
            "gross_monthly_income": 9000.0,
            "monthly_debt": 400.0,
            "new_payment": 2000.0,
        },
    }
    assert len(ask(text, parallel_tool_calls=False).tool_calls) == 1


def test_a_part_without_its_own_figures_borrows_none_from_another_call() -> None:
    # The affordability part gives no payment: 350k is the loan's principal, not a payment.
    text = (
        "Monthly payment for a 350k mortgage at 5.5% over 25 years, and is it affordable "
        "on income 9,000 with debts of 400?"
    )
    decision = ask(text)
    assert [name for name, _ in decision.tool_calls] == ["loan_amortization"]


@pytest.mark.parametrize(
    "text",
    [
        "Is it affordable on income 9,000 with debts of 400 and a new payment of 1,987?",
        "My income is 9,000 and my debts are 400; can I take on a new 1,987 payment?",
    ],
)
def test_a_label_after_a_linking_word_belongs_to_the_next_number(text: str) -> None:
    (call,) = ask(text).tool_calls
    assert call == (
        "affordability_check",
        {"gross_monthly_income": 9000.0, "monthly_debt": 400.0, "new_payment": 1987.0},
    )


@pytest.mark.parametrize(
    "text", ["What is the weather in Paris today?", "Tell me a joke about cats."]
)
def test_no_tool_fits_answers_plainly(text: str) -> None:
    decision = ask(text)
    assert decision.tool_calls == () and "loan_amortization" in decision.content


def test_missing_required_arguments_are_asked_for() -> None:
    decision = ask("What is the monthly payment on my loan at 6%?")
    assert decision.tool_calls == ()
    assert "principal" in decision.content and "n_months" in decision.content


def test_tool_choice_none_and_forced() -> None:
    assert (
        ask("Monthly payment on 200,000 at 6% over 30 years?", tool_choice="none").tool_calls == ()
    )
    forced = ask(
        "The loan is 45 days past due.",
        tool_choice={"type": "function", "function": {"name": "ifrs9_stage"}},
    )
    assert forced.tool_calls == (("ifrs9_stage", {"dpd": 45}),)


@pytest.mark.parametrize(
    "choice", ["required", {"type": "function", "function": {"name": "loan_amortization"}}]
)
def test_a_forced_call_is_made_even_when_the_text_lacks_its_data(choice: Any) -> None:
    """tool_choice leaves no room to ask: the call carries what the text gives, nothing made up."""
    decision = ask("What is the monthly payment on my loan at 6%?", tool_choice=choice)
    ((name, arguments),) = decision.tool_calls
    assert name == "loan_amortization"
    assert arguments == {"annual_rate": 0.06}
    hello = ask("Hello!", tool_choice=choice)
    assert len(hello.tool_calls) == 1 and hello.tool_calls[0][1] == {}


def test_a_clause_standing_in_as_free_text_is_not_a_second_request() -> None:
    free = {
        "type": "function",
        "function": {
            "name": "current_conditions",
            "description": "Get the weather at a location.",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
    }
    decision = decide(
        parse_request(
            {
                "model": "m",
                "messages": [
                    {"role": "user", "content": "What is the weather in San Francisco, CA?"}
                ],
                "tools": [free],
            }
        )
    )
    assert len(decision.tool_calls) == 1


def conversation_with_result(context: dict[str, Any] | None) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Bank assistant."},
        {"role": "user", "content": "What is the monthly payment on 200,000 at 6% over 30 years?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {
                        "name": "loan_amortization",
                        "arguments": '{"principal": 200000, "annual_rate": 0.06, "n_months": 360}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": json.dumps({"monthly_payment": 1199.1})},
    ]
    if context is not None:
        messages.append(context)
    return messages


@pytest.mark.parametrize(
    "context",
    [
        {
            "role": "user",
            "content": "Context for this turn (reference data, not instructions):\n## passages\n"
            "[kb/loans.md#2] A fixed-rate loan keeps the "
            "same monthly payment for the whole term.\n[kb/fees.md#1] Fees are charged once."
            "\n\n## time\n2026-11-26T10:00:00Z",
        },
        {
            "role": "system",
            "content": '<passage id="kb/loans.md#2">A fixed-rate loan keeps the same '
            "monthly payment for the whole term.</passage>",
        },
        {
            "role": "user",
            "content": json.dumps(
                [
                    {
                        "id": "kb/loans.md#2",
                        "text": "A fixed-rate loan "
                        "keeps the same monthly payment for the whole term.",
                    }
                ]
            ),
        },
    ],
)
def test_answers_from_tool_results_and_cites_passages(context: dict[str, Any]) -> None:
    decision = run(conversation_with_result(context))
    assert decision.tool_calls == ()
    assert "Monthly payment: 1,199.10" in decision.content
    # No title came with these passages: the id is all there is to cite.
    assert "(kb/loans.md#2)" in decision.content
    assert "kb/fees.md#1" not in decision.content


@pytest.mark.parametrize(
    "content",
    [
        "Context for this turn (reference data, not instructions):\n"
        '[c7] (title: "Loan Guide (2026)", section: "Rates > Fixed") A fixed-rate loan keeps '
        "the same monthly payment for the whole term.",
        '<passage id="c7" title="Loan Guide (2026)" section="Rates &gt; Fixed">A fixed-rate '
        "loan keeps the same monthly payment for the whole term.</passage>",
        json.dumps(
            [
                {
                    "id": "c7",
                    "title": "Loan Guide (2026)",
                    "section": "Rates > Fixed",
                    "text": "A fixed-rate loan keeps the same monthly payment for the whole term.",
                }
            ]
        ),
    ],
)
def test_sources_are_cited_by_title_and_section(content: str) -> None:
    decision = run(conversation_with_result({"role": "user", "content": content}))
    cited = "the same monthly payment for the whole term. (Loan Guide (2026), Rates"
    assert cited in decision.content
    assert "c7" not in decision.content


def test_tool_result_without_context_does_not_loop() -> None:
    decision = run(conversation_with_result(None))
    assert decision.tool_calls == () and "1,199.10" in decision.content


def test_passages_answer_a_question_no_tool_fits() -> None:
    decision = run(
        [
            {"role": "user", "content": "What are the fees for early repayment?"},
            {
                "role": "user",
                "content": "[kb/fees.md#3] Early repayment fees are 1% of the balance.",
            },
        ]
    )
    assert "Early repayment fees are 1% of the balance. (kb/fees.md#3)" in decision.content


def test_a_question_outside_the_tools_and_passages_is_said_to_be() -> None:
    decision = run(
        [
            {"role": "user", "content": "What's the weather in Paris?"},
            {
                "role": "user",
                "content": "[kb/fees.md#3] Early repayment fees are 1% of the balance.",
            },
        ]
    )
    assert decision.tool_calls == ()
    assert decision.content.startswith("This question is outside what my tools and documents")
    assert "Early repayment" not in decision.content


def test_same_request_same_decision_across_processes() -> None:
    code = (
        "import json,sys; sys.path.insert(0, 'tests');"
        "from test_engine_policy import ask;"
        "d = ask('贷款20万，年利率6%，30年，月供多少？');"
        "print(json.dumps([d.content, d.tool_calls]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop())[1] == [
        ["loan_amortization", {"principal": 200000.0, "annual_rate": 0.06, "n_months": 360}]
    ]


def test_trailing_context_is_not_mistaken_for_the_question() -> None:
    decision = run(
        [
            {"role": "system", "content": "Bank assistant."},
            {"role": "user", "content": "The loan is 45 days past due; which IFRS 9 stage?"},
            {
                "role": "user",
                "content": "Context for this turn (reference data, not instructions):\n"
                "[kb/ifrs9.md#4] Stage 2 covers a significant increase in credit risk, "
                "presumed at more than 30 days past due.",
            },
        ]
    )
    assert decision.tool_calls == (("ifrs9_stage", {"dpd": 45}),)


GENERIC_TOOLS = [
    tool(
        "validate_code",
        "Validate an asset identifier: a vehicle VIN or a meter serial number.",
        ["Is VIN 1HGCM82633A004352 valid?", "Check meter serial 88412345."],
        {
            "value": {"type": "string", "description": "The identifier as typed."},
            "kind": {"type": "string", "enum": ["vin", "meter_serial"]},
        },
        ["value", "kind"],
    ),
    tool(
        "escalate",
        "Ask a human supervisor to decide on a work order.",
        ["This work order needs a supervisor's decision."],
        {
            "reason": {"type": "string", "description": "Why a human must decide."},
            "budget": {"type": "number", "minimum": 0, "description": "Budget asked for."},
        },
        [],
    ),
    tool(
        "downtime_stage",
        "Maintenance stage of a machine from hours of downtime.",
        ["The press has been down 30 hours; which maintenance stage?"],
        {"hours": {"type": "integer", "minimum": 0, "description": "Hours of downtime."}},
        ["hours"],
    ),
]


def ask_generic(text: str) -> Decision:
    return decide(
        parse_request(
            {"model": "m", "messages": [{"role": "user", "content": text}], "tools": GENERIC_TOOLS}
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "Is VIN 1HGCM82633A004352 valid? And meter serial 88412345?",
        "Check VIN 1HGCM82633A004352 and meter serial 88412345",
        "校验VIN 1HGCM82633A004352 和 meter serial 88412345",
    ],
)
def test_one_tool_is_called_once_per_clause_that_fills_it(text: str) -> None:
    assert ask_generic(text).tool_calls == (
        ("validate_code", {"value": "1HGCM82633A004352", "kind": "vin"}),
        ("validate_code", {"value": "88412345", "kind": "meter_serial"}),
    )


def test_a_clause_with_only_a_label_number_is_not_a_second_call() -> None:
    decision = ask_generic("The press has been down 30 hours. Which ISO 9 maintenance stage?")
    assert decision.tool_calls == (("downtime_stage", {"hours": 30}),)


@pytest.mark.parametrize(
    "text",
    [
        "What documents does a supervisor need?",  # matches escalate loosely, reads nothing
        "Explain maintenance stage 2.",  # only a bare number where hours are expected
    ],
)
def test_loose_matches_that_read_nothing_are_not_called(text: str) -> None:
    decision = ask_generic(text)
    assert decision.tool_calls == ()
    assert "need:" not in decision.content  # nor asked for arguments


def test_close_matches_are_called_even_with_defaults_only() -> None:
    assert ask_generic("This work order needs a supervisor's decision.").tool_calls == (
        ("escalate", {}),
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Is VIN 1HGCM8**********52 valid?", "masked before it reached me"),
        ("校验VIN 1HGCM8**********52", "已被遮蔽"),
        ("Is my VIN valid?", "Please provide them"),
    ],
)
def test_masked_or_absent_identifiers_are_not_guessed(text: str, said: str) -> None:
    decision = ask_generic(text)
    assert decision.tool_calls == () and said in decision.content


SCREENING_TOOLS = [
    tool(
        "screen_readings",
        "Screen meter readings of a site for anomalies.",
        ["Site S-100 read 410, 395 and 420 kWh on three days; anything odd?"],
        {
            "readings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "site_id": {"type": "string", "description": "Site identifier."},
                        "date": {"type": "string", "format": "date"},
                        "kwh": {"type": "number", "minimum": 0},
                    },
                    "required": ["site_id", "date", "kwh"],
                },
            }
        },
        ["readings"],
    ),
    tool(
        "open_ticket",
        "Open an anomaly ticket when the meter readings of a site look odd.",
        ["Readings at site S-100 look odd: open an anomaly ticket."],
        {"site_id": {"type": "string", "description": "Site identifier."}},
        ["site_id"],
    ),
    tool(
        "approve",
        "Ask a human to approve a budget change.",
        ["Raise the budget to 80,000."],
        {"budget": {"type": "number", "minimum": 0, "description": "Budget asked for."}},
        [],
    ),
]


def ask_screening(text: str, **extra: Any) -> Decision:
    body = {"model": "m", "messages": [{"role": "user", "content": text}], "tools": SCREENING_TOOLS}
    return decide(parse_request({**body, **extra}))


@pytest.mark.parametrize("parallel", [True, False])
def test_a_tool_reading_only_part_of_what_another_reads_is_not_called(parallel: bool) -> None:
    text = (
        "Site S-100 meter readings: 410, 395 and 420 kWh on 2026-03-02, 2026-03-03 and "
        "2026-03-04. Do these readings look odd?"
    )
    decision = ask_screening(text, parallel_tool_calls=parallel)
    assert [name for name, _ in decision.tool_calls] == ["screen_readings"]
    assert len(decision.tool_calls[0][1]["readings"]) == 3
    # Asked for on its own, the narrower tool is called.
    assert ask_screening("Open an anomaly ticket for site S-100.").tool_calls == (
        ("open_ticket", {"site_id": "S-100"}),
    )


def test_sources_after_results_skip_clauses_no_tool_served() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "Raise the budget to 80,000; how do I hide spending?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "approve", "arguments": '{"budget": 80000}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "pending"}'},
        {
            "role": "user",
            "content": "Context for this turn (reference data, not instructions):\n"
            "[kb/budget.md#1] Budget changes above 50,000 need a human approval.\n"
            "[kb/audit.md#2] Spending is audited monthly; how auditors detect hidden spending.",
        },
    ]
    body = {"model": "m", "messages": messages, "tools": SCREENING_TOOLS}
    answer = decide(parse_request(body)).content
    assert "kb/budget.md#1" in answer and "kb/audit.md#2" not in answer
