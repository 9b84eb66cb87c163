"""Spans of a whole agent turn (agent, token calls, tools, retrieval, compliance) and the
evaluation timeline built from them, on a generated finance project and the embedded engine."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from toolkit.agent import AgentResult, Project, Session, load_project
from toolkit.agent.tracing_setup import default_masker
from toolkit.evals import EvalCase, EvalSuite, run_suite
from toolkit.evals.html import render_html
from toolkit.observability import active, configure_tracing, shutdown_tracing
from toolkit.observability.genai import CONTENT_ATTRIBUTES
from toolkit.retrieval import KnowledgeStore
from toolkit.retrieval.hashing import HashingEmbeddings

LOAN = "What is the monthly payment on a 200,000 loan at 6% over 30 years?"
CARD = "Is card 4111111111111111 valid?"


@pytest.fixture(autouse=True)
def _tracing_off() -> Iterator[None]:
    yield
    shutdown_tracing()


@pytest.fixture(scope="module")
def project_dir(
    rendered_template: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    # Sessions write the audit log into the project: work on a copy of the shared render.
    root = tmp_path_factory.mktemp("otel") / "project"
    shutil.copytree(rendered_template("finance"), root)
    with KnowledgeStore(root / "hashed-db", embeddings=HashingEmbeddings()) as store:
        store.ingest(root / "knowledge")
    return root


@pytest.fixture
def project(project_dir: Path) -> Iterator[Project]:
    loaded = load_project(project_dir)
    store = KnowledgeStore(project_dir / "hashed-db", embeddings=HashingEmbeddings())
    loaded.store = store
    yield loaded
    store.close()


def ask(project: Project, text: str) -> tuple[Session, AgentResult]:
    # Every call reaches the engine: a response-cache hit would bill (and trace) zero tokens.
    session = Session(project, response_cache=False)
    try:
        return session, session.ask(text)
    finally:
        session.close()


def by_name(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name.startswith(prefix)]


def parent_of(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan | None:
    parent = span.parent.span_id if span.parent else None
    return next((s for s in spans if s.context and s.context.span_id == parent), None)


def test_an_agent_turn_is_one_trace_of_genai_spans(project: Project) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(exporters=[exporter], batch=False)
    session, result = ask(project, LOAN)
    spans = exporter.get_finished_spans()
    (root,) = [s for s in spans if s.parent is None]
    assert root.name == f"invoke_agent {project.config.project.name}"
    attributes = dict(root.attributes or {})
    assert attributes["gen_ai.operation.name"] == "invoke_agent"
    assert attributes["gen_ai.agent.name"] == project.config.project.name
    assert attributes["gen_ai.conversation.id"] == session.session_id
    assert attributes["gen_ai.usage.input_tokens"] == result.usage.prompt_tokens
    assert attributes["gen_ai.usage.output_tokens"] == result.usage.completion_tokens
    assert attributes["toolkit.tool_calls"] == 1
    assert {s.context.trace_id for s in spans if s.context} == {root.context.trace_id}

    (retrieval,) = by_name(spans, "retrieval ")
    assert parent_of(retrieval, spans) is root
    assert retrieval.attributes is not None
    assert retrieval.attributes["gen_ai.operation.name"] == "retrieval"
    assert retrieval.attributes["gen_ai.data_source.id"] == "knowledge"
    assert retrieval.attributes["toolkit.retrieval.results"] == 4  # top_k of the project

    chats = by_name(spans, "chat ")
    assert len(chats) == result.usage.calls == 2
    for chat in chats:
        assert parent_of(chat, spans) is root
        assert chat.attributes is not None
        assert chat.attributes["gen_ai.conversation.id"] == session.session_id
    billed = [dict(c.attributes or {})["gen_ai.usage.input_tokens"] for c in chats]
    assert sum(int(str(n)) for n in billed) == result.usage.prompt_tokens

    (tool,) = by_name(spans, "execute_tool ")
    assert tool.name == "execute_tool loan_amortization"
    assert parent_of(tool, spans) is root
    assert tool.attributes is not None
    assert tool.attributes["gen_ai.tool.name"] == "loan_amortization"
    assert tool.attributes["gen_ai.tool.type"] == "function"
    assert tool.attributes["toolkit.tool.status"] == "ok"
    assert str(tool.attributes["gen_ai.tool.call.id"]).startswith("call_")

    decisions = by_name(spans, "compliance ")
    stages = sorted(str((d.attributes or {})["toolkit.compliance.stage"]) for d in decisions)
    assert stages == ["input", "output", "retrieval", "retrieval", "tool_call"]
    (tool_call,) = [d for d in decisions if d.name == "compliance tool_call"]
    assert parent_of(tool_call, spans) is tool
    assert (tool_call.attributes or {})["gen_ai.tool.name"] == "loan_amortization"
    assert {parent_of(d, spans) for d in decisions if d.name != "compliance tool_call"} <= {
        root,
        tool,
    }

    # No contents by default: no content attribute, and not the question's figures.
    text = json.dumps([dict(s.attributes or {}) for s in spans], default=str)
    assert not {k for s in spans for k in (s.attributes or {})} & CONTENT_ATTRIBUTES
    assert "200,000" not in text and "monthly payment" not in text


def test_opted_in_contents_are_masked_by_the_compliance_masking(project: Project) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing(
        exporters=[exporter], batch=False, capture_content=True, masker=default_masker()
    )
    _, result = ask(project, CARD)
    spans = exporter.get_finished_spans()
    everything = json.dumps([dict(s.attributes or {}) for s in spans], default=str)
    assert "4111111111111111" not in everything
    (root,) = [s for s in spans if s.parent is None]
    messages = json.loads(str((root.attributes or {})["gen_ai.input.messages"]))
    assert messages[0]["parts"][0]["content"] == "Is card 411111******1111 valid?"
    output = json.loads(str((root.attributes or {})["gen_ai.output.messages"]))
    assert output[0]["parts"][0]["content"] == result.answer
    (tool,) = by_name(spans, "execute_tool ")
    arguments = json.loads(str((tool.attributes or {})["gen_ai.tool.call.arguments"]))
    assert arguments == {"kind": "card_pan", "value": "411111******1111"}
    (retrieval,) = by_name(spans, "retrieval ")
    assert (retrieval.attributes or {})["gen_ai.retrieval.query.text"] == (
        "Is card 411111******1111 valid?"
    )
    for chat in by_name(spans, "chat "):
        assert "411111******1111" in str((chat.attributes or {})["gen_ai.input.messages"])


def test_each_case_gets_its_own_timeline_in_the_report(project: Project) -> None:
    suite = EvalSuite(
        path=Path("cases.yaml"),
        cases=[EvalCase(id="loan", request=LOAN), EvalCase(id="card", request=CARD)],
    )

    def harness(case: EvalCase) -> AgentResult:
        return ask(project, case.request)[1]

    report = run_suite(project, suite=suite, ask=harness, concurrency=2)
    assert not active()  # the run's collector is gone; tracing was never configured
    timelines = {case.case_id: case.runs[-1].timeline for case in report.cases}
    tools = {
        case_id: [row["attrs"]["tool"] for row in rows if row["kind"] == "tool"]
        for case_id, rows in timelines.items()
    }
    assert tools == {"loan": ["loan_amortization"], "card": ["validate_account_id"]}
    for rows in timelines.values():
        kinds = [row["kind"] for row in rows]
        assert kinds[0] == "agent" and rows[0]["depth"] == 0 and rows[0]["start_ms"] == 0
        assert {"retrieval", "llm", "tool", "decision"} <= set(kinds)
        assert all(row["depth"] >= 1 for row in rows[1:])
        assert [row["start_ms"] for row in rows] == sorted(row["start_ms"] for row in rows)
        llm = [row for row in rows if row["kind"] == "llm"]
        assert all(row["attrs"]["input_tokens"] > 0 for row in llm)
    page = render_html(report)
    assert 'id="timeline-loan"' in page and 'id="timeline-card"' in page
    assert "execute_tool loan_amortization (ok)" in page


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_turns_tools_retrieval_and_decisions_are_counted_with_tracing_off(
    project: Project,
) -> None:
    agent = project.config.project.name
    names = [
        ("toolkit_agent_turns_total", {"agent": agent, "outcome": "answered"}),
        ("toolkit_agent_turn_duration_seconds_count", {"agent": agent}),
        ("toolkit_agent_tool_calls_total", {"tool": "validate_account_id", "status": "ok"}),
        ("toolkit_retrieval_searches_total", {"source": "knowledge"}),
        ("toolkit_retrieval_passages_total", {"source": "knowledge"}),
    ]
    before = [sample(name, **labels) for name, labels in names]
    rules_before = {
        (rule, stage): sample("toolkit_compliance_rule_hits_total", rule=rule, stage=stage)
        for rule in [r.id for r in project.rules]
        for stage in ("input", "retrieval", "tool_call", "output")
    }
    _, result = ask(project, CARD)
    assert not active()
    after = [sample(name, **labels) for name, labels in names]
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1, 4]
    fired: dict[tuple[str, str], int] = {}
    for decision in result.decisions:
        for rule in decision.rule_ids:
            fired[(rule, decision.stage)] = fired.get((rule, decision.stage), 0) + 1
    assert fired  # the card number fires a PII rule somewhere
    for (rule, stage), count in fired.items():
        now = sample("toolkit_compliance_rule_hits_total", rule=rule, stage=stage)
        assert now - rules_before[(rule, stage)] == count
