"""Final answers quote tool results and cite passages, in the question's language."""

from __future__ import annotations

from toolkit.engine.compose import ToolOutcome, answer_from_results, answer_missing, answer_plain
from toolkit.engine.passages import Passage

PASSAGES = [
    Passage("kb/fees.md#1", "Arrangement fees are charged once. Early repayment costs 1%."),
    Passage("kb/cars.md#9", "Electric cars need less maintenance."),
]


def test_results_and_relevant_passages_only() -> None:
    outcome = ToolOutcome(
        "fee_calc", '{"balance": 1000}', '{"fee": 10.0, "detail": {"rate": 0.01}}'
    )
    answer = answer_from_results("What does early repayment cost?", [outcome], PASSAGES)
    assert answer.startswith("fee_calc(balance=1000) returned fee: 10.0; detail.rate: 0.01.")
    assert "Early repayment costs 1%. [kb/fees.md#1]" in answer
    assert "kb/cars.md#9" not in answer


def test_chinese_question_gets_a_chinese_answer() -> None:
    outcome = ToolOutcome("loan", "{}", '{"monthly_payment": 1199.1}')
    answer = answer_from_results("月供多少？", [outcome], [])  # noqa: RUF001
    assert "的结果" in answer and "monthly_payment: 1199.1" in answer
    assert "还需要" in answer_missing("贷款多少", "loan", [("principal", "Amount")])


def test_plain_answers_say_what_the_engine_is() -> None:
    assert "not a language model" in answer_plain("Hello?", [], [])
    assert "fee_calc" in answer_plain("Hello?", [], ["fee_calc"])
    assert "[kb/cars.md#9]" in answer_plain("Do electric cars need maintenance?", PASSAGES, [])
