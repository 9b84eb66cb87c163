"""Server-reported timings (llama.cpp ``timings``): what the engine itself says it evaluated.

Usage counts tokens; timings add the time. ``prompt_n`` is the prompt tokens the engine
actually evaluated (its cache served ``cache_n`` more), ``prompt_ms`` how long that prefill
took. Missing or malformed values read as absent: timings never fail a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ServerTimings", "parse_timings"]


class ServerTimings(BaseModel):
    """The prefill and decode figures one response reported.

    Attributes:
        prompt_n: Prompt tokens evaluated (not served from the prompt cache).
        prompt_ms: Milliseconds spent evaluating them.
        cache_n: Prompt tokens reused from the cache.
        predicted_n: Tokens generated.
        predicted_ms: Milliseconds spent generating them.
    """

    model_config = ConfigDict(frozen=True)

    prompt_n: int = 0
    prompt_ms: float = 0.0
    cache_n: int = 0
    predicted_n: int = 0
    predicted_ms: float = 0.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and value >= 0 else None


def parse_timings(body: Mapping[str, Any] | None) -> ServerTimings | None:
    """Read ``timings`` from a response body or a stream chunk; None when absent.

    Args:
        body: The parsed body or chunk.

    Returns:
        The timings, or None when the body carries no usable ``timings`` object.
    """
    raw = body.get("timings") if isinstance(body, Mapping) else None
    if not isinstance(raw, Mapping):
        return None
    values = {name: _number(raw.get(name)) for name in ServerTimings.model_fields}
    if all(value is None for value in values.values()):
        return None
    return ServerTimings(
        prompt_n=int(values["prompt_n"] or 0),
        prompt_ms=values["prompt_ms"] or 0.0,
        cache_n=int(values["cache_n"] or 0),
        predicted_n=int(values["predicted_n"] or 0),
        predicted_ms=values["predicted_ms"] or 0.0,
    )
