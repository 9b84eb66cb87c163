"""Token usage normalized from every dialect into one `Usage`.

Missing or malformed fields count as zero: a usage block never crashes a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Usage", "normalize_usage"]


class Usage(BaseModel):
    """Tokens of one call.

    Attributes:
        prompt_tokens: All input tokens, cached and cache-written included.
        completion_tokens: Output tokens.
        cached_tokens: Input tokens read from the provider's prefix cache.
        cache_write_tokens: Input tokens written to an explicit cache (Anthropic-style).
    """

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0

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
        )


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, float) and value == value and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def normalize_usage(response: Mapping[str, Any] | None) -> Usage:
    """Read usage from a response body (or a final stream chunk) in any dialect.

    Understands OpenAI ``usage.prompt_tokens_details.cached_tokens``, Anthropic
    ``input_tokens`` / ``cache_read_input_tokens`` / ``cache_creation_input_tokens``
    (where ``input_tokens`` excludes both), DeepSeek ``prompt_cache_hit_tokens``,
    Qianfan's top-level ``cached_tokens`` and llama.cpp ``timings.cache_n`` /
    ``prompt_n``.

    Args:
        response: The parsed response body.

    Returns:
        The normalized usage (zeros where nothing is reported).
    """
    body = _mapping(response)
    usage = _mapping(body.get("usage"))
    timings = _mapping(body.get("timings"))
    details = _mapping(usage.get("prompt_tokens_details"))

    completion = _count(usage.get("completion_tokens", usage.get("output_tokens")))
    cache_read = _count(usage.get("cache_read_input_tokens"))
    cache_write = _count(usage.get("cache_creation_input_tokens"))

    cached = (
        _count(details.get("cached_tokens"))
        or cache_read
        or _count(usage.get("prompt_cache_hit_tokens"))
        or _count(usage.get("cached_tokens"))
        or _count(timings.get("cache_n"))
    )

    if "prompt_tokens" in usage:
        prompt = _count(usage.get("prompt_tokens"))
    elif "input_tokens" in usage:
        # Anthropic's input_tokens excludes cache reads and writes.
        prompt = _count(usage.get("input_tokens")) + cache_read + cache_write
    elif "prompt_cache_miss_tokens" in usage:
        prompt = _count(usage.get("prompt_cache_miss_tokens")) + cached
    elif timings:
        prompt = _count(timings.get("prompt_n")) + _count(timings.get("cache_n"))
    else:
        prompt = 0
    if not completion and timings:
        completion = _count(timings.get("predicted_n"))

    cached = min(cached, prompt) if prompt else cached
    cache_write = min(cache_write, max(0, prompt - cached)) if prompt else cache_write
    return Usage(
        prompt_tokens=max(prompt, cached + cache_write),
        completion_tokens=completion,
        cached_tokens=cached,
        cache_write_tokens=cache_write,
    )
