"""Evaluation runner throughput on a 50-case synthetic suite with a scripted agent.

Figures:
- scoring overhead: cases/s with an agent that answers instantly (concurrency 1);
- cases/s at concurrency 1 and 8 when each answer takes 20 ms (an I/O-bound model
  call), and the speed-up of 8 over 1 (ideal: 8x);
- time to write report.json, junit.xml, report.html and trace.jsonl for the run.

The embedded-engine version of this bench (response cache, cache efficiency of the
harness's request layout) needs `toolkit.agent` and `toolkit.engine` and comes with
the merge.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

# Measure this checkout's toolkit, not whichever copy is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.evals import EvalCase, EvalReport, run_suite, write_reports
from toolkit.evals._result import AgentResult
from toolkit.evals.testing import ScriptedAsk, write_project

N_CASES = 50
LATENCY_S = 0.020
RULES = """\
rules:
  - {id: F-C1, regulation: "PCI DSS v4.0.1 Req 3.4.1", kind: pii, params: {entities: [card_pan, iban]}}
  - {id: F-C2, regulation: "FINRA Rule 2210(d)(1)", kind: phrase, params: {phrases: [guaranteed, risk-free]}}
"""  # noqa: E501


def cases_yaml() -> str:
    lines = ["cases:"]
    for i in range(N_CASES):
        lines += [
            f"  - id: case-{i:02d}",
            f"    request: Monthly payment on {1000 * (i + 1)} at 6% over 30 years?",
            "    expect:",
            "      tools:",
            "        - name: loan_amortization",
            f"          args: {{principal: {1000 * (i + 1)}, annual_rate: 0.06, n_months: 360}}",
            "          tolerance: {rel: 0.001}",
            '      answer_contains: ["re:payment \\\\d+"]',
            "      answer_excludes: [guaranteed]",
            "      retrieved: [policy]",
            "      rules: [F-C1, F-C2]",
        ]
    return "\n".join(lines) + "\n"


def answer(case: EvalCase, number: int, delay: float) -> AgentResult:
    if delay:
        time.sleep(delay)
    principal = int(case.id.split("-")[1]) * 1000 + 1000
    body = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "You are a retail-credit assistant." * 20},
            {"role": "user", "content": case.request},
        ],
    }
    return AgentResult.model_validate(
        {
            "answer": f"The payment {principal // 167} per month; card 411111******1111.",
            "tool_calls": [
                {
                    "name": "loan_amortization",
                    "args": {"principal": principal, "annual_rate": 0.06, "n_months": 360},
                    "status": "executed",
                }
            ],
            "retrieved_ids": ["faq", "policy"],
            "usage": {"prompt_tokens": 900, "cached_tokens": 640, "completion_tokens": 40},
            "trace": [body, body],
            "latency_s": delay,
        }
    )


def timed_run(project: Path, concurrency: int, delay: float) -> tuple[float, EvalReport]:
    def script(case: EvalCase, number: int) -> AgentResult:
        return answer(case, number, delay)

    ask = ScriptedAsk({f"case-{i:02d}": script for i in range(N_CASES)})
    best = float("inf")
    report = EvalReport()
    for _ in range(3):
        start = time.perf_counter()
        report = run_suite(project, ask=ask, concurrency=concurrency, cache_bound=lambda b: None)
        best = min(best, time.perf_counter() - start)
    assert report.aggregates.pass_rate == 1.0, report.aggregates
    return best, report


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = write_project(Path(tmp) / "bench", cases=cases_yaml(), rules=RULES)
        overhead, _ = timed_run(project, 1, 0.0)
        print(f"scoring overhead (instant agent, c=1): {N_CASES / overhead:,.0f} cases/s")
        seq, _ = timed_run(project, 1, LATENCY_S)
        par, report = timed_run(project, 8, LATENCY_S)
        print(f"{LATENCY_S * 1000:.0f} ms agent, concurrency 1: {N_CASES / seq:,.1f} cases/s")
        print(f"{LATENCY_S * 1000:.0f} ms agent, concurrency 8: {N_CASES / par:,.1f} cases/s")
        print(f"speed-up 8 vs 1: {seq / par:.2f}x (ideal 8x)")
        start = time.perf_counter()
        write_reports(report, Path(tmp) / "reports")
        print(f"writing the four report files: {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
