"""`/metrics` of `toolkit serve` and the token client's counters, read with prometheus_client's
parser after real requests: every counter moves by exactly what was sent."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from toolkit.observability import write_metrics_file
from toolkit.tokens import Endpoint, TokenClient

MODEL = "served-model"
SYSTEM = {"role": "system", "content": "You answer questions about loans. " * 12}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit",
            "serve",
            "--port",
            str(port),
            "--model",
            MODEL,
            # Every answer's first token comes after 0.3 s, whatever the cache holds.
            "--latency",
            "0.3,0,0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"toolkit serve did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()  # type: ignore[union-attr]


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    page: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return page.get((name, tuple(sorted(labels.items()))), 0.0)


def test_serve_metrics_move_by_exactly_the_requests_made(base_url: str) -> None:
    before = scrape(base_url)
    client = TokenClient(Endpoint(url=f"{base_url}/v1", model=MODEL, dialect="vllm"))
    questions = ["What is an amortizing loan?", "What is a balloon payment?"]
    results = [
        client.chat([SYSTEM, {"role": "user", "content": q}]) for q in [*questions, questions[0]]
    ]
    streamed = list(client.stream([SYSTEM, {"role": "user", "content": questions[1]}]))
    results.append(streamed[-1].result)  # type: ignore[arg-type]
    client.close()
    bad = httpx.post(f"{base_url}/v1/chat/completions", content=b"{not json")
    assert bad.status_code == 400
    after = scrape(base_url)

    served = len(results)
    prompt = sum(r.usage.prompt_tokens for r in results)
    cached = sum(r.usage.cached_tokens for r in results)
    completion = sum(r.usage.completion_tokens for r in results)
    assert cached > 0  # the shared system prompt, and the repeated question

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    own, vllm = {"model": MODEL}, {"model_name": MODEL}
    assert delta("toolkit_engine_requests_total", **own) == served
    assert delta("toolkit_engine_request_errors_total", **own) == 1
    assert delta("vllm:request_success_total", **vllm) == served
    assert delta("toolkit_engine_prompt_tokens_total", **own) == prompt
    assert delta("vllm:prompt_tokens_total", **vllm) == prompt
    assert delta("vllm:generation_tokens_total", **vllm) == completion
    assert delta("vllm:prefix_cache_hits_total", **vllm) == cached
    assert delta("vllm:prefix_cache_queries_total", **vllm) == prompt
    for histogram in ("vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds"):
        assert delta(f"{histogram}_count", **vllm) == served
    # Each first token came after the simulated 0.3 s: none in a bucket below it.
    assert delta("vllm:time_to_first_token_seconds_bucket", le="0.25", **vllm) == 0
    assert delta("vllm:time_to_first_token_seconds_bucket", le="+Inf", **vllm) == served
    assert delta("vllm:time_to_first_token_seconds_sum", **vllm) >= 0.3 * served
    assert value(after, "vllm:num_requests_running", **vllm) == 0


def test_running_requests_gauge_counts_requests_in_flight(base_url: str) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "What is a loan?"}]}
    worker = threading.Thread(
        target=lambda: httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=30)
    )
    worker.start()
    seen = []
    while worker.is_alive():
        seen.append(value(scrape(base_url), "vllm:num_requests_running", model_name=MODEL))
    worker.join()
    assert 1.0 in seen and set(seen) <= {0.0, 1.0}
    assert value(scrape(base_url), "toolkit_engine_requests_running", model=MODEL) == 0


def client_counts(endpoint: str) -> dict[str, float]:
    labels = {"endpoint": endpoint, "model": MODEL}
    names = [
        "toolkit_client_prompt_tokens_total",
        "toolkit_client_cached_tokens_total",
        "toolkit_client_completion_tokens_total",
        "toolkit_client_request_duration_seconds_count",
    ]
    counts = {name: REGISTRY.get_sample_value(name, labels) or 0.0 for name in names}
    for status in ("ok", "cache_hit"):
        counts[status] = (
            REGISTRY.get_sample_value("toolkit_client_requests_total", {**labels, "status": status})
            or 0.0
        )
    return counts


def test_client_counters_follow_the_ledger(base_url: str, tmp_path: Path) -> None:
    endpoint = Endpoint(url=f"{base_url}/v1", model=MODEL)
    before = client_counts(endpoint.label)
    client = TokenClient(endpoint, cache_path=tmp_path / "responses.sqlite")
    messages = [SYSTEM, {"role": "user", "content": "What is a fixed-rate loan?"}]
    first = client.chat(messages, temperature=0)
    second = client.chat(messages, temperature=0)  # answered by the response cache
    (totals,) = client.ledger.totals(by="endpoint").values()
    client.close()
    after = client_counts(endpoint.label)
    assert second.from_response_cache and not first.from_response_cache
    assert after["ok"] - before["ok"] == 1
    assert after["cache_hit"] - before["cache_hit"] == 1
    assert (
        after["toolkit_client_request_duration_seconds_count"]
        - before["toolkit_client_request_duration_seconds_count"]
        == 2
    )
    assert (
        after["toolkit_client_prompt_tokens_total"] - before["toolkit_client_prompt_tokens_total"]
        == totals.prompt_tokens
        == first.usage.prompt_tokens
    )
    assert (
        after["toolkit_client_completion_tokens_total"]
        - before["toolkit_client_completion_tokens_total"]
        == first.usage.completion_tokens
    )

    path = write_metrics_file(tmp_path / "textfile" / "toolkit.prom")
    families = {f.name for f in text_string_to_metric_families(path.read_text(encoding="utf-8"))}
    assert {"toolkit_client_requests", "toolkit_client_prompt_tokens"} <= families
