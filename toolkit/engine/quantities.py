"""Find numbers with their units and magnitudes in English or Chinese text.

"200,000", "200k", "$1.5m", "two hundred thousand", "20万", "二十万", "6%", "百分之六",
"30 years", "30年", "45 bps", "150 MW", "12 kV"... become `Quantity` values with a canonical
unit; `convert` maps a quantity onto a JSON-schema property's unit (`x-unit`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from toolkit.engine.units import UNIT_WORDS, canonical_word, convert_unit

__all__ = ["MEASURE_WORDS", "Quantity", "convert", "find_quantities", "normalize_text"]

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
# Chinese measure words (量词) between a count and what it counts: 两台车, 十位客人, 三间房.
# Left out: 批/些 (一批车 is a batch, not one car), 次 and 部 (一次性, 一部分 are words).
MEASURE_WORDS = "个位名台辆件只条张座套头架艘棵本把根支颗间箱瓶盒袋家份"
_ZH_UNIT_CHARS = "年月天日周岁%万亿" + MEASURE_WORDS
_ZH_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")

# Magnitude words directly after a number. "m" is ambiguous (million or metre): see convert().
# "mm" is a million only after a currency sign ("$5mm"); otherwise it is millimetres.
_MAGNITUDES = {
    "k": 1e3, "thousand": 1e3, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7,
    "亿": 1e8,
}  # fmt: skip
_CURRENCY_PREFIX = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|cny|rmb|jpy)\s?)$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
_UNIT_ALTERNATIVES = "|".join(
    re.escape(k) for k in sorted(UNIT_WORDS, key=len, reverse=True) if k not in "$€£¥"
)
_SUFFIX = re.compile(
    r"\s?(?P<mag>(?:"
    + "|".join(re.escape(k) for k in sorted(_MAGNITUDES, key=len, reverse=True))
    + r")(?![a-z]))?\s?(?P<unit>[$€£¥]|"
    + _UNIT_ALTERNATIVES
    + r")?(?![a-z²³])",
    re.IGNORECASE,
)
_PER = re.compile(
    r"\s*(?:/|\bper\s+|每|(?<=\s)an?\s+(?=(?:hour|day|night|week|month|year|kg)\b))\s*"
    r"(?:(?:a|an|one)\s+)?(?P<den>" + _UNIT_ALTERNATIVES + r"|[a-z]+)(?![a-z0-9²³])",
    re.IGNORECASE,
)
# Between the two ends of a range: "50-200", "50 - 200", "50 to 200", "50~200", "50至200".
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|～|to|至|到)\s*$", re.IGNORECASE)  # noqa: RUF001
_BETWEEN = re.compile(r"(?:between|from)\s+$", re.IGNORECASE)
_AND = re.compile(r"\s*(?:and|&)\s*$", re.IGNORECASE)
# A count of something per period is not a unit ("8,000 a month" is money each month).
_NOT_COMPOUNDED = frozenset(["percent", "bps"])


@dataclass(frozen=True)
class Quantity:
    """A number found in text, with its canonical unit (or None) and position.

    `role` is ``"low"`` or ``"high"`` for the two ends of a range ("50-200 MW"); the low
    end takes the unit written after the high one.
    """

    value: float
    unit: str | None
    start: int
    end: int
    ambiguous_m: bool = False
    role: str | None = None


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
        # ...except before a unit or a measure word: 十年 is ten years, 十台 ten machines.
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


def _plausible_unit(text: str, start: int, unit_word: str) -> bool:
    # One-letter units ("5y", "400A", "12V") must be attached, and "a"/"c"/"v" upper-case,
    # or every "8,000 a month" would read as amperes.
    if len(unit_word) > 1 or not unit_word.isascii():
        return True
    attached = not text[start - 1].isspace()
    if unit_word.lower() in ("a", "c", "v"):
        return unit_word.isupper() and (attached or unit_word != "C")
    if unit_word == "t":  # "2.5 t over 310 km": a lone t after a number is tonnes
        following = text[start + 1 : start + 2]
        return attached or not following.isalnum()
    return attached


def _per_unit(text: str, end: int, unit: str) -> tuple[str, int]:
    """A compound unit after `unit`: "$20/MWh", "5 mg per kg", "0.5元/千瓦时"."""
    if unit in _NOT_COMPOUNDED:
        return unit, end
    per = _PER.match(text, end)
    if per is None:
        return unit, end
    word = per.group("den")
    den = canonical_word(word)
    if den is None:
        den = word.lower()
        if len(den) > 3 and den.endswith("s") and not den.endswith("ss"):
            den = den[:-1]
    if den in ("percent", "bps", "currency"):
        return unit, end
    compound = unit + "/" + den
    if compound in ("m/seconds", "km/hours"):
        compound = "m/s" if unit == "m" else "km/h"
    return compound, per.end()


_PER_BEFORE = re.compile(
    r"每(?P<den>"
    + "|".join(re.escape(k) for k in sorted(UNIT_WORDS, key=len, reverse=True) if not k.isascii())
    + r")[\u3400-\u9fff]{0,6}\s*$"
)


def _per_before(text: str, start: int, unit: str) -> str:
    """Chinese puts the period first: 每天6毫米 is 6 mm/day, 每公斤10毫克 is 10 mg/kg."""
    if "/" in unit or unit in _NOT_COMPOUNDED:
        return unit
    match = _PER_BEFORE.search(text[max(0, start - 12) : start])
    if match is None:
        return unit
    den = canonical_word(match.group("den"))
    return unit if den is None or den == unit else f"{unit}/{den}"


def find_quantities(text: str) -> list[Quantity]:
    """Numbers in already normalized text, in order of appearance.

    Args:
        text: output of `normalize_text`.

    Returns:
        One `Quantity` per number, with magnitudes applied, the unit canonicalized
        (compounds such as ``currency/MWh`` included) and the ends of ranges marked.
    """
    found: list[Quantity] = []
    for match in _NUMBER.finditer(text):
        value = float(match.group(0).replace(",", ""))
        end = match.end()
        suffix = _SUFFIX.match(text, end)
        unit: str | None = None
        ambiguous = False
        prefixed = bool(_CURRENCY_PREFIX.search(text[max(0, match.start() - 5) : match.start()]))
        if suffix is not None:
            magnitude = suffix.group("mag")
            unit_word = suffix.group("unit")
            if magnitude:
                value *= _MAGNITUDES[magnitude.lower()]
            if unit_word and not _plausible_unit(text, suffix.start("unit"), unit_word):
                unit_word = None
            if unit_word:
                unit = canonical_word(unit_word)
                if unit == "mm" and prefixed and not magnitude:
                    value *= 1e6  # "$5mm": finance shorthand for millions
                    unit = "currency"
            if magnitude or unit_word:
                end = suffix.end()
                while end > match.end() and text[end - 1].isspace():
                    end -= 1
        if (
            unit is None
            and not ambiguous
            and text[end : end + 1] == "m"
            and not (text[end + 1 : end + 2].isalpha())
            and text[end + 1 : end + 2] != "/"
        ):
            ambiguous = True
            end += 1
        if unit is None and prefixed:
            unit = "currency"
        if unit is not None and not ambiguous:
            unit, end = _per_unit(text, end, unit)
            unit = _per_before(text, match.start(), unit)
        if ambiguous:
            value *= 1e6
        found.append(Quantity(value, unit, match.start(), end, ambiguous))
    return _mark_ranges(text, found)


def _mark_ranges(text: str, found: list[Quantity]) -> list[Quantity]:
    """Mark "50-200 MW", "between 50 and 200 MW", "50至200兆瓦" as low/high pairs."""
    marked = list(found)
    index = 0
    while index + 1 < len(marked):
        low, high = marked[index], marked[index + 1]
        between = text[low.end : high.start]
        joined = bool(_RANGE_JOIN.fullmatch(between)) or (
            bool(_AND.fullmatch(between))
            and bool(_BETWEEN.search(text[max(0, low.start - 9) : low.start]))
        )
        if not joined or low.role is not None or (low.value > high.value and low.unit is None):
            index += 1
            continue
        if between.strip() == "-" and low.unit is not None and high.unit is None:
            index += 1  # "5 years -3" is not a range
            continue
        unit = low.unit or high.unit
        if low.unit is not None and high.unit is not None and low.unit != high.unit:
            index += 1
            continue
        marked[index] = replace(low, unit=unit, role="low")
        marked[index + 1] = replace(high, unit=unit, role="high")
        index += 2
    return marked


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
        The converted value, or None. A bare number fits any unit; a money amount per
        period ("$9,000 a month") fits a money property; a price per unit of something
        ("$20/MWh") never fits a power, nor a power a price.
    """
    unit = quantity.unit
    value = quantity.value
    if quantity.ambiguous_m and target is not None and target not in ("currency", "fraction"):
        metres = convert_unit(value / 1e6, "m", target)
        if metres is not None:
            return metres
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
    if target is None or target == "currency":
        money = unit is None or unit == "currency" or unit.startswith("currency/")
        return value if money else None
    if unit is None:
        return value
    if unit in ("percent", "bps"):
        return None
    return convert_unit(value, unit, target)
