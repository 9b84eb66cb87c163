"""Units of measure as general language knowledge: SI, common imperial, currency, time.

A unit is a canonical string: a simple unit (``MW``, ``kg``, ``hours``, ``currency``) or a
compound of simple units and words joined by ``/`` (``currency/MWh``, ``mg/kg``,
``mm/days``, ``currency/night``). `parse_unit` reads a unit expression as a schema writes it
(``x-unit: "$/MWh"``, "cost in $/MWh", "Body weight (kg)"); `convert_unit` maps a value
between compatible units. Nothing here is specific to an industry.
"""

from __future__ import annotations

import re

__all__ = [
    "SHORT_UNIT_WORDS",
    "UNIT_WORDS",
    "canonical_word",
    "convert_unit",
    "dimension",
    "parse_unit",
]

# Spelling -> canonical unit. Keys are matched case-insensitively except the one-letter
# ones, which `quantities` admits only attached and in their usual case.
UNIT_WORDS: dict[str, str] = {
    "%": "percent", "percent": "percent", "per cent": "percent", "pct": "percent",
    "percentage points": "percent", "bps": "bps", "bp": "bps", "basis points": "bps",
    "basis point": "bps",
    "years": "years", "year": "years", "yrs": "years", "yr": "years", "y": "years",
    "年": "years", "months": "months", "month": "months", "mos": "months", "mo": "months",
    "个月": "months", "月": "months", "weeks": "weeks", "week": "weeks", "周": "weeks",
    "days": "days", "day": "days", "d": "days", "天": "days", "日": "days", "nights": "nights",
    "night": "nights", "晚": "nights", "hours": "hours", "hour": "hours", "hrs": "hours",
    "hr": "hours", "h": "hours", "小时": "hours", "minutes": "minutes", "minute": "minutes",
    "mins": "minutes", "min": "minutes", "分钟": "minutes", "seconds": "seconds",
    "second": "seconds", "secs": "seconds", "sec": "seconds", "s": "seconds", "秒": "seconds",
    "ms": "milliseconds", "milliseconds": "milliseconds", "毫秒": "milliseconds",
    "gw": "GW", "mw": "MW", "kw": "kW", "w": "W", "watts": "W", "watt": "W",
    "兆瓦": "MW", "千瓦": "kW", "瓦": "W", "gwh": "GWh", "mwh": "MWh", "kwh": "kWh",
    "wh": "Wh", "兆瓦时": "MWh", "千瓦时": "kWh", "mva": "MVA", "kva": "kVA", "va": "VA",
    "兆伏安": "MVA", "千伏安": "kVA", "kv": "kV", "千伏": "kV", "v": "V", "volts": "V",
    "volt": "V", "伏": "V", "ka": "kA", "a": "A", "amps": "A", "amp": "A", "amperes": "A",
    "ampere": "A", "安培": "A", "安": "A",
    "ghz": "GHz", "mhz": "MHz", "khz": "kHz", "hz": "Hz", "吉赫": "GHz", "兆赫": "MHz",
    "千赫": "kHz", "赫兹": "Hz", "dbm": "dBm", "dbi": "dBi", "db": "dB", "分贝": "dB",
    "ppm": "ppm", "ppb": "ppb", "μl/l": "ppm", "µl/l": "ppm",
    "mg": "mg", "milligrams": "mg", "milligram": "mg", "毫克": "mg", "g": "g", "grams": "g",
    "gram": "g", "克": "g", "kg": "kg", "kilograms": "kg", "kilogram": "kg", "kilos": "kg",
    "公斤": "kg", "千克": "kg", "t": "t", "tonnes": "t", "tonne": "t", "tons": "t",
    "ton": "t", "吨": "t", "lb": "lb", "lbs": "lb", "pounds": "lb",
    "mm": "mm", "millimetres": "mm", "millimeters": "mm", "毫米": "mm", "cm": "cm",
    "厘米": "cm", "km": "km", "kilometres": "km", "kilometers": "km", "公里": "km",
    "千米": "km", "meters": "m", "metres": "m", "meter": "m", "metre": "m", "米": "m",
    "miles": "mi", "mile": "mi", "mi": "mi", "ft": "ft", "feet": "ft", "foot": "ft",
    "m2": "m2", "m²": "m2", "sq m": "m2", "square metres": "m2", "square meters": "m2",
    "平方米": "m2", "ha": "ha", "hectares": "ha", "hectare": "ha", "公顷": "ha",
    "acres": "acre", "acre": "acre", "亩": "mu", "km2": "km2", "km²": "km2",
    "sq ft": "ft2", "ft2": "ft2", "ft²": "ft2", "square feet": "ft2",
    "m3": "m3", "m³": "m3", "cubic metres": "m3", "cubic meters": "m3", "cbm": "m3",
    "立方米": "m3", "方": "m3", "l": "L", "litres": "L", "liters": "L", "litre": "L",
    "liter": "L", "升": "L", "ml": "mL", "毫升": "mL", "gallons": "gal", "gal": "gal",
    "m/s": "m/s", "km/h": "km/h", "kph": "km/h", "kmh": "km/h", "mph": "mph",
    "knots": "knots", "kn": "knots", "米/秒": "m/s", "公里/小时": "km/h",
    "pa": "Pa", "kpa": "kPa", "mpa": "MPa", "bar": "bar", "psi": "psi", "帕": "Pa",
    "千帕": "kPa", "兆帕": "MPa",
    "btu": "BTU", "btus": "BTU", "kj": "kJ", "mj": "MJ", "j": "J", "joules": "J",
    "°c": "celsius", "℃": "celsius", "c": "celsius", "celsius": "celsius",
    "degrees c": "celsius", "deg c": "celsius", "degrees celsius": "celsius",
    "摄氏度": "celsius", "度": "celsius", "°f": "fahrenheit", "℉": "fahrenheit",
    "fahrenheit": "fahrenheit", "degrees f": "fahrenheit", "deg f": "fahrenheit",
    "degrees fahrenheit": "fahrenheit", "华氏度": "fahrenheit", "kelvin": "kelvin",
    "开尔文": "kelvin", "degrees": "celsius",
    "$": "currency", "€": "currency", "£": "currency", "¥": "currency",
    "dollars": "currency", "dollar": "currency", "usd": "currency", "eur": "currency",
    "euros": "currency", "euro": "currency", "gbp": "currency", "cny": "currency",
    "rmb": "currency", "yuan": "currency", "jpy": "currency", "yen": "currency",
    "元": "currency", "美元": "currency", "欧元": "currency", "块": "currency",
    "currency": "currency", "money": "currency",
    "megawatts": "MW", "kilowatts": "kW", "gigawatts": "GW", "kilovolts": "kV",
    "megawatt hours": "MWh", "kilowatt hours": "kWh", "hertz": "Hz", "gigahertz": "GHz",
    "megahertz": "MHz", "decibels": "dB", "square kilometres": "km2", "kelvins": "kelvin",
}  # fmt: skip
# Spellings that are also ordinary words or letters: a unit only where a unit is expected
# (attached to a number, in parentheses, after "in", as a name's suffix).
SHORT_UNIT_WORDS = frozenset(
    ["a", "c", "d", "g", "h", "j", "l", "m", "s", "t", "v", "w", "y", "in", "mi", "mo", "min",
     "degrees", "day", "month", "year", "week", "hour", "second", "minute", "方", "安", "度",
     "日", "月", "年", "周", "天", "米", "克", "帕", "晚", "money", "currency", "night", "nights",
     "bar", "pounds", "kn", "ms"]
)  # fmt: skip

_TIME = {
    "milliseconds": 1e-3, "seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0,
    "nights": 86400.0, "weeks": 604800.0, "months": 2629800.0, "years": 31557600.0,
}  # fmt: skip
# Months and years convert by the calendar (30 years are 360 months), not by seconds.
_CALENDAR = {("years", "months"): 12.0, ("months", "years"): 1 / 12, ("years", "days"): 365.0}
_SCALES: dict[str, tuple[str, float]] = {
    **{unit: ("time", factor) for unit, factor in _TIME.items()},
    "W": ("power", 1.0), "kW": ("power", 1e3), "MW": ("power", 1e6), "GW": ("power", 1e9),
    "VA": ("apparent", 1.0), "kVA": ("apparent", 1e3), "MVA": ("apparent", 1e6),
    "Wh": ("energy", 3600.0), "kWh": ("energy", 3.6e6), "MWh": ("energy", 3.6e9),
    "GWh": ("energy", 3.6e12), "J": ("energy", 1.0), "kJ": ("energy", 1e3),
    "MJ": ("energy", 1e6), "BTU": ("energy", 1055.05585262),
    "V": ("voltage", 1.0), "kV": ("voltage", 1e3), "A": ("current", 1.0),
    "kA": ("current", 1e3), "Hz": ("frequency", 1.0), "kHz": ("frequency", 1e3),
    "MHz": ("frequency", 1e6), "GHz": ("frequency", 1e9), "dB": ("gain", 1.0),
    "dBi": ("gain", 1.0), "dBm": ("level", 1.0), "ppm": ("fraction-ppm", 1.0),
    "ppb": ("fraction-ppm", 1e-3), "mg": ("mass", 1e-6), "g": ("mass", 1e-3),
    "kg": ("mass", 1.0), "t": ("mass", 1e3), "lb": ("mass", 0.45359237),
    "mm": ("length", 1e-3), "cm": ("length", 1e-2), "m": ("length", 1.0),
    "km": ("length", 1e3), "mi": ("length", 1609.344), "ft": ("length", 0.3048),
    "m2": ("area", 1.0), "ha": ("area", 1e4), "km2": ("area", 1e6),
    "acre": ("area", 4046.8564224), "mu": ("area", 10_000 / 15), "ft2": ("area", 0.09290304),
    "m3": ("volume", 1.0), "L": ("volume", 1e-3), "mL": ("volume", 1e-6),
    "gal": ("volume", 0.003785411784), "m/s": ("speed", 1.0), "km/h": ("speed", 1 / 3.6),
    "mph": ("speed", 0.44704), "knots": ("speed", 1852 / 3600), "Pa": ("pressure", 1.0),
    "kPa": ("pressure", 1e3), "MPa": ("pressure", 1e6), "bar": ("pressure", 1e5),
    "psi": ("pressure", 6894.757293),
    "currency": ("currency", 1.0),
}  # fmt: skip
_SIMPLE_SPEEDS = frozenset(["m/s", "km/h"])
_TOKEN = re.compile(
    r"(?:"
    + "|".join(re.escape(k) for k in sorted(UNIT_WORDS, key=len, reverse=True))
    + r")(?![a-z0-9²³])",
    re.IGNORECASE,
)
_PER = re.compile(r"\s*(?:/|\bper\s+|每)\s*(?:(?:a|an|one)\s+)?", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+|[\u3400-\u9fff]{1,3}", re.IGNORECASE)


def canonical_word(word: str) -> str | None:
    """The canonical unit a spelling names (``"Megawatts"`` is not one; ``"MW"`` is)."""
    return UNIT_WORDS.get(word.lower(), UNIT_WORDS.get(word))


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def parse_unit(expression: str) -> str | None:
    """A unit expression as a schema or a person writes it, canonicalized.

    ``"MW"`` -> ``MW``; ``"$/MWh"``, ``"currency/MWh"``, ``"dollars per MWh"`` ->
    ``currency/MWh``; ``"mg/kg"``; ``"mm/day"`` -> ``mm/days``; ``"fraction"`` stays;
    a denominator alone (``"per night"``) is None: it needs a numerator.
    """
    text = expression.strip()
    if text.lower() in ("fraction", "ratio", "decimal"):
        return "fraction"
    first = _TOKEN.match(text)
    if first is None:
        return None
    parts = [UNIT_WORDS[first.group(0).lower()] if first.group(0).lower() in UNIT_WORDS
             else UNIT_WORDS[first.group(0)]]  # fmt: skip
    rest = text[first.end() :]
    while True:
        per = _PER.match(rest)
        if per is None:
            break
        tail = rest[per.end() :]
        token = _TOKEN.match(tail)
        if token is not None:
            parts.append(canonical_word(token.group(0)) or token.group(0))
            rest = tail[token.end() :]
            continue
        word = _WORD.match(tail)
        if word is None:
            break
        parts.append(_singular(word.group(0)))
        rest = tail[word.end() :]
    if parts[0] in _SIMPLE_SPEEDS or len(parts) == 1:
        return parts[0]
    if parts[0] + "/" + parts[1] in _SIMPLE_SPEEDS:
        return "/".join([parts[0] + "/" + parts[1], *parts[2:]])
    return "/".join(parts)


def dimension(unit: str) -> str | None:
    """What a simple unit measures (``MW`` -> ``power``), or None for words and compounds."""
    scale = _SCALES.get(unit)
    return scale[0] if scale else None


def _split(unit: str) -> list[str]:
    for speed in _SIMPLE_SPEEDS:
        if unit == speed or unit.startswith(speed + "/"):
            return [speed, *unit[len(speed) + 1 :].split("/")[1:]] if unit != speed else [speed]
    return unit.split("/")


def _simple_factor(source: str, target: str) -> float | None:
    if source == target:
        return 1.0
    calendar = _CALENDAR.get((source, target))
    if calendar is not None:
        return calendar
    a, b = _SCALES.get(source), _SCALES.get(target)
    if a is None or b is None or a[0] != b[0]:
        # A word denominator matches itself only ("per night" vs "per room").
        if _singular(source) == _singular(target):
            return 1.0
        return None
    return a[1] / b[1]


def convert_unit(value: float, source: str, target: str) -> float | None:
    """`value` in `source` units expressed in `target` units, or None when incompatible.

    Temperatures convert between Celsius, Fahrenheit and kelvin; compounds convert part by
    part (``currency/kWh`` -> ``currency/MWh`` multiplies by 1,000); percent and fraction
    are left to the caller (they depend on the property's bounds).
    """
    if source == target:
        return value
    temperatures = {"celsius", "fahrenheit", "kelvin"}
    if source in temperatures and target in temperatures:
        celsius = {
            "celsius": value,
            "fahrenheit": (value - 32) * 5 / 9,
            "kelvin": value - 273.15,
        }[source]
        return {
            "celsius": celsius,
            "fahrenheit": celsius * 9 / 5 + 32,
            "kelvin": celsius + 273.15,
        }[target]
    left, right = _split(source), _split(target)
    if len(left) != len(right):
        return None
    factor = _simple_factor(left[0], right[0])
    if factor is None:
        return None
    for a, b in zip(left[1:], right[1:], strict=True):
        part = _simple_factor(a, b)
        if part is None:
            return None
        factor /= part
    return value * factor
