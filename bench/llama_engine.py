"""The real engine (llama-server + SmolLM2-135M): what the request layout and routing are worth
in seconds, side by side in one run (`make bench-llama`; needs `make llama`).

The finance pack's own evaluation conversations are first run on the embedded engine twice,
recording every request body: once with the harness's layout (passages and time in a
trailing context message) and once with the anti-pattern (time and passages in the system
prompt, `bench_agent.SystemPromptSession`). The small model cannot drive the agent (it is
not expected to call tools), so the real engine replays those recorded requests, exactly as
the token client sends them (``llamacpp`` dialect, streamed), on fresh processes (one thread
each, one slot, llama.cpp's default prompt cache). Figures, each a ratio within this run:

1. layout vs anti-pattern, one process: total prefill seconds and prompt tokens actually
   evaluated (both from the engine's ``timings``), time to first token p50/p95;
2. affinity routing (the client's rendezvous on the prefix key) vs round robin over 2 and 4
   processes, harness layout: time to first token p50/p95 and evaluated tokens;
3. achieved / ideal prefix reuse as the engine reports it (cached tokens over the longest
   prefix each request shares with any earlier one, in the engine's own tokens) next to the
   embedded engine's prediction for the same requests (`toolkit cache analyze`).

``--cases N`` replays the first N evaluation cases (default 8: a cold 5,000-token prefill of
this model takes several seconds on two busy cores).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import yaml

from toolkit.engine.analyze import analyze_trace
from toolkit.llamacpp import LlamaReplicas, LlamaServerSpec, find_server_binary, find_small_model
from toolkit.tokens import Endpoint, Router, TokenClient

MAX_TOKENS = 4
_STAMP = re.compile(r"System time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
CTX_SIZE = 16384


class RoundRobinRouter(Router):
    """The baseline: each request to the next process, whatever its prefix."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        super().__init__(endpoints)
        self._turn = itertools.count()

    def order(self, key: str) -> list[int]:
        start = next(self._turn) % len(self.endpoints)
        return [(start + i) % len(self.endpoints) for i in range(len(self.endpoints))]


@dataclass
class Run:
    """What one replay measured."""

    name: str
    ttft: list[float] = field(default_factory=list)
    prefill_ms: float = 0.0
    evaluated: int = 0
    cached: int = 0
    prompt: int = 0
    ideal: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)

    def p(self, q: float) -> float:
        ordered = sorted(self.ttft)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def record(cases: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the first ``cases`` finance evaluation cases on the embedded engine, both layouts."""
    from bench_agent import SystemPromptSession, fresh_engine

    from toolkit.agent import load_project
    from toolkit.evals import EvalCase, run_suite
    from toolkit.scaffold import create_project

    tmp = Path(tempfile.mkdtemp(prefix="bench-llama-"))
    root = create_project("finance", output_dir=tmp, provided={}).project_dir
    cases_file = root / "evals" / "cases.yaml"
    data = yaml.safe_load(cases_file.read_text(encoding="utf-8"))
    data["cases"] = data["cases"][:cases]
    cases_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    project = load_project(root)

    def anti(case: EvalCase) -> Any:
        session = SystemPromptSession(project, role=case.role, response_cache=False)
        try:
            return session.ask(case.request)
        finally:
            session.close()

    fresh_engine()
    harness = run_suite(project, concurrency=1).trace
    fresh_engine()
    anti_trace = run_suite(project, concurrency=1, ask=anti).trace
    assert len(harness) == len(anti_trace)
    return harness, anti_trace


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def engine_tokens(root: str, body: dict[str, Any]) -> list[int]:
    """The request's prompt as the engine tokenizes it (its own chat template and tools)."""
    request = {k: body[k] for k in ("messages", "tools", "tool_choice") if k in body}
    with httpx.Client(timeout=60) as http:
        prompt = http.post(f"{root}/apply-template", json=request).json()["prompt"]
        tokens = http.post(
            f"{root}/tokenize", json={"content": prompt, "add_special": True, "parse_special": True}
        ).json()["tokens"]
    return [int(t) for t in tokens]


def ideal(sequences: list[list[int]]) -> int:
    """Infinite-cache bound in engine tokens: each prompt's longest prefix seen before.

    llama.cpp reuses any common token prefix (no blocks) but always evaluates the last one.
    """
    total = 0
    for i, ids in enumerate(sequences):
        best = max((common_prefix(ids, earlier) for earlier in sequences[:i]), default=0)
        total += min(best, len(ids) - 1)
    return total


def restamped(body: dict[str, Any]) -> dict[str, Any]:
    """The anti-pattern's system prompt with the clock read now, as the agent would send it.

    The recording ran on the embedded engine in a fraction of a second per request, so its
    seconds-resolution stamps repeat; on a real engine every request is seconds apart.
    """
    messages = [dict(m) for m in body["messages"]]
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    messages[0]["content"] = _STAMP.sub(f"System time: {now}", str(messages[0]["content"]))
    return {**body, "messages": messages}


def replay(
    name: str,
    bodies: list[dict[str, Any]],
    spec: LlamaServerSpec,
    processes: int,
    *,
    rr: bool,
    clock: bool = False,
) -> Run:
    """Send ``bodies`` in order through the token client to fresh engine processes.

    ``clock`` re-stamps the anti-pattern's system time at each send.
    """
    run = Run(name)
    with LlamaReplicas(spec, replicas=processes) as fleet:
        endpoints = [
            Endpoint(url=url, model=spec.model_name, dialect="llamacpp") for url in fleet.base_urls
        ]
        router = RoundRobinRouter(endpoints) if rr else None
        with TokenClient(endpoints, router=router, timeout=600, max_retries=0) as client:
            for recorded in bodies:
                body = restamped(recorded) if clock else recorded
                run.sent.append(body)
                started = time.perf_counter()
                first: float | None = None
                result = None
                for event in client.stream(
                    body["messages"],
                    body.get("tools"),
                    tool_choice=body.get("tool_choice"),
                    temperature=0,
                    max_tokens=MAX_TOKENS,
                ):
                    if first is None:
                        first = time.perf_counter() - started
                    result = event.result or result
                assert result is not None and result.timings is not None, "no timings reported"
                run.ttft.append(first if first is not None else result.latency)
                run.prefill_ms += result.timings.prompt_ms
                run.evaluated += result.timings.prompt_n
                run.cached += result.usage.cached_tokens
                run.prompt += result.usage.prompt_tokens
        root = fleet.processes[0].root_url
        run.ideal = ideal([engine_tokens(root, body) for body in run.sent])
    return run


def predicted(bodies: list[dict[str, Any]], processes: int, *, rr: bool) -> float:
    report = analyze_trace(bodies, workers=processes, routing="round-robin" if rr else "affinity")
    return report.ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8, help="finance evaluation cases to replay")
    args = parser.parse_args()
    spec = LlamaServerSpec(
        binary=find_server_binary(), model=find_small_model(), ctx_size=CTX_SIZE, threads=1
    )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {spec.model.name}")
    start = time.perf_counter()
    harness, anti = record(args.cases)
    print(
        f"recorded {len(harness)} requests per layout from {args.cases} finance cases "
        f"on the embedded engine in {time.perf_counter() - start:.0f} s"
    )

    # 1. Layout, one process.
    tail = replay("harness (tail)", harness, spec, 1, rr=False)
    system = replay("anti-pattern (system)", anti, spec, 1, rr=False, clock=True)
    print("\n1. layout vs anti-pattern (1 process, same requests' content)")
    print(f"{'layout':<24}{'prefill s':>10}{'evaluated':>11}{'TTFT p50':>10}{'TTFT p95':>10}")
    for run in (tail, system):
        print(
            f"{run.name:<24}{run.prefill_ms / 1000:>10.2f}{run.evaluated:>11,}"
            f"{run.p(0.5):>10.3f}{run.p(0.95):>10.3f}"
        )
    print(
        f"anti-pattern / harness: prefill seconds {system.prefill_ms / tail.prefill_ms:.2f}x, "
        f"evaluated tokens {system.evaluated / tail.evaluated:.2f}x, "
        f"TTFT p50 {system.p(0.5) / tail.p(0.5):.2f}x, p95 {system.p(0.95) / tail.p(0.95):.2f}x"
    )

    # 2. Routing.
    print("\n2. affinity vs round robin (harness layout)")
    print(f"{'processes / routing':<24}{'evaluated':>11}{'TTFT p50':>10}{'TTFT p95':>10}")
    routed: list[tuple[str, Run, int, bool]] = []
    for processes in (2, 4):
        affinity = replay(f"{processes} affinity", harness, spec, processes, rr=False)
        robin = replay(f"{processes} round robin", harness, spec, processes, rr=True)
        for run in (affinity, robin):
            print(f"{run.name:<24}{run.evaluated:>11,}{run.p(0.5):>10.3f}{run.p(0.95):>10.3f}")
        print(
            f"round robin / affinity over {processes}: evaluated tokens "
            f"{robin.evaluated / affinity.evaluated:.2f}x, TTFT p50 "
            f"{robin.p(0.5) / affinity.p(0.5):.2f}x, p95 {robin.p(0.95) / affinity.p(0.95):.2f}x"
        )
        routed += [
            (affinity.name, affinity, processes, False),
            (robin.name, robin, processes, True),
        ]

    # 3. Achieved / ideal, real vs embedded prediction.
    print("\n3. achieved / ideal prefix reuse: real engine vs the embedded engine's prediction")
    print(f"{'requests':<24}{'real':>8}{'predicted':>11}{'real/pred':>11}")
    rows = [(tail, 1, False), (system, 1, False)] + [(run, n, rr) for _, run, n, rr in routed]
    for run, processes, rr in rows:
        real = run.cached / run.ideal if run.ideal else 0.0
        guess = predicted(run.sent, processes, rr=rr)
        print(f"{run.name:<24}{real:>8.3f}{guess:>11.3f}{real / guess if guess else 0:>11.2f}")
    print(
        f"\nload average {os.getloadavg()[0]:.2f} at the end; {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
