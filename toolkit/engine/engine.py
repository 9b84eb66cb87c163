"""`LocalEngine`: an OpenAI-compatible chat-completions engine that runs in-process.

It renders the request as Qwen ChatML, counts tokens with Qwen's real vocabulary, looks the
prompt up in a vLLM-style prefix cache, and answers with the deterministic policy (not a
language model). Thread-safe: the tokenizer is shared read-only, the cache and the
counters take locks.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from toolkit.engine.chatml import render_completion, render_prompt
from toolkit.engine.metrics import Metrics
from toolkit.engine.policy import Decision, arguments_json, decide
from toolkit.engine.prefix_cache import PrefixCache
from toolkit.engine.request import ChatRequest, ToolCall, parse_request
from toolkit.engine.tokenizer import Tokenizer, load_tokenizer
from toolkit.errors import EngineRequestError

__all__ = ["DEFAULT_MODEL", "Completion", "LatencyModel", "LocalEngine", "default_engine"]

DEFAULT_MODEL = "toolkit-local"
DEFAULT_CAPACITY_TOKENS = 1_048_576
DEFAULT_MAX_MODEL_LEN = 131_072
_PIECE = re.compile(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff]+\s*|\s+")


class LatencyModel(NamedTuple):
    """Simulated latency: first token after a + b x uncached prompt tokens, then c per token."""

    base_s: float
    per_uncached_token_s: float
    per_output_token_s: float

    @classmethod
    def parse(cls, text: str) -> LatencyModel:
        """Parse ``"a,b,c"`` (seconds), as `toolkit serve --latency` takes it."""
        parts = text.split(",")
        try:
            values = [float(part) for part in parts]
        except ValueError:
            values = []
        if len(values) != 3 or any(v < 0 for v in values):
            raise ValueError(
                f"latency must be three non-negative numbers 'a,b,c' in seconds, got {text!r}"
            )
        return cls(values[0], values[1], values[2])

    def first_token_s(self, uncached_tokens: int) -> float:
        """Time to first token for a prompt with this many uncached tokens."""
        return self.base_s + self.per_uncached_token_s * uncached_tokens


@dataclass(frozen=True)
class Completion:
    """Everything about one served request; the HTTP layer turns it into a body or chunks."""

    request: ChatRequest
    response: dict[str, Any]
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    first_token_s: float
    per_token_s: float


def _request_id(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LocalEngine:
    """The embedded token service.

    Args:
        tokenizer: tokenizer name (`qwen` by default) or a `Tokenizer` instance.
        block_size: prefix-cache block size in tokens.
        capacity_tokens: prefix-cache capacity in tokens (LRU beyond it).
        latency: optional latency model (or ``(a, b, c)`` / ``"a,b,c"`` in seconds), applied
            as sleeps by the HTTP layer.
        model: the model id served (requests may name any model; it is echoed back).
        max_model_len: prompt plus requested completion tokens allowed per request.
    """

    def __init__(
        self,
        tokenizer: str | Tokenizer = "qwen",
        block_size: int = 16,
        capacity_tokens: int = DEFAULT_CAPACITY_TOKENS,
        latency: LatencyModel | tuple[float, float, float] | str | None = None,
        *,
        model: str = DEFAULT_MODEL,
        max_model_len: int = DEFAULT_MAX_MODEL_LEN,
    ) -> None:
        self.tokenizer = load_tokenizer(tokenizer) if isinstance(tokenizer, str) else tokenizer
        self.cache = PrefixCache(block_size=block_size, capacity_tokens=capacity_tokens)
        if isinstance(latency, str):
            latency = LatencyModel.parse(latency)
        elif latency is not None and not isinstance(latency, LatencyModel):
            latency = LatencyModel(*latency)
        self.latency = latency
        self.model = model
        self.max_model_len = max_model_len
        self.metrics = Metrics(model)

    def __repr__(self) -> str:
        return (
            f"LocalEngine(model={self.model!r}, tokenizer={self.tokenizer.name!r}, "
            f"block_size={self.cache.block_size}, capacity_tokens={self.cache.capacity_tokens})"
        )

    def count_prompt_tokens(self, payload: dict[str, Any]) -> int:
        """Prompt tokens of a request as the engine renders it (no cache side effect)."""
        request = parse_request(payload)
        return len(self.tokenizer.encode(render_prompt(request.messages, request.tools)))

    def prompt_token_ids(self, payload: dict[str, Any]) -> list[int]:
        """Token ids of a request's rendered prompt (no cache side effect)."""
        request = parse_request(payload)
        return self.tokenizer.encode(render_prompt(request.messages, request.tools))

    def run(self, payload: object) -> Completion:
        """Serve one request: validate, tokenize, consult the cache, decide, count.

        Raises:
            EngineRequestError: the request is invalid.
        """
        try:
            request = parse_request(payload)
            prompt_ids = self.tokenizer.encode(render_prompt(request.messages, request.tools))
            if len(prompt_ids) + (request.max_tokens or 0) > self.max_model_len:
                raise EngineRequestError(
                    param="messages",
                    problem=f"the prompt has {len(prompt_ids)} tokens and max_tokens asks for "
                    f"{request.max_tokens or 0} more; this model's maximum context length is "
                    f"{self.max_model_len} tokens",
                    code="context_length_exceeded",
                )
        except EngineRequestError:
            self.metrics.record_error()
            raise
        model = request.model or self.model
        salt = f"{model}\x00{request.cache_salt or ''}"
        cached = self.cache.match_and_insert(prompt_ids, salt=salt)
        decision = decide(request)
        request_id = _request_id(cast(dict[str, Any], payload))
        message, finish, completion_tokens = self._message(decision, request, request_id)
        choices = [
            {"index": i, "message": message, "logprobs": None, "finish_reason": finish}
            for i in range(request.n)
        ]
        usage = {
            "prompt_tokens": len(prompt_ids),
            "completion_tokens": completion_tokens * request.n,
            "total_tokens": len(prompt_ids) + completion_tokens * request.n,
            "prompt_tokens_details": {"cached_tokens": cached},
        }
        response = {
            "id": f"chatcmpl-{request_id[:32]}",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "system_fingerprint": "toolkit-engine",
            "choices": choices,
            "usage": usage,
        }
        self.metrics.record(
            prompt_tokens=len(prompt_ids),
            cached_tokens=cached,
            completion_tokens=completion_tokens * request.n,
        )
        latency = self.latency
        return Completion(
            request=request,
            response=response,
            prompt_tokens=len(prompt_ids),
            cached_tokens=cached,
            completion_tokens=completion_tokens * request.n,
            first_token_s=latency.first_token_s(len(prompt_ids) - cached) if latency else 0.0,
            per_token_s=latency.per_output_token_s if latency else 0.0,
        )

    def _message(
        self, decision: Decision, request: ChatRequest, request_id: str
    ) -> tuple[dict[str, Any], str, int]:
        calls = tuple(
            ToolCall(
                id=f"call_{hashlib.sha256(f'{request_id}:{i}'.encode()).hexdigest()[:24]}",
                name=name,
                arguments=arguments_json(arguments),
            )
            for i, (name, arguments) in enumerate(decision.tool_calls)
        )
        content = decision.content
        finish = "tool_calls" if calls else "stop"
        generated = self.tokenizer.encode(render_completion(content, calls))
        if request.max_tokens is not None and len(generated) > request.max_tokens and not calls:
            content = self.tokenizer.decode(generated[: request.max_tokens])
            content = content.replace("\ufffd", "")
            generated = generated[: request.max_tokens]
            finish = "length"
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content if not calls else None,
            "refusal": None,
        }
        if calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in calls
            ]
        return message, finish, len(generated)

    def complete(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Answer a chat-completions request body with a chat-completion response body.

        Args:
            payload: an OpenAI chat-completions request body.

        Returns:
            An OpenAI chat-completion response body (``usage.prompt_tokens_details``
            carries the prefix-cache hit).

        Raises:
            EngineRequestError: the request is invalid (names the field).
        """
        return self.run(payload).response

    def stream(self, payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Answer as `chat.completion.chunk` objects, as `stream: true` would send them."""
        completion = self.run(payload)
        for _, chunk in stream_chunks(completion, self.tokenizer):
            yield chunk


def stream_chunks(
    completion: Completion, tokenizer: Tokenizer
) -> Iterator[tuple[float, dict[str, Any]]]:
    """The chunks of a streamed answer, each with the simulated delay before it."""
    response = completion.response
    base = {
        "id": response["id"],
        "object": "chat.completion.chunk",
        "created": response["created"],
        "model": response["model"],
        "system_fingerprint": response["system_fingerprint"],
    }
    include_usage = completion.request.include_usage
    per_token = completion.per_token_s

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            **base,
            "choices": [
                {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
            ],
        }
        if include_usage:
            body["usage"] = None
        return body

    first = True
    for choice in response["choices"]:
        index = choice["index"]
        message = choice["message"]
        yield (
            (completion.first_token_s if first else 0.0),
            chunk(index, {"role": "assistant", "content": ""}),
        )
        first = False
        for piece in _PIECE.findall(message["content"] or ""):
            yield per_token * max(1, len(tokenizer.encode(piece))), chunk(index, {"content": piece})
        for position, call in enumerate(message.get("tool_calls") or []):
            head = {"index": position, "id": call["id"], "type": "function"}
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            yield per_token, chunk(index, {"tool_calls": [head]})
            arguments = call["function"]["arguments"]
            delay = per_token * len(tokenizer.encode(arguments))
            yield (
                delay,
                chunk(
                    index,
                    {"tool_calls": [{"index": position, "function": {"arguments": arguments}}]},
                ),
            )
        yield 0.0, chunk(index, {}, choice["finish_reason"])
    if include_usage:
        yield 0.0, {**base, "choices": [], "usage": response["usage"]}


_default_lock = threading.Lock()
_default: LocalEngine | None = None


def default_engine() -> LocalEngine:
    """The process-wide engine behind `url="local"` endpoints (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LocalEngine()
        return _default


def prompt_token_ids(payload: dict[str, Any]) -> list[int]:
    """Token ids of a chat-completions body as the default engine renders and counts it.

    This is the same Qwen ChatML rendering and vocabulary that `usage.prompt_tokens`
    reports, so traces replayed through `ideal_hits` are measured in the same tokens.
    """
    return default_engine().prompt_token_ids(payload)
