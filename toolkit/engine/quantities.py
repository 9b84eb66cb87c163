"""Find numbers with their units and magnitudes in English or Chinese text.

"200,000", "200k", "$1.5m", "two hundred thousand", "20万", "二十万", "6%", "百分之六",
"30 years", "30年", "45 bps", "150 MW", "12 kV"... become `Quantity` values with a canonical
unit; `convert` maps a quantity onto a JSON-schema property's unit (`x-unit`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Quantity", "convert", "find_quantities", "normalize_text"]

_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9}
_EN_WORD = re.compile(
    r"\b(?:(?:a|an)\s+(?=hundred|thousand|million|billion))?"
    r"(?:(?:" + "|".join(sorted([*_EN_SMALL, *_EN_SCALE], key=len, reverse=True)) + r")"
    r"(?![a-z])(?:[\s-]+(?:and\s+)?)?)+",
    re.IGNORECASE,
)
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,  # noqa: RUF001
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_ZH_UNIT_CHARS = "年月天日个周岁%万亿"
_ZH_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")

# Magnitude words directly after a number. "m" is ambiguous (million or metre): see convert().
_MAGNITUDES = {
    "k": 1e3, "thousand": 1e3, "mn": 1e6, "mm": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7,
    "亿": 1e8,
}  # fmt: skip
_UNITS = {
    "%": "percent", "percent": "percent", "per cent": "percent", "pct": "percent",
    "bps": "bps", "bp": "bps", "basis points": "bps", "basis point": "bps",
    "years": "years", "year": "years", "yrs": "years", "yr": "years", "y": "years",
    "年": "years", "months": "months", "month": "months", "mos": "months", "mo": "months",
    "个月": "months", "月": "months", "weeks": "weeks", "week": "weeks", "周": "weeks",
    "days": "days", "day": "days", "d": "days", "天": "days", "日": "days",
    "hours": "hours", "hour": "hours", "hrs": "hours", "hr": "hours", "h": "hours",
    "小时": "hours", "minutes": "minutes", "minute": "minutes", "mins": "minutes",
    "min": "minutes", "分钟": "minutes", "seconds": "seconds", "second": "seconds",
    "secs": "seconds", "sec": "seconds", "s": "seconds", "秒": "seconds",
    "gw": "GW", "mw": "MW", "kw": "kW", "兆瓦": "MW", "千瓦": "kW", "mva": "MVA", "kva": "kVA",
    "kv": "kV", "千伏": "kV", "v": "V", "伏": "V", "a": "A", "amps": "A", "amp": "A",
    "amperes": "A", "安": "A", "ppm": "ppm", "m/s": "m/s", "km/h": "km/h", "kph": "km/h",
    "km": "km", "公里": "km", "meters": "m", "metres": "m", "meter": "m", "metre": "m",
    "米": "m", "°c": "celsius", "℃": "celsius", "c": "celsius", "celsius": "celsius",
    "degrees": "celsius", "度": "celsius", "°f": "fahrenheit", "fahrenheit": "fahrenheit",
    "dollars": "currency", "dollar": "currency", "usd": "currency", "eur": "currency",
    "euros": "currency", "euro": "currency", "gbp": "currency", "pounds": "currency",
    "cny": "currency", "rmb": "currency", "yuan": "currency", "元": "currency",
    "美元": "currency", "欧元": "currency", "块": "currency",
}  # fmt: skip
_CURRENCY_PREFIX = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|cny|rmb|jpy)\s?)$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
_SUFFIX = re.compile(
    r"\s?(?P<mag>(?:"
    + "|".join(re.escape(k) for k in sorted(_MAGNITUDES, key=len, reverse=True))
    + r")(?![a-z]))?\s?(?P<unit>"
    + "|".join(re.escape(k) for k in sorted(_UNITS, key=len, reverse=True))
    + r")?(?![a-z/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its canonical unit (or None) and position."""

    value: float
    unit: str | None
    start: int
    end: int
    ambiguous_m: bool = False


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), number words to digits."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"百分之\s*([零〇一二两三四五六七八九十百千\d.]+)", r"\1%", text)
    text = _ZH_RUN.sub(_zh_replace, text)
    return _EN_WORD.sub(_en_replace, text)


def _zh_replace(match: re.Match[str]) -> str:
    run = match.group(0)
    # A lone 一/十/万 is usually part of a word (一下, 万一); numbers need a digit-like run.
    following = match.string[match.end() : match.end() + 1]
    if len(run) == 1 and run not in "二两三四五六七八九":
        # ...except before a unit: 十年 is ten years.
        return str(_zh_value(run)) if run in "一十" and following in _ZH_UNIT_CHARS else run
    if run[0] in "万亿千百":  # 万一, 千万 (never), 百货: words, not numbers
        return run
    value = _zh_value(run)
    if value is None:
        return run
    return str(value)


def _zh_value(run: str) -> int | None:
    total = 0
    section = 0
    digit: int | None = None
    for char in run:
        if char in _ZH_DIGITS:
            # Plain digit strings such as 二〇二四 read positionally.
            digit = _ZH_DIGITS[char] if digit is None else digit * 10 + _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (digit if digit is not None else 1) * _ZH_UNITS[char]
            digit = None
        elif char in _ZH_BIG:
            section += digit or 0
            total += (section or 1) * _ZH_BIG[char]
            section = 0
            digit = None
        else:  # pragma: no cover - the regex only admits the characters above
            return None
    return total + section + (digit or 0)


def _en_replace(match: re.Match[str]) -> str:
    words = re.findall(r"[a-z]+", match.group(0).lower())
    words = [word for word in words if word not in ("and", "a", "an")]
    if not words or words == ["one"]:
        return match.group(0)
    total = 0
    current = 0
    for word in words:
        if word in _EN_SMALL:
            current += _EN_SMALL[word]
        elif word == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _EN_SCALE[word]
            current = 0
    trailing = " " if match.group(0)[-1:].isspace() else ""
    return f"{total + current}{trailing}"


def _plausible_unit(text: str, suffix: re.Match[str], unit_word: str) -> bool:
    # One-letter units ("5y", "400A", "12V") must be attached, and "a"/"c"/"v" upper-case,
    # or every "8,000 a month" would read as amperes.
    if len(unit_word) > 1 or not unit_word.isascii():
        return True
    attached = not text[suffix.start("unit") - 1].isspace()
    if unit_word.lower() in ("a", "c", "v"):
        return unit_word.isupper() and (attached or unit_word != "C")
    return attached


def find_quantities(text: str) -> list[Quantity]:
    """Numbers in already normalized text, in order of appearance.

    Args:
        text: output of `normalize_text`.

    Returns:
        One `Quantity` per number, with magnitudes applied and the unit canonicalized.
    """
    found: list[Quantity] = []
    for match in _NUMBER.finditer(text):
        value = float(match.group(0).replace(",", ""))
        end = match.end()
        suffix = _SUFFIX.match(text, end)
        unit: str | None = None
        ambiguous = False
        if suffix is not None:
            magnitude = suffix.group("mag")
            unit_word = suffix.group("unit")
            if magnitude:
                value *= _MAGNITUDES[magnitude.lower()]
            if unit_word and not _plausible_unit(text, suffix, unit_word):
                unit_word = None
            if unit_word:
                unit = _UNITS.get(unit_word.lower(), _UNITS.get(unit_word))
            if magnitude or unit_word:
                end = suffix.end()
                while end > match.end() and text[end - 1].isspace():
                    end -= 1
        if (
            unit is None
            and not ambiguous
            and text[end : end + 1] == "m"
            and not (text[end + 1 : end + 2].isalpha())
        ):
            ambiguous = True
            end += 1
        if unit is None and _CURRENCY_PREFIX.search(
            text[max(0, match.start() - 5) : match.start()]
        ):
            unit = "currency"
        if ambiguous:
            value *= 1e6
        found.append(Quantity(value, unit, match.start(), end, ambiguous))
    return found


_TIME_SECONDS = {
    "years": 365.25 * 86400, "months": 365.25 * 86400 / 12, "weeks": 7 * 86400,
    "days": 86400.0, "hours": 3600.0, "minutes": 60.0, "seconds": 1.0,
}  # fmt: skip
_CALENDAR = {("years", "months"): 12.0, ("months", "years"): 1 / 12, ("years", "days"): 365.0}
_LINEAR = {
    ("GW", "MW"): 1e3, ("kW", "MW"): 1e-3, ("kVA", "MVA"): 1e-3, ("V", "kV"): 1e-3,
    ("km", "m"): 1e3, ("km/h", "m/s"): 1 / 3.6,
}  # fmt: skip


def convert(
    quantity: Quantity, target: str | None, *, maximum: float | None = None
) -> float | None:
    """The quantity's value in the `target` unit, or None when they are incompatible.

    Args:
        quantity: a found quantity.
        target: the property's unit (`x-unit` or inferred), or None for a plain number.
        maximum: the property's `maximum`; a percentage for a property capped at 1 is a
            fraction even without an `x-unit`.

    Returns:
        The converted value, or None.
    """
    unit = quantity.unit
    value = quantity.value
    if quantity.ambiguous_m and target == "m":
        return value / 1e6
    if target == "fraction" or (target is None and maximum is not None and maximum <= 1):
        if unit == "percent":
            return value / 100
        if unit == "bps":
            return value / 10_000
        if unit is None:
            return value if (target == "fraction" or abs(value) <= 1) else None
        return None
    if target == "percent":
        if unit == "percent" or unit is None:
            return value
        return value / 100 if unit == "bps" else None
    if target in _TIME_SECONDS:
        if unit is None:
            return value
        if unit not in _TIME_SECONDS:
            return None
        if unit == target:
            return value
        factor = _CALENDAR.get((unit, target))
        if factor is not None:
            return value * factor
        return value * _TIME_SECONDS[unit] / _TIME_SECONDS[target]
    if target == "celsius" and unit == "fahrenheit":
        return (value - 32) * 5 / 9
    if target == "currency":
        return value if unit in (None, "currency") else None
    if target is None:
        return value if unit in (None, "currency") else None
    if unit is None or unit == target:
        return value
    factor = _LINEAR.get((unit, target))
    return value * factor if factor is not None else None
