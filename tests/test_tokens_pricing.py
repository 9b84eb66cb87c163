from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.tokens import ModelPrice, PriceTable, Usage


def test_cost_uses_cached_and_write_rates() -> None:
    price = ModelPrice(input=2.0, cached_input=0.2, cache_write=2.5, output=8.0)
    usage = Usage(
        prompt_tokens=1_000_000,
        completion_tokens=500_000,
        cached_tokens=600_000,
        cache_write_tokens=100_000,
    )
    # 300k uncached x 2 + 600k x 0.2 + 100k x 2.5 + 500k x 8, per million
    assert price.cost(usage) == pytest.approx(0.6 + 0.12 + 0.25 + 4.0)


def test_missing_cache_rates_default_to_input_price() -> None:
    price = ModelPrice(input=1.0, output=1.0)
    assert price.cost(Usage(prompt_tokens=1_000_000, cached_tokens=1_000_000)) == pytest.approx(1.0)


def test_table_lookup_and_unknown_model() -> None:
    table = PriceTable({"qwen": {"input": 1, "output": 2}})
    assert "qwen" in table
    assert table.cost("qwen", Usage(prompt_tokens=1_000_000)) == pytest.approx(1.0)
    assert table.cost("other", Usage(prompt_tokens=10)) is None


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_from_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"prices{suffix}"
    if suffix == ".yaml":
        path.write_text(
            "currency: CNY\nmodels:\n  qwen-plus: {input: 0.8, cached_input: 0.16, output: 2}\n"
        )
    else:
        path.write_text(
            '{"currency": "CNY", "models": {"qwen-plus":'
            ' {"input": 0.8, "cached_input": 0.16, "output": 2}}}'
        )
    table = PriceTable.from_file(path)
    assert table.currency == "CNY"
    assert table.get("qwen-plus") == ModelPrice(input=0.8, cached_input=0.16, output=2)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("models: [1, 2]", "models"),
        ("models:\n  m: {input: -1, output: 1}", "models.m.input"),
        ("models:\n  m: {input: 1}", "models.m.output"),
        ("models:\n  m: {input: 1, output: 1, bogus: 3}", "models.m.bogus"),
        ("models: {m: [", "not valid"),
    ],
)
def test_bad_files_name_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        PriceTable.from_file(path)
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot (be )?read"):
        PriceTable.from_file(tmp_path / "nope.yaml")
