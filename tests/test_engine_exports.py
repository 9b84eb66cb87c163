"""The public surface of toolkit.engine is pinned."""

from __future__ import annotations

import toolkit.engine


def test_exported_names() -> None:
    assert sorted(toolkit.engine.__all__) == [
        "CacheStats",
        "Completion",
        "DEFAULT_MODEL",
        "LatencyModel",
        "LocalEngine",
        "LocalTransport",
        "PrefixCache",
        "TOKENIZER_NAMES",
        "Tokenizer",
        "default_engine",
        "ideal_hits",
        "load_tokenizer",
        "prompt_token_ids",
    ]
    for name in toolkit.engine.__all__:
        assert hasattr(toolkit.engine, name)


def test_default_engine_is_shared() -> None:
    assert toolkit.engine.default_engine() is toolkit.engine.default_engine()
