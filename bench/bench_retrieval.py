"""Retrieval figures on this machine: embedding throughput, ingest, search latency, memory.

Run: python bench/bench_retrieval.py   (about a minute on 2 cores)

- Embedding throughput of OfflineEmbeddings on 1,000 chunks of ~60 words (target 500/s),
  against a baseline measured in the same run: the same model fed one text at a time.
- Ingest of 1,000 chunks end to end (read, chunk, embed, write a PersistentClient),
  then the idempotent re-run; peak memory of the ingest process.
- Search latency p50/p95 over 1,000 queries on a 10,000-chunk collection.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.retrieval import KnowledgeStore, OfflineEmbeddings

WORDS = (
    "the loan borrower repays monthly instalments interest rate capital exposure default "
    "probability transformer oil acetylene arcing substation feeder voltage frequency grid "
    "wind turbine curtailment battery cell thermal runaway vehicle safety integrity hazard "
    "severity exposure controllability process control chart limits deviation supplier audit "
    "maintenance inspection torque bearing lubrication procedure operator shift record "
    "of and to in for with on is are must be a by"
)
VOCABULARY = tuple(WORDS.split())
TARGET_PER_SECOND = 500.0


def _chunks(count: int, words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."
        for _ in range(count)
    ]


def _throughput(model: OfflineEmbeddings, texts: list[str]) -> float:
    start = time.perf_counter()
    model.embed(texts)
    return len(texts) / (time.perf_counter() - start)


def bench_embedding(model: OfflineEmbeddings) -> None:
    chunks = _chunks(1000, 60, seed=1)
    short_texts = _chunks(1000, 12, seed=2)
    tokens = statistics.mean(model.count_tokens(text) for text in chunks[:100])
    single = OfflineEmbeddings(batch_size=1)
    model.embed(chunks[:32])  # warm-up: graph build and session start are not throughput
    single.embed(chunks[:4])
    # Interleaved rounds, best of each: other work on a shared machine only ever slows a
    # round down, so the best round is the closest to what the code can do.
    batched, baseline, short, short_single = [], [], [], []
    for _ in range(2):
        batched.append(_throughput(model, chunks))
        baseline.append(_throughput(single, chunks[:200]))
        short.append(_throughput(model, short_texts))
        short_single.append(_throughput(single, short_texts[:200]))
    rate, base = max(batched), max(baseline)
    print(f"embedding: 1,000 chunks of 60 words (~{tokens:.0f} word pieces each), best of 2")
    print(f"  batched (<=2048 tokens, sorted): {rate:8.1f} chunks/s  (rounds {_fmt(batched)})")
    print(f"  baseline one text per call:      {base:8.1f} chunks/s  (rounds {_fmt(baseline)})")
    print(f"  batched / baseline: x{rate / base:.2f}")
    verdict = "met" if rate >= TARGET_PER_SECOND else "NOT met"
    print(
        f"  target {TARGET_PER_SECOND:.0f} chunks/s: {verdict}"
        f" ({rate / TARGET_PER_SECOND:.2f} of target)"
    )
    print(f"  short texts (12 words):          {max(short):8.1f} texts/s   (rounds {_fmt(short)})")
    print(
        f"  short, one text per call:        {max(short_single):8.1f} texts/s   "
        f"(x{max(short) / max(short_single):.2f} from batching)"
    )


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{value:.0f}" for value in values)


def _write_knowledge(folder: Path, documents: int, sections: int) -> None:
    texts = _chunks(documents * sections, 60, seed=3)
    for d in range(documents):
        body = "\n\n".join(f"## Section {s}\n\n{texts[d * sections + s]}" for s in range(sections))
        (folder / f"doc-{d:03d}.md").write_text(
            f"---\ntitle: Document {d}\ntrust: trusted\n---\n\n# Document {d}\n\n{body}\n",
            encoding="utf-8",
        )


_INGEST_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from toolkit.retrieval import KnowledgeStore, OfflineEmbeddings
start = time.perf_counter()
with KnowledgeStore(sys.argv[1], embeddings=OfflineEmbeddings()) as store:
    report = store.ingest(sys.argv[2]) if sys.argv[4] == "ingest" else None
    if report is None:
        store.embeddings.embed(["warm up the model only"])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak,
                  "chunks": report.chunks if report else 0,
                  "embedded": report.embedded if report else 0}))
"""


def _child(db: Path, knowledge: Path, mode: str) -> dict[str, float]:
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", _INGEST_CHILD, str(db), str(knowledge), root, mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def bench_ingest(work: Path) -> None:
    knowledge = work / "knowledge"
    knowledge.mkdir()
    _write_knowledge(knowledge, documents=100, sections=10)
    baseline = _child(work / "db0", knowledge, "load")
    first = _child(work / "db", knowledge, "ingest")
    again = _child(work / "db", knowledge, "ingest")
    print(f"ingest: 100 documents, {first['chunks']:.0f} chunks, fresh PersistentClient")
    print(
        f"  first run:  {first['seconds']:6.1f} s ({first['embedded'] / first['seconds']:.0f} "
        f"chunks/s end to end, incl. model load)"
    )
    print(f"  re-run:     {again['seconds']:6.1f} s ({again['embedded']:.0f} chunks embedded)")
    print(
        f"  peak memory: {first['peak_mib']:.0f} MiB (baseline, model loaded, no ingest: "
        f"{baseline['peak_mib']:.0f} MiB; +{first['peak_mib'] - baseline['peak_mib']:.0f} MiB)"
    )


def bench_search(model: OfflineEmbeddings, work: Path) -> None:
    real = _chunks(1000, 60, seed=4)
    vectors = model.embed(real)
    rng = np.random.default_rng(5)
    with KnowledgeStore(work / "search-db", embeddings=model) as store:
        # 1,000 embedded chunks plus 9,000 neighbours of them (noise, renormalised): the
        # index cost depends on size and dimension, and embedding 10,000 would take a minute.
        for copy in range(10):
            batch = vectors if copy == 0 else vectors + rng.normal(0, 0.05, vectors.shape)
            batch = batch / np.linalg.norm(batch, axis=1, keepdims=True)
            ids = [f"c{copy}-{i}" for i in range(len(real))]
            for start in range(0, len(real), 500):
                store.collection.add(
                    ids=ids[start : start + 500],
                    embeddings=batch[start : start + 500].astype(np.float32),
                    documents=real[start : start + 500],
                    metadatas=[
                        {"doc_id": f"d{i % 97}", "trust": "trusted"}
                        for i in range(start, start + 500)
                    ],
                )
        assert store.count() == 10_000
        queries = _chunks(1000, 10, seed=6)
        store.search(queries[0])
        total, index_only = [], []
        for query in queries:
            t0 = time.perf_counter()
            store.search(query, k=4)
            total.append(time.perf_counter() - t0)
        query_vectors = model.embed(queries)
        for vector in query_vectors:
            t0 = time.perf_counter()
            store.collection.query(query_embeddings=[vector], n_results=4)
            index_only.append(time.perf_counter() - t0)

    def pct(values: list[float], q: float) -> float:
        return float(np.percentile(values, q) * 1000)

    print("search: 1,000 queries, k=4, 10,000 chunks (PersistentClient, HNSW cosine)")
    print(f"  embed + query: p50 {pct(total, 50):6.1f} ms   p95 {pct(total, 95):6.1f} ms")
    print(f"  query only:    p50 {pct(index_only, 50):6.1f} ms   p95 {pct(index_only, 95):6.1f} ms")


def main() -> None:
    """Print the figures."""
    started = time.perf_counter()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} at start "
        "(other work on the machine lowers every figure below)"
    )
    model = OfflineEmbeddings()
    load_start = time.perf_counter()
    model.embed(["first call builds the graph"])
    print(f"model: first use (graph build + session) {time.perf_counter() - load_start:.2f} s")
    bench_embedding(model)
    with tempfile.TemporaryDirectory() as tmp:
        bench_ingest(Path(tmp))
        bench_search(model, Path(tmp))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {time.perf_counter() - started:.0f} s; this process peaked at {peak:.0f} MiB")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
