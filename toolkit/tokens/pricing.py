"""Prices per model, with cached-input and cache-write rates, and the cost of a call."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolkit.errors import ConfigError
from toolkit.tokens.usage import Usage

__all__ = ["ModelPrice", "PriceTable"]


class ModelPrice(BaseModel):
    """Prices in currency units per million tokens.

    ``cached_input`` and ``cache_write`` default to ``input`` when not given, so a
    table that knows nothing about caching never under-reports cost.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)

    def cost(self, usage: Usage) -> float:
        """Cost of one call's usage under these prices."""
        cached_rate = self.input if self.cached_input is None else self.cached_input
        write_rate = self.input if self.cache_write is None else self.cache_write
        total = (
            usage.uncached_prompt_tokens * self.input
            + usage.cached_tokens * cached_rate
            + usage.cache_write_tokens * write_rate
            + usage.completion_tokens * self.output
        )
        return total / 1_000_000


class PriceTable:
    """Prices per model name, loadable from YAML or JSON.

    Args:
        prices: Model name to `ModelPrice` (or a mapping of its fields).
        currency: The unit the prices are in, for reports.
    """

    def __init__(
        self,
        prices: Mapping[str, ModelPrice | Mapping[str, Any]] | None = None,
        *,
        currency: str = "USD",
    ) -> None:
        self.currency = currency
        self._prices: dict[str, ModelPrice] = {}
        for model, price in (prices or {}).items():
            self._prices[model] = (
                price if isinstance(price, ModelPrice) else ModelPrice.model_validate(price)
            )

    def __repr__(self) -> str:
        return f"PriceTable(models={sorted(self._prices)!r}, currency={self.currency!r})"

    def __contains__(self, model: object) -> bool:
        return model in self._prices

    def get(self, model: str) -> ModelPrice | None:
        """The price of ``model``, or None when the table does not list it."""
        return self._prices.get(model)

    def cost(self, model: str, usage: Usage) -> float | None:
        """Cost of ``usage`` on ``model``, or None when the model is not priced."""
        price = self._prices.get(model)
        return None if price is None else price.cost(usage)

    @classmethod
    def from_file(cls, path: str | Path) -> PriceTable:
        """Load ``{currency: ..., models: {name: {input, output, cached_input, cache_write}}}``.

        Raises:
            ConfigError: The file is missing or invalid; names the file and the model.
        """
        from toolkit.jsonfile import loads_bounded
        from toolkit.yamlfile import load_yaml_text, read_text_capped

        path = Path(path)
        text = read_text_capped(path)
        if path.suffix in (".yaml", ".yml"):
            data = load_yaml_text(text, source=str(path))
        else:
            try:
                data = loads_bounded(text)
            except ValueError as exc:
                raise ConfigError(file=str(path), problem=f"not valid JSON: {exc}") from exc
        if not isinstance(data, Mapping) or not isinstance(data.get("models"), Mapping):
            raise ConfigError(
                file=str(path), key="models", problem="expected a mapping of model name to prices"
            )
        prices: dict[str, ModelPrice] = {}
        for model, fields in data["models"].items():
            try:
                prices[str(model)] = ModelPrice.model_validate(fields)
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"])
                raise ConfigError(
                    file=str(path),
                    key=f"models.{model}.{field}" if field else f"models.{model}",
                    problem=first["msg"],
                ) from exc
        return cls(prices, currency=str(data.get("currency", "USD")))
