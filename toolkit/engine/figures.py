"""Present tool-result values readably, as the result's JSON schema describes them.

A tool's result schema (``x-result`` next to its parameters, or any JSON schema of a
value) decides how a number is shown:

* ``x-unit: fraction``, or a description that calls the value a fraction, shows a share
  of a whole as a percent with three significant digits (``0.2624`` -> ``26.2%``);
* ``x-unit: percent``, or a description that calls the value a percent/percentage, is
  already a percent and gets a ``%`` sign;
* ``x-unit: currency`` shows separators and cents (``231,676.38``, ``90.00``);
* another unit follows the number (``360 months``, ``150 MW``; time units in Chinese
  for a Chinese answer);
* with no schema a number is shown neutrally: integers and whole floats with thousands
  separators, other numbers two decimals from magnitude 1 up, four significant digits
  below. A field's name never makes a value a percent; only identifiers and years
  (``year``, ``id``, ``code``...) keep their digits unseparated.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "format_number",
    "format_percent",
    "format_value",
    "is_empty",
    "is_fraction",
    "is_percent",
    "unit_of",
]

# Fields whose integers are labels, not amounts: no thousands separators.
_LABEL_WORDS = frozenset(
    ["year", "id", "code", "no", "number", "zip", "version", "port", "serial", "phone", "pin"]
)
_FRACTION_WORDS = re.compile(r"\bfraction\b|\bshare of\b|小数|比例", re.IGNORECASE)
_PERCENT_WORDS = re.compile(r"\bpercent(age)?\b|\bin %|百分", re.IGNORECASE)
_FRACTION_UNITS = frozenset(["fraction", "ratio_fraction", "share"])
_PERCENT_UNITS = frozenset(["percent", "pct", "%"])
_CURRENCY_UNITS = frozenset(["currency", "money", "amount"])
# General time words, shown in the answer's language.
_CHINESE_UNITS = {
    "months": "个月", "month": "个月", "years": "年", "year": "年", "days": "天", "day": "天",
    "hours": "小时", "hour": "小时", "minutes": "分钟", "minute": "分钟", "seconds": "秒",
    "second": "秒", "weeks": "周", "week": "周",
}  # fmt: skip
_MAX_LIST = 8


def _words(name: str) -> list[str]:
    return [w for w in name.lower().replace("-", "_").replace(".", "_").split("_") if w]


def unit_of(schema: Mapping[str, Any] | None) -> str:
    """The schema's ``x-unit`` in lower case, or ``""``."""
    unit = (schema or {}).get("x-unit")
    return unit.strip().lower() if isinstance(unit, str) else ""


def is_fraction(schema: Mapping[str, Any] | None) -> bool:
    """True when the schema says its number is a share of a whole (shown as a percent)."""
    unit = unit_of(schema)
    if unit:
        return unit in _FRACTION_UNITS
    return bool(_FRACTION_WORDS.search(str((schema or {}).get("description", ""))))


def is_percent(schema: Mapping[str, Any] | None) -> bool:
    """True when the schema says its number already is a percent (``12.5`` means 12.5%)."""
    unit = unit_of(schema)
    if unit:
        return unit in _PERCENT_UNITS
    description = str((schema or {}).get("description", ""))
    return bool(_PERCENT_WORDS.search(description)) and not _FRACTION_WORDS.search(description)


def format_percent(fraction: float) -> str:
    """A fraction as a percent with three significant digits (at least one decimal)."""
    percent = fraction * 100
    if percent == 0:
        return "0%"
    decimals = min(4, max(1, 2 - math.floor(math.log10(abs(percent)))))
    return f"{percent:.{decimals}f}%"


def format_number(value: float, name: str = "") -> str:
    """A number for reading: separators, two decimals from 1 up, four significant below."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not math.isfinite(value):
        return str(value)
    label = any(word in _LABEL_WORDS for word in _words(name))
    if float(value).is_integer():
        whole = int(value)
        return str(whole) if label else f"{whole:,}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def _with_unit(value: float, name: str, schema: Mapping[str, Any] | None, chinese: bool) -> str:
    if is_fraction(schema) and not isinstance(value, bool):
        return format_percent(float(value))
    if is_percent(schema):
        return format_number(value, name) + "%"
    unit = unit_of(schema)
    if unit in _CURRENCY_UNITS:
        return f"{value:,.2f}" if math.isfinite(value) else str(value)
    text = format_number(value, name)
    if not unit or unit in _FRACTION_UNITS:
        return text
    if chinese and unit in _CHINESE_UNITS:
        return text + " " + _CHINESE_UNITS[unit]
    return f"{text} {str((schema or {}).get('x-unit')).strip()}"  # as written: MW, not mw


def format_value(
    name: str, value: Any, schema: Mapping[str, Any] | None = None, *, chinese: bool = False
) -> str:
    """Any JSON value of field `name` as readable text, guided by its JSON schema.

    Args:
        name: The field's name (only identifiers and years are told apart by it).
        value: The value.
        schema: The field's JSON schema, if known (``x-unit``, description, items).
        chinese: Write words (yes/no, time units) in Chinese.
    """
    if isinstance(value, bool):
        if chinese:
            return "是" if value else "否"
        return "yes" if value else "no"
    if value is None:
        return "无" if chinese else "none"
    if isinstance(value, int | float):
        return _with_unit(value, name, schema, chinese)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = (schema or {}).get("items")
        item_schema = items if isinstance(items, dict) else schema
        if all(isinstance(item, int | float | str) for item in value):
            shown = [
                format_value(name, item, item_schema or schema, chinese=chinese)
                for item in value[:_MAX_LIST]
            ]
            more = f" (+{len(value) - _MAX_LIST})" if len(value) > _MAX_LIST else ""
            return " / ".join(shown) + more
        return f"{len(value)} 项" if chinese else f"{len(value)} items"
    if isinstance(value, dict):
        properties = (schema or {}).get("properties") or {}
        return ", ".join(
            f"{key} {format_value(str(key), item, properties.get(key), chinese=chinese)}"
            for key, item in value.items()
            if not is_empty(item)
        )
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def is_empty(value: Any) -> bool:
    """None, an empty string or an empty collection: nothing worth showing."""
    return value is None or (isinstance(value, str | list | dict) and not value)
