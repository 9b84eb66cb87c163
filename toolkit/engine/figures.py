"""Present tool-result values readably: thousands separators, cents, percentages.

Generic rules, driven only by the value and the field's name (tool results are plain JSON,
so no output schema is available):

* integers and whole floats get thousands separators (``200,000``), except fields named as
  identifiers or years (``year``, ``id``, ``code``...), which are shown as they are;
* other numbers of magnitude 1 or more get two decimals (``1,199.10``), smaller ones four
  significant digits (``0.09456``);
* a fraction-valued field (value between 0 and 1, and its name's last word is a share word
  such as ``dti``, ``share``, ``probability``, ``efficiency``, or it ends in a share phrase
  such as ``risk_weight``, ``default_rate``, ``scrap_rate``) is shown as a percent with
  three significant digits (``0.2624`` → ``26.2%``); a field named ``*_pct``/``*_percent``
  already holds a percent and gets a ``%`` sign.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = [
    "format_number",
    "format_percent",
    "format_value",
    "is_empty",
    "is_fraction_field",
    "is_percent_field",
]

# Last word of a field name that marks a value in [0, 1] read as a share of a whole.
_FRACTION_WORDS = frozenset(
    [
        "fraction", "share", "proportion", "probability", "utilization", "utilisation",
        "efficiency", "availability", "oee", "dti", "pti", "ltv", "lgd", "pd",
    ]
)  # fmt: skip
# Endings that are shares too. A bare "_rate" is not: flow and failure rates are not shares.
_FRACTION_ENDINGS = (
    "risk_weight", "default_rate", "loss_rate", "interest_rate", "annual_rate", "scrap_rate",
    "defect_rate", "pass_rate", "hit_rate", "yield_rate", "utilization_rate", "_share",
    "_fraction",
)  # fmt: skip
_PERCENT_WORDS = frozenset(["pct", "percent", "percentage"])
# Fields whose integers are labels, not amounts: no thousands separators.
_LABEL_WORDS = frozenset(
    ["year", "id", "code", "no", "number", "zip", "version", "port", "serial", "phone", "pin"]
)
_MAX_LIST = 8


def _words(name: str) -> list[str]:
    return [w for w in name.lower().replace("-", "_").replace(".", "_").split("_") if w]


def is_fraction_field(name: str, value: Any) -> bool:
    """True when `value` of field `name` is a share of a whole best shown as a percent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    words = _words(name)
    if not words or not 0 <= value <= 1:
        return False
    lowered = "_" + "_".join(words)
    return words[-1] in _FRACTION_WORDS or lowered.endswith(_FRACTION_ENDINGS)


def is_percent_field(name: str) -> bool:
    """True when the field's name says its value is already a percent (``loss_pct``)."""
    words = _words(name)
    return bool(words) and words[-1] in _PERCENT_WORDS


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


def format_value(name: str, value: Any) -> str:
    """Any JSON value of field `name` as readable text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        if is_fraction_field(name, value):
            return format_percent(float(value))
        text = format_number(value, name)
        return text + "%" if is_percent_field(name) else text
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        if all(isinstance(item, int | float | str) for item in value):
            shown = [format_value(name, item) for item in value[:_MAX_LIST]]
            more = f" (+{len(value) - _MAX_LIST} more)" if len(value) > _MAX_LIST else ""
            return " / ".join(shown) + more
        return f"{len(value)} items"
    if isinstance(value, dict):
        return ", ".join(
            f"{key}: {format_value(str(key), item)}"
            for key, item in value.items()
            if not is_empty(item)
        )
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def is_empty(value: Any) -> bool:
    """None, an empty string or an empty collection: nothing worth showing."""
    return value is None or (isinstance(value, str | list | dict) and not value)
