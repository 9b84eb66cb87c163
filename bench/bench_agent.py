"""The agent harness on the embedded engine, over a 50-case synthetic finance suite.

Figures, each against a baseline measured in this run:
- cases/s at concurrency 1 and 8 (best of three interleaved runs, each on a fresh engine)
  and the ratio. The embedded engine answers with no simulated latency, so the suite is
  CPU-bound: threads can only add the second core (onnxruntime and the tokenizer release the
  GIL; LangChain does not), and other load on the machine moves the ratio a lot;
- the response cache: a first run fills it, a second identical run is served from it; the
  speed-up of the second run and its billed tokens (prompt + completion: must be 0, and the
  engine must see no request). Retrieval, compliance and the agent loop still run;
- cache efficiency (cached tokens / ideal hits, CACHE.md "How to measure honestly") of the
  harness's request layout (passages in a trailing context message) next to the same agent
  with the time and the passages in the system prompt (the anti-pattern of the public
  LangGraph retrieval template), each at concurrency 1 on a fresh engine, asserting that both
  sent exactly the same passages text. Each ideal is that layout's own trace under an
  infinite cache, so achieved / ideal shows the engine reached the bound (the suite fits its
  cache) and the ideal hit rate shows what the layout leaves reusable.

The process-wide engine (`toolkit.engine.default_engine`) keeps its prefix cache for the
life of the process, so every run that needs a cold cache first drops it (`fresh_engine`);
the tokenizer is loaded once per process and shared, so only the cache starts empty.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml
from langchain.agents import create_agent
from langchain.agents.middleware import ModelRequest, ModelResponse
from langchain_core.messages import SystemMessage

import toolkit.engine.engine as engine_module
from toolkit.agent import Project, Session, load_project
from toolkit.agent.middleware import HarnessMiddleware
from toolkit.engine import LocalEngine, default_engine
from toolkit.evals import EvalCase, EvalReport, run_suite
from toolkit.scaffold import create_project
from toolkit.tokens import ideal_cache_bound
from toolkit.tokens.payload import CONTEXT_HEADER, render_context
from toolkit.tooling import as_langchain_tools

N_CASES = 50
ROUNDS = 3
REL = {"rel": 1e-6}


def payment(principal: float, rate: float, months: int) -> str:
    """The annuity payment as the answer prints it (1,199.10)."""
    i = rate / 12
    return f"{principal * i / (1 - (1 + i) ** -months):,.2f}"


def tool(name: str, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "args": args, **extra}


def case(
    cid: str, role: str, request: str, tools: list[dict[str, Any]], **expect: Any
) -> dict[str, Any]:
    return {"id": cid, "request": request, "role": role, "expect": {"tools": tools, **expect}}


EN_AMORTIZATION = "What is the monthly payment on a {p:,} loan at {r}% over {y} years?"
EN_IRB = "IRB capital for PD {pd}%, LGD {lgd}%, EAD {ead:,}, {words} exposure."
ZH_AMORTIZATION = "贷款{wan}万，年利率{rate}%，{years}年，月供多少？"  # noqa: RUF001
ZH_IRB = "违约概率{pd}%，违约损失率{lgd}%，风险暴露{wan}万，{words}，IRB资本是多少？"  # noqa: RUF001
ZH_IFRS9 = "逾期{dpd}天的贷款属于IFRS 9第几阶段？"  # noqa: RUF001


def lang(request: str) -> str:
    return "en" if request.isascii() else "zh"


def amortization(principal: int, rate: float, years: int, request: str) -> dict[str, Any]:
    args = {"principal": principal, "annual_rate": rate / 100, "n_months": years * 12}
    return case(
        f"amortization-{principal}-{rate}-{years}-{lang(request)}",
        "customer_service",
        request,
        [tool("loan_amortization", args, tolerance=REL)],
        answer_contains=[payment(principal, rate / 100, years * 12)],
    )


def irb(pd: float, lgd: int, ead: int, segment: str, request: str) -> dict[str, Any]:
    args = {"pd": pd / 100, "lgd": lgd / 100, "ead": ead, "segment": segment}
    return case(
        f"irb-{segment}-{pd}-{lgd}-{ead}-{lang(request)}",
        "credit_officer",
        request,
        [tool("irb_capital", args, tolerance=REL)],
        answer_contains=["re:Risk-weighted assets[:：]"],  # noqa: RUF001
    )


def ifrs9(dpd: int, stage: int, request: str) -> dict[str, Any]:
    return case(
        f"ifrs9-{dpd}dpd-{lang(request)}",
        "credit_officer",
        request,
        [tool("ifrs9_stage", {"dpd": dpd})],
        answer_contains=[f"re:Stage[:：]\\s*{stage}"],  # noqa: RUF001
    )


def suite() -> list[dict[str, Any]]:
    """Fifty cases varying the figures of the finance worked examples (English and Chinese)."""
    cases = [
        amortization(p, r, y, EN_AMORTIZATION.format(p=p, r=r, y=y))
        for p, r, y in [
            (200_000, 6, 30), (150_000, 5.5, 25), (320_000, 4.25, 20), (90_000, 7, 15),
            (500_000, 3.9, 30), (75_000, 8.5, 10), (250_000, 6.75, 30), (120_000, 5, 20),
        ]
    ]  # fmt: skip
    cases += [
        amortization(w * 10_000, r, y, ZH_AMORTIZATION.format(wan=w, rate=r, years=y))
        for w, r, y in [(20, 6, 30), (50, 4.9, 30), (100, 3.85, 25), (30, 5.2, 20)]
    ]
    cases += [
        case(
            f"affordability-{income}-{debt}-{new}",
            "credit_officer",
            f"Income is {income:,} a month, existing debts {debt:,}, new payment {new:,}. "
            "Does it pass affordability?",
            [
                tool(
                    "affordability_check",
                    {"gross_monthly_income": income, "monthly_debt": debt, "new_payment": new},
                    tolerance=REL,
                )
            ],
            answer_contains=[f"{(debt + new) / income:.1%}"],
        )
        for income, debt, new in [
            (8_000, 900, 1_199.10), (6_000, 500, 1_400), (12_000, 2_500, 2_100),
            (4_500, 1_200, 950), (10_000, 0, 1_800),
        ]
    ]  # fmt: skip
    cases += [
        irb(pd, lgd, ead, seg, EN_IRB.format(pd=pd, lgd=lgd, ead=ead, words=words))
        for pd, lgd, ead, seg, words in [
            (2, 45, 10_000, "other_retail", "other retail"),
            (1, 25, 300_000, "mortgage", "mortgage"),
            (3, 80, 5_000, "qrre", "qualifying revolving (qrre)"),
            (1, 40, 1_000_000, "corporate", "corporate"),
            (0.5, 20, 250_000, "mortgage", "mortgage"),
        ]
    ]
    cases += [
        irb(pd, lgd, w * 10_000, seg, ZH_IRB.format(pd=pd, lgd=lgd, wan=w, words=words))
        for pd, lgd, w, seg, words in [
            (2, 45, 1, "other_retail", "其他零售"),
            (1, 20, 30, "mortgage", "住房按揭"),
        ]
    ]
    cases += [
        ifrs9(dpd, stage, f"A loan is {dpd} days past due. Which IFRS 9 stage?")
        for dpd, stage in [(0, 1), (10, 1), (31, 2), (45, 2), (60, 2), (91, 3), (120, 3)]
    ]
    cases += [ifrs9(dpd, stage, ZH_IFRS9.format(dpd=dpd)) for dpd, stage in [(45, 2), (100, 3)]]
    cases += [
        case(
            f"iban-{number[:4]}",
            "customer_service",
            f"Is IBAN {number} valid?",
            [tool("validate_account_id", {"kind": "iban"})],
            answer_contains=["Valid: yes"],
            answer_excludes=[number],
            rules=["F-C1"],
        )
        for number in ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00"]
    ]
    cases += [
        case(
            f"card-{number[:4]}",
            "customer_service",
            f"Is card {number} valid?",
            [tool("validate_account_id", {"kind": "card_pan"})],
            answer_contains=[f"{number[:6]}******{number[-4:]}"],
            answer_excludes=[number],
            rules=["F-C1"],
        )
        for number in ["4111111111111111", "5555555555554444", "4012888888881881"]
    ]
    cases += [
        case(
            f"mortgage-documents-{i}",
            "customer_service",
            question,
            [],
            retrieved=["retail-credit-underwriting-policy.md"],
            answer_contains=["payslips"],
        )
        for i, question in enumerate(
            [
                "What documents do I need for a mortgage?",
                "Which documents must an applicant provide for a mortgage?",
                "What paperwork is required to apply for a mortgage?",
            ]
        )
    ]
    cases += [
        case(
            f"structuring-{cid}",
            "bsa_officer",
            f"Cash deposits of {a:,}, {b:,} and {c:,} on {day}-02, {day}-03 and {day}-04 "
            f"for customer {cid}. Is this structuring?",
            [tool("detect_structuring", {})],
            answer_contains=["structuring", f"{a + b + c:,}"],
            rules=["F-C5-ESC"],
        )
        for cid, (a, b, c), day in [
            ("C-1001", (9_500, 9_800, 9_700), "2026-03"),
            ("C-2002", (9_200, 9_900, 9_600), "2026-04"),
        ]
    ]
    cases += [
        case(
            f"limit-{role}-{limit}",
            role,
            f"Set the credit limit of account 87654321 to {limit:,}.",
            [tool("set_credit_limit", {"account": "87654321", "limit": limit}, status=status)],
            rules=[rule],
        )
        for role, limit, status, rule in [
            ("customer_service", 20_000, "blocked", "F-C3-ROLE"),
            ("credit_officer", 20_000, "executed", "F-C3-ROLE"),
            ("credit_officer", 35_000, "executed", "F-C3-ROLE"),
            ("credit_officer", 80_000, "approval_requested", "F-C3"),
            ("credit_officer", 5_000_000, "blocked", "F-C3-BOUNDS"),
        ]
    ]
    cases.append(
        case(
            "fund-a",
            "credit_officer",
            "What does Fund A return?",
            [],
            retrieved=["fund-a-factsheet.md"],
            answer_excludes=["guarantee", "8%/yr"],
            rules=["X0", "F-C2"],
        )
    )
    cases.append(
        case(
            "bsa-escalation",
            "customer_service",
            "Escalate customer C-3003 to the BSA officer.",
            [tool("escalate_to_bsa_officer", {"customer_id": "C-3003"}, status="executed")],
            rules=["F-C3-ROLE"],
        )
    )
    assert len(cases) == N_CASES, len(cases)
    return cases


class SystemPromptHarness(HarnessMiddleware):
    """The anti-pattern: the time and this turn's passages appended to the system prompt.

    Same passages, rendered by the same `render_context` under the same header, as the
    harness's trailing context message; only their place (and a seconds-resolution clock,
    as the LangGraph retrieval template has) differs. Nothing goes to ``context=``.
    """

    def _in_system(self, request: ModelRequest[Any]) -> ModelRequest[Any]:
        base = request.system_message.text if request.system_message is not None else ""
        parts = [base, f"System time: {time.strftime('%Y-%m-%d %H:%M:%S')}"]
        if self.context:
            parts.append(f"{CONTEXT_HEADER}\n{render_context(self.context)}")
        return request.override(system_message=SystemMessage(content="\n\n".join(parts)))

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelResponse[Any]:
        return handler(self._in_system(request))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        return await handler(self._in_system(request))


class SystemPromptSession(Session):
    """`Session` with the agent rebuilt around `SystemPromptHarness` (same tools, prompt,
    compliance middleware and model)."""

    def __init__(self, project: Project, **kwargs: Any) -> None:
        super().__init__(project, **kwargs)
        self._harness = SystemPromptHarness()
        self._agent = create_agent(
            self._model,
            tools=as_langchain_tools(self._specs),
            system_prompt=project.system_prompt,
            middleware=[self._compliance, self._harness],
        )


def fresh_engine() -> LocalEngine:
    """Drop the process-wide engine so the next session creates one with an empty prefix cache.

    Each `Session` opens its transport to `default_engine()` on its first request, so every
    case after this call is served by the new engine.
    """
    with engine_module._default_lock:
        engine_module._default = None
    return default_engine()


def timed(project: Project, concurrency: int, **kwargs: Any) -> tuple[float, EvalReport]:
    start = time.perf_counter()
    report = run_suite(project, concurrency=concurrency, cache_bound=ideal_cache_bound, **kwargs)
    return time.perf_counter() - start, report


def passages_sent(bodies: list[dict[str, Any]]) -> list[str | None]:
    """The rendered passages block of each request, wherever the layout put it."""
    found: list[str | None] = []
    for body in bodies:
        texts = [str(m.get("content") or "") for m in body["messages"]]
        hit = next((t[t.index(CONTEXT_HEADER) :] for t in texts if CONTEXT_HEADER in t), None)
        found.append(hit)
    return found


def bench_concurrency(project: Project) -> tuple[EvalReport, LocalEngine]:
    """Cases/s at concurrency 1 and 8, best of ROUNDS interleaved runs, each on a fresh engine.

    Returns the first concurrency-1 run (the harness layout's figures) and its engine.
    """
    best = {1: float("inf"), 8: float("inf")}
    first: tuple[EvalReport, LocalEngine] | None = None
    efficiency: float | None = None
    for _ in range(ROUNDS):
        for concurrency in best:
            engine = fresh_engine()
            elapsed, report = timed(project, concurrency)
            assert report.aggregates.pass_rate == 1.0, report.aggregates
            best[concurrency] = min(best[concurrency], elapsed)
            if first is None:
                first = (report, engine)
            if concurrency == 8:
                efficiency = report.aggregates.cache_efficiency
    assert first is not None
    print(f"pass rate (harness, every run)    {first[0].aggregates.pass_rate:6.0%}")
    print(f"concurrency 1                     {N_CASES / best[1]:6.1f} cases/s")
    print(f"concurrency 8                     {N_CASES / best[8]:6.1f} cases/s")
    print(f"ratio 8 vs 1                      {best[1] / best[8]:6.2f}x ({os.cpu_count()} cores)")
    print(f"cache efficiency at concurrency 8 {efficiency or 0:6.1%} (achieved / ideal)")
    return first


def bench_response_cache(project: Project) -> None:
    """A run that fills the response cache, then the same run served from it (best of ROUNDS,
    the cache file deleted and the engine replaced before each filling run)."""
    cache = project.path(str(project.config.token_service.response_cache))
    fill_s = served_s = float("inf")
    for _ in range(ROUNDS):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{cache}{suffix}").unlink(missing_ok=True)
        engine = fresh_engine()
        elapsed, fill = timed(project, 1, response_cache=True)
        fill_s = min(fill_s, elapsed)
        requests = engine.metrics.requests
        elapsed, served = timed(project, 1, response_cache=True)
        served_s = min(served_s, elapsed)
        reached = engine.metrics.requests - requests
        assert reached == 0, "the second run reached the engine"
        assert fill.aggregates.pass_rate == served.aggregates.pass_rate == 1.0
    agg = served.aggregates
    start = time.perf_counter()
    for item in served.cases:  # what a served run still does per case, besides the agent loop
        project.store.search(item.request, k=project.config.retrieval.top_k)
    search_s = time.perf_counter() - start
    print(f"response cache: filling run       {N_CASES / fill_s:6.1f} cases/s")
    print(f"response cache: second run        {N_CASES / served_s:6.1f} cases/s")
    print(f"speed-up second vs filling run    {fill_s / served_s:6.2f}x")
    print(f"  retrieval alone (50 searches)   {search_s / served_s:6.0%} of the second run")
    print(
        f"second run billed tokens          {agg.prompt_tokens + agg.completion_tokens:6} "
        f"(prompt {agg.prompt_tokens}, completion {agg.completion_tokens}); "
        f"engine requests {reached}"
    )


def layout_row(name: str, report: EvalReport, engine: LocalEngine) -> None:
    agg = report.aggregates
    bound = ideal_cache_bound(report.trace)
    assert bound is not None
    ideal, total = bound
    # The usage the harness summed per case must be what the engine itself counted.
    assert agg.cached_tokens == engine.metrics.cached_tokens, (agg, engine.metrics.cached_tokens)
    assert total == agg.prompt_tokens == engine.metrics.prompt_tokens
    print(
        f"{name:<22}{agg.prompt_tokens:>9,}{agg.cached_tokens:>9,}{ideal:>9,}"
        f"{agg.cached_tokens / ideal:>11.1%}{agg.cached_tokens / total:>8.1%}"
        f"{ideal / total:>11.1%}{agg.pass_rate:>6.0%}"
    )


def bench_layouts(project: Project, harness: EvalReport, harness_engine: LocalEngine) -> None:
    """Achieved / ideal for the harness's layout and for the system-prompt anti-pattern."""

    def ask_system_prompt(case: EvalCase) -> Any:
        session = SystemPromptSession(project, role=case.role, response_cache=False)
        try:
            return session.ask(case.request)
        finally:
            session.close()

    engine = fresh_engine()
    _, anti = timed(project, 1, ask=ask_system_prompt)
    # Same content on both sides: nobody wins by dropping context.
    sent = passages_sent(harness.trace)
    assert len(harness.trace) == len(anti.trace)
    assert sent == passages_sent(anti.trace), "the layouts sent different passages"
    assert all(CONTEXT_HEADER not in str(b["messages"][-1]["content"]) for b in anti.trace)
    print(
        f"layouts (c=1, fresh engine each): {len(anti.trace)} requests each, "
        f"{sum(s is not None for s in sent)} with passages, the same text in both"
    )
    print(
        f"{'layout':<22}{'prompt':>9}{'cached':>9}{'ideal':>9}"
        f"{'ach/ideal':>11}{'hit':>8}{'ideal hit':>11}{'pass':>6}"
    )
    layout_row("harness (tail)", harness, harness_engine)
    layout_row("system-prompt (anti)", anti, engine)
    tail, system = harness.aggregates, anti.aggregates
    prefill_tail = tail.prompt_tokens - tail.cached_tokens
    prefill_system = system.prompt_tokens - system.cached_tokens
    print(
        f"harness vs anti-pattern: {tail.cached_tokens / system.cached_tokens:.2f}x the "
        f"cached tokens, {prefill_system / prefill_tail:.2f}x fewer uncached (prefilled) ones"
    )
    failed = [c.case_id for c in anti.cases if not c.passed]
    # The embedded policy reads passages from the trailing context only (engine/policy.py).
    print(f"anti-pattern failed cases: {', '.join(failed) or 'none'}")


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = create_project("finance", output_dir=Path(tmp), provided={}).project_dir
        (root / "evals" / "cases.yaml").write_text(
            yaml.safe_dump({"cases": suite()}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        project = load_project(root)
        # Warm-up outside every timing: ingest, embedding model, tokenizer, imports.
        fresh_engine()
        warm = Session(project)
        warm.ask("What is the monthly payment on a 1,000 loan at 1% over 1 year?")
        warm.close()
        harness, engine = bench_concurrency(project)
        bench_response_cache(project)
        bench_layouts(project, harness, engine)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
