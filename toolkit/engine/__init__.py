"""The embedded token service (`local`), offline and deterministic.

Qwen tokenization, a vLLM-style prefix cache, a deterministic policy (not a language
model) and an OpenAI-compatible HTTP surface (in-process transport and `toolkit serve`).

Heavy imports (FastAPI, uvicorn) happen only in `toolkit.engine.server`.
"""

from toolkit.engine.engine import (
    DEFAULT_MODEL,
    Completion,
    LatencyModel,
    LocalEngine,
    default_engine,
    prompt_token_ids,
)
from toolkit.engine.ideal import ideal_hits
from toolkit.engine.prefix_cache import CacheStats, PrefixCache
from toolkit.engine.tokenizer import TOKENIZER_NAMES, Tokenizer, load_tokenizer
from toolkit.engine.transport import LocalTransport

__all__ = [
    "DEFAULT_MODEL",
    "TOKENIZER_NAMES",
    "CacheStats",
    "Completion",
    "LatencyModel",
    "LocalEngine",
    "LocalTransport",
    "PrefixCache",
    "Tokenizer",
    "default_engine",
    "ideal_hits",
    "load_tokenizer",
    "prompt_token_ids",
]
