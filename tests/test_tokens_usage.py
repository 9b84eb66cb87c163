import re
from typing import Any

import pytest

from toolkit.errors import ResponseFormatError
from toolkit.tokens import Usage, normalize_usage


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {
                "usage": {
                    "prompt_tokens": 2000,
                    "completion_tokens": 50,
                    "prompt_tokens_details": {"cached_tokens": 1536},
                }
            },
            Usage(prompt_tokens=2000, completion_tokens=50, cached_tokens=1536),
            id="openai",
        ),
        pytest.param(
            {
                "usage": {
                    "input_tokens": 100,
                    "output_tokens": 20,
                    "cache_read_input_tokens": 3000,
                    "cache_creation_input_tokens": 500,
                }
            },
            Usage(
                prompt_tokens=3600, completion_tokens=20, cached_tokens=3000, cache_write_tokens=500
            ),
            id="anthropic-native",
        ),
        pytest.param(
            {
                "usage": {
                    "prompt_tokens": 3600,
                    "completion_tokens": 20,
                    "cache_read_input_tokens": 3000,
                    "cache_creation_input_tokens": 500,
                }
            },
            Usage(
                prompt_tokens=3600, completion_tokens=20, cached_tokens=3000, cache_write_tokens=500
            ),
            id="anthropic-via-openai-gateway",
        ),
        pytest.param(
            {
                "usage": {
                    "prompt_tokens": 1200,
                    "completion_tokens": 9,
                    "prompt_cache_hit_tokens": 1024,
                    "prompt_cache_miss_tokens": 176,
                }
            },
            Usage(prompt_tokens=1200, completion_tokens=9, cached_tokens=1024),
            id="deepseek",
        ),
        pytest.param(
            {
                "usage": {
                    "completion_tokens": 9,
                    "prompt_cache_hit_tokens": 1024,
                    "prompt_cache_miss_tokens": 176,
                }
            },
            Usage(prompt_tokens=1200, completion_tokens=9, cached_tokens=1024),
            id="deepseek-miss-only",
        ),
        pytest.param(
            {"usage": {"prompt_tokens": 800, "completion_tokens": 3, "cached_tokens": 640}},
            Usage(prompt_tokens=800, completion_tokens=3, cached_tokens=640),
            id="qianfan",
        ),
        pytest.param(
            {"timings": {"cache_n": 480, "prompt_n": 20, "predicted_n": 7}},
            Usage(prompt_tokens=500, completion_tokens=7, cached_tokens=480),
            id="llamacpp",
        ),
        pytest.param(
            {
                "usage": {"prompt_tokens": 500, "completion_tokens": 7},
                "timings": {"cache_n": 480, "prompt_n": 20},
            },
            Usage(prompt_tokens=500, completion_tokens=7, cached_tokens=480),
            id="llamacpp-with-usage",
        ),
        pytest.param(
            {"usage": {"prompt_tokens": 10, "completion_tokens": 1}},
            Usage(prompt_tokens=10, completion_tokens=1),
            id="ollama-no-cache-field",
        ),
    ],
)
def test_dialects(body: dict[str, Any], expected: Usage) -> None:
    assert normalize_usage(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"usage": {"prompt_tokens": "many"}},
        {"usage": {"prompt_tokens": -5, "completion_tokens": True}},
        {"usage": {"prompt_tokens_details": None}},
        {"usage": {"prompt_tokens": float("nan")}},
    ],
)
def test_garbage_fields_are_zero(body: Any) -> None:
    assert normalize_usage(body) == Usage()


@pytest.mark.parametrize(
    "body", [None, {}, {"usage": None}, {"usage": "lots"}, {"timings": []}, [], "x"]
)
def test_missing_usage_is_unknown_not_free(body: Any) -> None:
    usage = normalize_usage(body)
    assert usage == Usage(known=False)
    assert not usage.known and usage.total_tokens == 0
    assert not (usage + Usage(prompt_tokens=5)).known


@pytest.mark.parametrize(
    ("usage", "shown"),
    [
        ({"prompt_tokens": float("inf")}, "inf"),
        ({"prompt_tokens": 10**20}, "100000000000000000000"),
        ({"completion_tokens": 1e20}, "1e+20"),
        ({"prompt_tokens_details": {"cached_tokens": 10**400}}, "401-digit"),
        ({"input_tokens": "9" * 30}, "9" * 30),
    ],
)
def test_impossible_counts_are_typed_errors(usage: dict[str, Any], shown: str) -> None:
    with pytest.raises(ResponseFormatError, match=re.escape(shown)) as info:
        normalize_usage({"usage": usage}, endpoint="m@h")
    assert "m@h" in str(info.value)


def test_cached_never_exceeds_prompt() -> None:
    usage = normalize_usage(
        {"usage": {"prompt_tokens": 10, "prompt_tokens_details": {"cached_tokens": 99}}}
    )
    assert usage.cached_tokens == 10
    assert usage.uncached_prompt_tokens == 0


def test_usage_adds_up() -> None:
    total = Usage(prompt_tokens=10, completion_tokens=2, cached_tokens=4) + Usage(
        prompt_tokens=5, completion_tokens=1, cache_write_tokens=3
    )
    assert total == Usage(
        prompt_tokens=15, completion_tokens=3, cached_tokens=4, cache_write_tokens=3
    )
    assert total.total_tokens == 18
