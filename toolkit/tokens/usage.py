"""Token usage normalized from every dialect into one `Usage`.

Malformed fields count as zero; a response without any usage block gives a
`Usage` marked unknown (``known=False``), so reports can count the calls whose
tokens nobody knows instead of pretending they were free. A count no real call
can have (``1e999``, ``10**20``) raises `ResponseFormatError`: it would
overflow the ledger and the price arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from toolkit.errors import ResponseFormatError

__all__ = ["MAX_TOKEN_COUNT", "Usage", "normalize_usage"]

MAX_TOKEN_COUNT = 10**12
"""Largest token count accepted in a usage block (far above any real call, far below
SQLite's 64-bit integers)."""


class Usage(BaseModel):
    """Tokens of one call.

    Attributes:
        prompt_tokens: All input tokens, cached and cache-written included.
        completion_tokens: Output tokens.
        cached_tokens: Input tokens read from the provider's prefix cache.
        cache_write_tokens: Input tokens written to an explicit cache (Anthropic-style).
        known: False when the endpoint reported no usage at all (the counts are then 0
            because nobody knows them, not because the call was free).
    """

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    known: bool = True

    @property
    def uncached_prompt_tokens(self) -> int:
        """Input tokens billed at the full input price."""
        return max(0, self.prompt_tokens - self.cached_tokens - self.cache_write_tokens)

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            known=self.known and other.known,
        )


class _Counter:
    """Reads counts for one endpoint, refusing numbers no real call can have."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def __call__(self, value: Any, name: str) -> int:
        if isinstance(value, bool):
            return 0
        if isinstance(value, float):
            if value != value or value < 0:
                return 0
            if value > MAX_TOKEN_COUNT:  # inf (JSON 1e999) included
                raise self._too_large(name, f"{value:g}")
            return int(value)
        if isinstance(value, str):
            value = value.strip()
            if not value.isdigit() or len(value) > 4300:  # int() refuses longer digit strings
                return 0
            value = int(value)
        if isinstance(value, int):
            if value > MAX_TOKEN_COUNT:
                shown = str(value) if value < 10**30 else f"a {len(str(value))}-digit number"
                raise self._too_large(name, shown)
            return max(0, value)
        return 0

    def _too_large(self, name: str, shown: str) -> ResponseFormatError:
        return ResponseFormatError(
            endpoint=self.endpoint,
            problem=f"usage field {name!r} is {shown}, more than any real call "
            f"({MAX_TOKEN_COUNT:,} tokens at most)",
        )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def normalize_usage(response: Mapping[str, Any] | None, *, endpoint: str = "(unknown)") -> Usage:
    """Read usage from a response body (or a final stream chunk) in any dialect.

    Understands OpenAI ``usage.prompt_tokens_details.cached_tokens``, Anthropic
    ``input_tokens`` / ``cache_read_input_tokens`` / ``cache_creation_input_tokens``
    (where ``input_tokens`` excludes both), DeepSeek ``prompt_cache_hit_tokens``,
    Qianfan's top-level ``cached_tokens`` and llama.cpp ``timings.cache_n`` /
    ``prompt_n``.

    Args:
        response: The parsed response body.
        endpoint: The endpoint's label, for error messages.

    Returns:
        The normalized usage (zeros where nothing is reported; ``known=False`` when
        the body has no usage block at all).

    Raises:
        ResponseFormatError: A count is beyond `MAX_TOKEN_COUNT` (or infinite).
    """
    body = _mapping(response)
    usage = _mapping(body.get("usage"))
    timings = _mapping(body.get("timings"))
    details = _mapping(usage.get("prompt_tokens_details"))
    if not usage and not timings:
        return Usage(known=False)
    _count = _Counter(endpoint)

    completion = _count(
        usage.get("completion_tokens", usage.get("output_tokens")), "completion_tokens"
    )
    cache_read = _count(usage.get("cache_read_input_tokens"), "cache_read_input_tokens")
    cache_write = _count(usage.get("cache_creation_input_tokens"), "cache_creation_input_tokens")

    cached = (
        _count(details.get("cached_tokens"), "cached_tokens")
        or cache_read
        or _count(usage.get("prompt_cache_hit_tokens"), "prompt_cache_hit_tokens")
        or _count(usage.get("cached_tokens"), "cached_tokens")
        or _count(timings.get("cache_n"), "cache_n")
    )

    if "prompt_tokens" in usage:
        prompt = _count(usage.get("prompt_tokens"), "prompt_tokens")
    elif "input_tokens" in usage:
        # Anthropic's input_tokens excludes cache reads and writes.
        prompt = _count(usage.get("input_tokens"), "input_tokens") + cache_read + cache_write
    elif "prompt_cache_miss_tokens" in usage:
        prompt = _count(usage.get("prompt_cache_miss_tokens"), "prompt_cache_miss_tokens") + cached
    elif timings:
        prompt = _count(timings.get("prompt_n"), "prompt_n") + _count(
            timings.get("cache_n"), "cache_n"
        )
    else:
        prompt = 0
    if not completion and timings:
        completion = _count(timings.get("predicted_n"), "predicted_n")

    cached = min(cached, prompt) if prompt else cached
    cache_write = min(cache_write, max(0, prompt - cached)) if prompt else cache_write
    return Usage(
        prompt_tokens=max(prompt, cached + cache_write),
        completion_tokens=completion,
        cached_tokens=cached,
        cache_write_tokens=cache_write,
    )
