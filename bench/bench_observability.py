"""Tracing overhead per agent turn: off (the default) vs on, and vs on with contents.

Figures, each against the tracing-off baseline measured in this run:
- milliseconds per agent turn (median over interleaved rounds of the same questions on a
  generated finance project and the embedded engine) with tracing off, on (an SDK
  provider with a batch processor and an exporter that keeps nothing: the SDK's own cost,
  no I/O), and on with masked message contents; ratios on / off and contents / off;
- what tracing off costs: nanoseconds per call of a disabled hook (`record_chat`, the
  heaviest) next to an empty Python call, and that times the hooks one turn runs, as a
  share of a turn.

Retrieval uses the hashing embedder (no model to load), so a turn is the harness, the
compliance engine, the token client and the engine, i.e. where the hooks are; with the
offline embedder a turn is longer and the relative overhead smaller.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from toolkit.agent import Project, Session, load_project
from toolkit.agent.tracing_setup import default_masker
from toolkit.observability import configure_tracing, record_chat, shutdown_tracing
from toolkit.retrieval import KnowledgeStore
from toolkit.retrieval.hashing import HashingEmbeddings
from toolkit.scaffold import create_project

QUESTIONS = [
    "What is the monthly payment on a 200,000 loan at 6% over 30 years?",
    "A loan is 45 days past due. Which IFRS 9 stage?",
    "Is card 4111111111111111 valid?",
    "Monthly income 8,000, existing debt payments 1,200, new payment 1,500: does it pass DTI?",
    "What is the maximum DTI in the underwriting policy?",
    "贷款30万，年利率4.2%，20年，月供多少？",  # noqa: RUF001
]
ROUNDS = 5
MODES = ("off", "on", "on+contents")


class Discard(SpanExporter):
    """Counts spans and keeps none: the SDK's cost without any I/O."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def turns(project: Project) -> float:
    """Seconds for one pass over the questions, one fresh session each."""
    start = time.perf_counter()
    for question in QUESTIONS:
        session = Session(project, response_cache=False)
        try:
            session.ask(question)
        finally:
            session.close()
    return time.perf_counter() - start


def run_mode(project: Project, mode: str) -> tuple[float, int]:
    exporter = Discard()
    if mode != "off":
        configure_tracing(
            exporters=[exporter],
            capture_content=mode == "on+contents",
            masker=default_masker() if mode == "on+contents" else None,
        )
    try:
        seconds = turns(project)
    finally:
        shutdown_tracing()
    return seconds, exporter.spans


def disabled_hook_ns(n: int = 200_000) -> tuple[float, float]:
    def empty(**_: object) -> None:
        return None

    kwargs: dict[str, object] = {
        "provider": "toolkit.engine",
        "request_model": "m",
        "response_model": "m",
        "server": (None, None),
        "endpoint": "m@local",
        "started_perf": 0.0,
        "conversation": "c",
        "affinity_key": "k",
        "request": {},
    }
    best_hook = best_empty = float("inf")
    for _ in range(3):
        start = time.perf_counter_ns()
        for _ in range(n):
            record_chat(**kwargs)  # type: ignore[arg-type]
        best_hook = min(best_hook, (time.perf_counter_ns() - start) / n)
        start = time.perf_counter_ns()
        for _ in range(n):
            empty(**kwargs)
        best_empty = min(best_empty, (time.perf_counter_ns() - start) / n)
    return best_hook, best_empty


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = create_project("finance", output_dir=Path(tmp), provided={}).project_dir
        with KnowledgeStore(root / "hashed-db", embeddings=HashingEmbeddings()) as store:
            store.ingest(root / "knowledge")
            project = load_project(root)
            project.store = store
            run_mode(project, "off")  # warm: imports, tokenizer, the engine's prefix cache
            times: dict[str, list[float]] = {mode: [] for mode in MODES}
            spans: dict[str, int] = {}
            for _ in range(ROUNDS):
                for mode in MODES:
                    seconds, count = run_mode(project, mode)
                    times[mode].append(seconds / len(QUESTIONS))
                    spans[mode] = count // len(QUESTIONS)
    per_turn = {mode: statistics.median(values) * 1000 for mode, values in times.items()}
    base = per_turn["off"]
    print(f"agent turn, {len(QUESTIONS)} questions x {ROUNDS} interleaved rounds (median):")
    for mode in MODES:
        print(
            f"  tracing {mode:<12} {per_turn[mode]:8.1f} ms/turn  "
            f"ratio vs off {per_turn[mode] / base:5.3f}  spans/turn {spans[mode]}"
        )
    hook, empty = disabled_hook_ns()
    hooks_per_turn = spans["on"]  # one disabled hook call stands in for each span
    share = hooks_per_turn * hook / (base * 1e6)
    print(
        f"tracing off: a disabled hook costs {hook:.0f} ns (an empty call {empty:.0f} ns, "
        f"ratio {hook / empty:.2f}); {hooks_per_turn} hooks per turn = {share:.5%} of a turn"
    )


if __name__ == "__main__":
    main()
