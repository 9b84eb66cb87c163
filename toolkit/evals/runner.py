"""Run a project's evaluation suite through the agent harness with bounded concurrency."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.config import ProjectConfig
from toolkit.errors import ConfigError, UsageError
from toolkit.evals._result import AgentResultLike
from toolkit.evals.cases import EvalCase, EvalSuite
from toolkit.evals.coverage import uncovered_rules
from toolkit.evals.rules import RuleInfo, citations, load_rules
from toolkit.evals.scoring import CaseResult, error_result, score_case
from toolkit.evals.summary import CaseSummary, EvalReport, RunInfo, aggregate
from toolkit.evals.timeline import CaseTimelines
from toolkit.yamlfile import load_yaml_text, read_text_capped

__all__ = ["AskFn", "CacheBoundFn", "run_suite"]

AskFn = Callable[[EvalCase], AgentResultLike]
"""Answer one case: the harness (a fresh `Session` per case) or a test double."""

CacheBoundFn = Callable[[Sequence[dict[str, Any]]], tuple[int, int] | None]
"""Request bodies in execution order -> (ideal hit tokens, prompt tokens), or None.

Evaluation does not tokenize: the caller injects the bound, measured in the tokens the
endpoint reports (`toolkit eval` passes `toolkit.tokens.ideal_cache_bound`, the embedded
engine's tokenizer).
"""


@dataclass
class _Project:
    root: Path
    config: ProjectConfig
    handle: Any


def _resolve_project(project: Any) -> _Project:
    if isinstance(project, str | Path):
        root = Path(project)
        return _Project(root=root, config=ProjectConfig.load(root), handle=None)
    for attr in ("root", "project_dir", "path", "dir"):
        root_value = getattr(project, attr, None)
        if isinstance(root_value, str | Path):
            root = Path(root_value)
            config = getattr(project, "config", None)
            if not isinstance(config, ProjectConfig):
                config = ProjectConfig.load(root)
            return _Project(root=root, config=config, handle=project)
    raise UsageError(
        "run_suite needs a project folder or a loaded project (toolkit.agent.load_project)"
    )


def _write_tools(handle: Any) -> set[str]:
    """Names of the loaded project's write tools (``ToolSpec.write``)."""
    tools = getattr(handle, "tools", None) or ()
    return {str(t.name) for t in tools if getattr(t, "write", False) and hasattr(t, "name")}


def _harness_ask(project: _Project, endpoint: Any, response_cache: bool) -> AskFn:
    from toolkit.agent import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        Session,
        load_project,
    )

    if project.handle is None:
        project.handle = load_project(project.root)
    loaded = project.handle
    default_role = project.config.compliance.default_role

    def ask(case: EvalCase) -> AgentResultLike:
        session = Session(
            loaded,
            role=case.role or default_role,
            endpoint=endpoint,
            response_cache=response_cache,
            context=case.context or None,
        )
        try:
            result: AgentResultLike = session.ask(case.request)
        finally:
            session.close()
        return result

    return ask


def _run_info(project: _Project, endpoint: Any, concurrency: int, repeats: int) -> RunInfo:
    first = project.config.token_service.endpoints[0]
    url = getattr(endpoint, "url", endpoint) if endpoint is not None else first.url
    model = getattr(endpoint, "model", None) or first.model
    template = template_version = ""
    answers = project.root / ".toolkit" / "answers.yaml"
    if answers.is_file():
        try:
            record = load_yaml_text(read_text_capped(answers), source=str(answers)) or {}
        except ConfigError:
            record = {}
        if isinstance(record, dict):
            template = str(record.get("template", ""))
            template_version = str(record.get("template_version", ""))
    return RunInfo(
        project=project.config.project.name,
        model=str(model),
        endpoint=str(url),
        template=template,
        template_version=template_version,
        toolkit_version=__version__,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        concurrency=concurrency,
        repeats=repeats,
    )


def run_suite(
    project: Any,
    *,
    concurrency: int = 8,
    repeats: int = 1,
    endpoint: Any = None,
    ask: AskFn | None = None,
    suite: EvalSuite | None = None,
    rules: Sequence[RuleInfo] | None = None,
    cache_bound: CacheBoundFn | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
    extra_covered: Sequence[str] = (),
    response_cache: bool = False,
) -> EvalReport:
    """Run every case of the project's suite and aggregate the metrics.

    Args:
        project: The project folder, or a project loaded by `toolkit.agent.load_project`.
        concurrency: How many cases run at once (threads).
        repeats: Runs per case (a case's own ``repeats`` may ask for more); pass^k is
            reported when more than one.
        endpoint: Passed to each `toolkit.agent.Session` (e.g. an `EndpointConfig`).
        ask: Answers one case instead of the harness (tests, benches).
        suite: The cases; default: the project's ``evaluation.cases`` file.
        rules: The rule pack; default: the project's ``compliance.rules`` file.
        cache_bound: Computes the ideal prefix-cache bound of the trace (e.g.
            `toolkit.tokens.ideal_cache_bound`); without it, cache efficiency is not reported.
        on_result: Called (from worker threads, serialised) after each case run.
        extra_covered: Rule ids covered by tests rather than cases.
        response_cache: Let the harness answer exact repeats from the response cache (off by
            default: an evaluation measures real calls, tokens and prefix-cache reuse).

    Returns:
        The report; its ``trace`` holds the request bodies in execution order.

    Raises:
        UsageError: ``concurrency`` or ``repeats`` below 1.
        ConfigError: the project's configuration, cases or rules are invalid.
    """
    if concurrency < 1 or repeats < 1:
        raise UsageError("concurrency and repeats must be at least 1")
    resolved = _resolve_project(project)
    config = resolved.config
    if suite is None:
        suite = EvalSuite.load(config.path(resolved.root, config.evaluation.cases))
    if rules is None:
        rules_path = config.path(resolved.root, config.compliance.rules)
        rules = load_rules(rules_path) if rules_path.is_file() else []
    if ask is None:
        ask = _harness_ask(resolved, endpoint, response_cache)
    write_tools = _write_tools(resolved.handle)
    info = _run_info(resolved, endpoint, concurrency, repeats)
    default_role = config.compliance.default_role
    top_k = config.retrieval.top_k

    jobs = [
        (case, r)
        for r in range(max(repeats, *(c.repeats or 1 for c in suite.cases), 1))
        for case in suite.cases
        if r < max(repeats, case.repeats or 1)
    ]
    sequence = itertools.count()
    lock = threading.Lock()
    done: dict[tuple[str, int], tuple[int, CaseResult, list[dict[str, Any]]]] = {}

    def run(job: tuple[EvalCase, int]) -> None:
        case, repeat = job
        with lock:
            started = next(sequence)
        t0 = time.perf_counter()
        trace: list[dict[str, Any]] = []
        timeline: list[dict[str, Any]] = []
        try:
            with timelines.case(case.id, repeat) as timeline:
                result = ask(case)
            trace = [dict(body) for body in result.trace]
            scored = score_case(
                case,
                result,
                rules=rules,
                role=default_role,
                top_k=top_k,
                repeat=repeat,
                write_tools=write_tools,
            )
            if scored.latency_s <= 0:
                scored.latency_s = time.perf_counter() - t0
            scored.timeline = timeline
        except Exception as exc:  # one broken case must not stop the suite
            scored = error_result(case, exc, repeat=repeat)
        with lock:
            done[(case.id, repeat)] = (started, scored, trace)
            if on_result is not None:
                on_result(scored)

    t_start = time.perf_counter()
    with CaseTimelines() as timelines:
        if concurrency == 1:
            for job in jobs:
                run(job)
        else:
            with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="eval") as pool:
                list(pool.map(run, jobs))
    info.duration_s = time.perf_counter() - t_start

    ordered = sorted(done.values(), key=lambda item: item[0])
    bodies = [body for _, _, trace in ordered for body in trace]
    # A run answered wholly from the response cache sent nothing: its ideal bound is
    # (0, 0), "nothing cacheable", not "could not be measured".
    bound = cache_bound(bodies) if cache_bound is not None else None
    summaries = [
        CaseSummary(
            case_id=case.id,
            request=case.request,
            role=case.role or default_role,
            tags=list(case.tags),
            rules=list(case.expect.rules),
            runs=[
                done[(case.id, r)][1]
                for r in range(max(repeats, case.repeats or 1))
                if (case.id, r) in done
            ],
        )
        for case in suite.cases
    ]
    return EvalReport(
        info=info,
        aggregates=aggregate(summaries, ideal=bound),
        cases=summaries,
        uncovered_rules=uncovered_rules([r.id for r in rules], suite.cases, extra_covered),
        citations=citations(rules),
        trace=bodies,
    )
