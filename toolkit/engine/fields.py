"""What a property's JSON schema says about the value it wants, read like a model reads it.

Its unit (``x-unit``, a unit in its name such as ``load_mw``, or a unit in its description:
"cost in $/MWh", "Body weight (kg)"), whether it is one end of a range (``pmin``/``pmax``,
``low``/``high``, "Minimum ..."/"Maximum ..."), its Chinese labels (温度 in "Temperature
(温度)"), and whether it counts events per period ("visits_per_year", "times a day").
"""

from __future__ import annotations

import re
from typing import Any

from toolkit.engine.similarity import terms
from toolkit.engine.units import SHORT_UNIT_WORDS, canonical_word, parse_unit

__all__ = [
    "PRICE_WORDS",
    "chinese_labels",
    "frequency_period",
    "property_terms",
    "property_unit",
    "range_pairs",
    "schema_type",
]

_TIME_WORDS = {
    "month": "months", "year": "years", "day": "days", "hour": "hours", "minute": "minutes",
    "second": "seconds", "week": "weeks", "night": "nights", "percent": "percent",
    "pct": "percent",
}  # fmt: skip
_LEADING_UNIT = re.compile(
    r"\s*(?:the\s+)?(?:(?:number|count)\s+of\s+)?"
    r"(month|year|day|hour|minute|second|week)s?\b(?!\s*(?:of|when|at)\b)",
    re.IGNORECASE,
)
# Where a description states a unit: "in MW", "(kg)", "[$/MWh]", "..., ppm.", "unit: kV".
_DESCRIBED_UNIT = re.compile(
    r"(?:\bin\s+|\(|\[|\bunits?:?\s+|\bexpressed\s+as\s+|,\s*|—\s*)"
    r"(?P<unit>[$€£¥%°℃A-Za-z\u3400-\u9fff][^\s,;()\[\]]*(?:\s+per\s+[A-Za-z]+)?)",
)
# Words saying a number is money (general commerce, not any one industry).
PRICE_WORDS = frozenset(
    ["price", "cost", "fee", "tariff", "charge", "revenue", "spend", "rent", "价格", "成本",
     "费用", "单价", "报价"]
)  # fmt: skip
_FREQUENCY_NAME = re.compile(
    r"(?:per[\s_]+|a\s+|每)(year|annum|month|quarter|week|day|年|月|季|周|天|日)"
    r"|\b(?:times|frequency|periods|频率|次数)\b",
    re.IGNORECASE,
)
_PERIODS = {
    "year": "years", "annum": "years", "年": "years", "month": "months", "月": "months",
    "quarter": "quarters", "季": "quarters", "week": "weeks", "周": "weeks", "day": "days",
    "天": "days", "日": "days",
}  # fmt: skip
_RANGE_WORDS = (
    ("min", "max"), ("low", "high"), ("lower", "upper"), ("minimum", "maximum"),
    ("floor", "ceiling"), ("start", "end"), ("from", "to"), ("lo", "hi"),
)  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff]{2,}")
_RANGE_HEAD = re.compile(r"[(,;:.\uff08\uff0c]")


def schema_type(schema: dict[str, Any]) -> str:
    """The JSON type a property wants (first non-null type; enums are strings)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if isinstance(kind, str):
        return kind
    if "enum" in schema:
        return "string"
    return "object" if "properties" in schema else "string"


def property_terms(name: str, schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(terms of the name, other terms of the description and title)."""
    name_terms = set(terms(name))
    described = set(terms(str(schema.get("description", "")) + " " + str(schema.get("title", ""))))
    return name_terms, described - name_terms


def _name_unit(name: str, schema: dict[str, Any]) -> str | None:
    words = [w.lower() for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if w]
    before, after = (
        (words, [])
        if "per" not in words
        else (words[: words.index("per")], words[words.index("per") + 1 :])
    )
    numerator: str | None = None
    position = len(before)
    for index, word in enumerate(before):
        unit = canonical_word(word)
        last = index == len(before) - 1
        if unit is None or (word in SHORT_UNIT_WORDS and not (last and word in "cfhsm")):
            continue
        if index == 0 and len(before) > 1 and unit in ("A", "m", "t"):
            continue
        numerator, position = unit, index
        break
    if not after:
        # "et0_mm_day", "n_rate_kg_ha": a unit right after the numerator divides it.
        after = before[position + 1 : position + 2] if numerator is not None else []
    den = canonical_word(after[0]) if after else None
    if numerator is not None:
        return f"{numerator}/{den}" if den is not None and numerator != "percent" else numerator
    if den is not None:
        described = set(words) | set(terms(str(schema.get("description", ""))))
        if described & PRICE_WORDS:
            return f"currency/{den}"
    for word in before:
        # "num_weeks" counts weeks; "monthly_fee" is money paid each month.
        single = word[:-1] if word.endswith("s") else word
        if single in _TIME_WORDS:
            return _TIME_WORDS[single]
    return None


def property_unit(name: str, schema: dict[str, Any]) -> str | None:
    """The unit a numeric property wants, or None for a plain number.

    Read from ``x-unit`` when present, else from the name (``load_mw``, ``weight_kg``,
    ``num_weeks``), else from the description ("in MW", "(kg)", "$/MWh", or a description
    that opens with a time unit: "Days past due."). A time word later in a description
    ("rate per year") is not a unit.
    """
    declared = schema.get("x-unit")
    if isinstance(declared, str):
        return parse_unit(declared) or declared
    from_name = _name_unit(name, schema)
    if from_name is not None:
        return from_name
    description = str(schema.get("description", ""))
    for match in _DESCRIBED_UNIT.finditer(description):
        candidate = match.group("unit").rstrip(".:")
        unit = parse_unit(candidate)
        if unit is None or unit == "fraction":
            continue
        token = candidate.split("/")[0].split()[0].lower()
        opened = match.group(0)[:1] in "([" or match.group(0).startswith("in")
        if token in SHORT_UNIT_WORDS and not opened:
            continue
        if "/" not in unit and unit in ("years", "months", "weeks", "days") and not opened:
            continue
        return unit
    leading = _LEADING_UNIT.match(description)
    return _TIME_WORDS[leading.group(1).lower()] if leading else None


def range_pairs(properties: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Numeric properties that are the two ends of one range: name -> ``low``/``high``.

    ``pmin``/``pmax``, ``temp_low``/``temp_high``, ``lower``/``upper``, or two properties
    whose descriptions differ only in "Minimum"/"Maximum" (or "Lowest"/"Highest").
    """
    roles: dict[str, str] = {}
    names = list(properties)
    for low_word, high_word in _RANGE_WORDS:
        for name in names:
            lowered = name.lower()
            if low_word not in lowered:
                continue
            for other in names:
                if other != name and other.lower() == lowered.replace(low_word, high_word, 1):
                    roles.setdefault(name, "low")
                    roles.setdefault(other, "high")
    described = {
        name: str(prop.get("description", "")).lower()
        for name, prop in properties.items()
        if name not in roles
    }
    for name, text in described.items():
        for low_word, high_word in (
            ("minimum", "maximum"),
            ("lowest", "highest"),
            ("最小", "最大"),
        ):
            if low_word in text:
                twin = text.replace(low_word, high_word, 1)
                for other, other_text in described.items():
                    if other != name and other_text == twin:
                        roles.setdefault(name, "low")
                        roles.setdefault(other, "high")
    # "Lower specification limit (...)" and "Upper specification limit (...)": the same
    # leading phrase but for the bound's word is one range, whatever the asides say.
    heads = {
        name: _RANGE_HEAD.split(text, maxsplit=1)[0].strip() for name, text in described.items()
    }
    for name, head in heads.items():
        for low_word, high_word in (
            ("lower", "upper"),
            ("minimum", "maximum"),
            ("lowest", "highest"),
        ):
            if not re.match(low_word + r"\b", head):
                continue
            twin = high_word + head[len(low_word) :]
            for other, other_head in heads.items():
                if other != name and other_head == twin and len(head.split()) >= 2:
                    roles.setdefault(name, "low")
                    roles.setdefault(other, "high")
    return roles


def chinese_labels(name: str, schema: dict[str, Any]) -> list[str]:
    """The Chinese words naming a property in its name, title or description."""
    text = " ".join(str(schema.get(key, "")) for key in ("title", "description")) + " " + name
    found: list[str] = []
    for match in _CJK.finditer(text):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found


def frequency_period(name: str, schema: dict[str, Any]) -> str | None:
    """The period of a count-per-period property (``visits_per_year`` -> ``years``)."""
    if schema_type(schema) != "integer":
        return None
    text = name.replace("_", " ") + " " + str(schema.get("description", ""))
    match = _FREQUENCY_NAME.search(text)
    if match is None:
        return None
    if match.group(1):
        return _PERIODS[match.group(1).lower()]
    lowered = text.lower()
    for word, period in _PERIODS.items():
        if re.search(r"(?:per|a|每)\s*" + word, lowered):
            return period
    return "years" if "year" in lowered or "annual" in lowered else None
