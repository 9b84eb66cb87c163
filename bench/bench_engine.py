"""Engine figures: requests/s on 4,000-token prompts with a 90% shared prefix, ideal_hits over
10,000 requests, and prefix-cache memory per cached token, each against an in-run baseline."""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from toolkit.engine import LocalEngine, LocalTransport, PrefixCache, ideal_hits, load_tokenizer


def prompts(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    words = ["loan", "rate", "payment", "capital", "exposure", "default", "stage", "income"]
    shared = " ".join(rng.choice(words) for _ in range(3600))
    bodies = []
    for i in range(count):
        tail = " ".join(rng.choice(words) for _ in range(400))
        bodies.append({"model": "m", "messages": [
            {"role": "system", "content": shared},
            {"role": "user", "content": f"Request {i}: {tail}"},
        ]})  # fmt: skip
    return bodies


def bench_requests() -> None:
    engine = LocalEngine()
    bodies = prompts(200)
    engine.complete(bodies[0])
    start = time.perf_counter()
    for body in bodies:
        engine.complete(body)
    engine_s = time.perf_counter() - start
    tokenizer = load_tokenizer()
    texts = [str(b["messages"][0]["content"]) + str(b["messages"][1]["content"]) for b in bodies]
    start = time.perf_counter()
    for text in texts:
        tokenizer.encode(text)
    encode_s = time.perf_counter() - start
    stats = engine.cache.stats()
    over_transport = LocalEngine()
    client = httpx.Client(transport=LocalTransport(over_transport))
    client.post("http://local.engine/v1/chat/completions", json=bodies[0])
    start = time.perf_counter()
    for body in bodies:
        client.post("http://local.engine/v1/chat/completions", json=body)
    transport_s = time.perf_counter() - start
    print(f"prompt tokens/request       {stats.queries // stats.requests}")
    print(f"engine requests/s           {len(bodies) / engine_s:,.0f}")
    print(f"via LocalTransport (httpx)  {len(bodies) / transport_s:,.0f}")
    print(f"baseline tokenize-only /s   {len(bodies) / encode_s:,.0f}")
    print(f"engine / tokenize-only      {encode_s / engine_s:.2f}")
    print(f"hit rate                    {stats.hit_rate:.1%}")


def bench_ideal() -> None:
    rng = random.Random(3)
    stems = [[rng.randrange(150_000) for _ in range(2000)] for _ in range(50)]
    trace = [
        stems[rng.randrange(50)] + [rng.randrange(150_000) for _ in range(200)]
        for _ in range(10_000)
    ]
    start = time.perf_counter()
    hits, total = ideal_hits(trace)
    ideal_s = time.perf_counter() - start
    sample = trace[:300]
    start = time.perf_counter()
    seen: set[tuple[int, ...]] = set()
    for ids in sample:  # naive baseline: every block-aligned prefix as a tuple
        for k in range(1, len(ids) // 16 + 1):
            seen.add(tuple(ids[: k * 16]))
    naive_s = (time.perf_counter() - start) / len(sample) * len(trace)
    print(f"ideal_hits 10,000 requests  {ideal_s:.2f} s ({total / ideal_s / 1e6:.1f} M tokens/s)")
    print(f"ideal hit rate              {hits / total:.1%}")
    print(f"naive tuple baseline (est.) {naive_s:.1f} s; speed-up {naive_s / ideal_s:.0f}x")


def bench_memory() -> None:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    cache = PrefixCache(block_size=16, capacity_tokens=2_000_000)
    rng = random.Random(1)
    for _ in range(500):
        cache.match_and_insert([rng.randrange(150_000) for _ in range(4000)])
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    tokens = len(cache) * 16
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    blocks = [tuple(rng.randrange(150_000) for _ in range(16)) for _ in range(len(cache) // 10)]
    naive = (tracemalloc.get_traced_memory()[0] - before) * 10
    tracemalloc.stop()
    del blocks
    print(f"cache memory per token      {used / tokens:.1f} bytes ({tokens:,} tokens cached)")
    print(f"baseline token-id tuples    {naive / tokens:.1f} bytes/token")
    print(f"ratio                       {naive / used:.1f}x smaller")


def main() -> None:
    bench_requests()
    bench_ideal()
    bench_memory()


if __name__ == "__main__":
    main()
