"""Match the numbers found in a request to a schema's numeric properties.

Each (property, number) pair is scored by unit compatibility (the property's unit from
`fields.property_unit`), the words next to the number compared with the property's name and
description, a Chinese label next to the number that names the property, the ends of a range
("50-200 MW") against a min/max pair of properties, and order; bounds (`minimum`,
`maximum`) and integer types rule pairs out. The best pairs are taken greedily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.fields import (
    PRICE_WORDS,
    chinese_labels,
    property_terms,
    property_unit,
    range_pairs,
    schema_type,
)
from toolkit.engine.quantities import MEASURE_WORDS, Quantity, convert
from toolkit.engine.similarity import terms
from toolkit.engine.units import dimension

__all__ = ["NumberReading", "NumericProperty", "assign_numbers", "in_bounds", "numeric_value"]

# Words that may sit between a Chinese label and its number: 温度: 20, 压力为120, 湿度 = 5.
_ZH_JOINER = re.compile(r"[\s:=：＝为是约有达]*$")  # noqa: RUF001
_ZH_AFTER = re.compile(r"^[\s的]*")
_PER_AFTER = re.compile(
    r"\s*(?:(?:per|each|every|/|每)(?:\b|\s|$)|an?\s+(?:year|month|week|day|night|hour)\b)",
    re.IGNORECASE,
)
# A property that counts things ("Number of vehicles", "How many units") takes plain numbers.
_COUNT = re.compile(r"\s*(?:the\s+)?(?:(?:number|count)\s+of\b|how\s+many\b)", re.IGNORECASE)
_CJK_TAIL = re.compile(r"[\u3400-\u9fff]+$")
# Words in a Chinese label that ask for a count (几辆车, 多少人, 车辆数, 数量) rather than name it.
_ZH_COUNT_MARKS = ("多少", "数量", "个数", "几", "数")
_ZH_CLAUSE_END = re.compile(r"[,.;!?，。；！？、\n]")  # noqa: RUF001
_CJK_HEAD = re.compile(r"^[\u3400-\u9fff]+")


@dataclass
class NumberReading:
    """What `assign_numbers` read.

    Values by property; those read weakly (a bare number where a unit is expected); those
    read with evidence (a label word, a Chinese label or a matching unit); quantities used.
    """

    values: dict[str, float | int] = field(default_factory=dict)
    weak: list[str] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)
    used: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class NumericProperty:
    """A numeric property to fill: its name, resolved schema and whether it is required."""

    name: str
    schema: dict[str, Any]
    required: bool
    after_only: bool = False  # a count per period: "4 visits a year", not "visit 25,000"


def in_bounds(value: float, schema: dict[str, Any]) -> bool:
    """Whether `value` satisfies the schema's minimum/maximum (exclusive ones too)."""
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            continue
        if (key == "minimum" and value < bound) or (key == "maximum" and value > bound):
            return False
        if (key == "exclusiveMinimum" and value <= bound) or (
            key == "exclusiveMaximum" and value >= bound
        ):
            return False
    return True


def _fit(number: float, schema: dict[str, Any]) -> float | int | None:
    number = round(number, 10)
    if schema_type(schema) == "integer":
        if abs(number - round(number)) > 1e-6:
            return None
        return round(number) if in_bounds(round(number), schema) else None
    return number if in_bounds(number, schema) else None


def numeric_value(quantity: Quantity, name: str, schema: dict[str, Any]) -> float | int | None:
    """The quantity as a value of the property (converted, bounded, integral), or None."""
    maximum = schema.get("maximum", schema.get("exclusiveMaximum"))
    unit = property_unit(name, schema)
    value = convert(quantity, unit, maximum=maximum if isinstance(maximum, int | float) else None)
    if value is None and unit is not None and quantity.unit is not None:
        # "1,000 mg a day" for "Maximum daily intake in mg": the property names the period.
        base, _, period = quantity.unit.partition("/")
        words = set(terms(name + " " + str(schema.get("description", ""))))
        if period and base == unit and _singular(period) in words:
            value = quantity.value
    return None if value is None else _fit(value, schema)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _loose_value(quantity: Quantity, name: str, schema: dict[str, Any]) -> float | int | None:
    """A physical quantity for a property that names no unit: only with a label next to it."""
    if property_unit(name, schema) is not None or quantity.unit is None:
        return None
    if _COUNT.match(str(schema.get("description", ""))):
        return None  # "Number of vehicles": a count is never 60 km/h
    base = quantity.unit.split("/")[0]
    if base in ("percent", "bps") or dimension(base) == "time":
        return None
    return _fit(quantity.value, schema)


def _context_score(
    text: str,
    quantity: Quantity,
    spans: list[tuple[int, int]],
    name: str,
    schema: dict[str, Any],
    *,
    before_counts: bool = True,
) -> float:
    name_terms, description_terms = property_terms(name, schema)
    previous_end = max((end for _, end in spans if end <= quantity.start), default=0)
    next_start = min((start for start, _ in spans if start >= quantity.end), default=len(text))
    between = re.split(r"[,;.!?\n、]", text[previous_end : quantity.start])
    before = terms(between[-1])[-8:]
    if (
        previous_end
        and len(between) == 1
        and len(between[0].split()) >= 2
        and before
        and not between[0][:1].isalnum()
        and (terms(between[0].split()[0]) or len(between[0].split()) > 3)
    ):
        # "18 guests in 25 rooms": the word right after a number is that number's own
        # (with a single word between, "width 9,000 depth 2,000", it labels the next one;
        # so does a short label after a linking word, "4.0 with centre 3.0").
        before = before[1:]
    if not before_counts:
        before = []
    following = re.split(r"[,;.!?\n、]", text[quantity.end : next_start])
    # "119 per night", "900 a month" are rates: the night or month is not what they count.
    after = [] if _PER_AFTER.match(following[0]) else terms(following[0])[:4]
    # The noun right after a number is what it counts ("40 rooms holding 32 guests")
    # unless it sits alone between two numbers ("width 9,000 depth 2,000").
    # ...but only a word that follows it directly: in "income 9,000 with debts of 400" the
    # noun after a linking word ("with", "and", "of") labels the next number, not this one.
    first_word = re.match(r"\s*([^\W\d_]+)", following[0])
    direct = first_word is None or bool(terms(first_word.group(1)))
    own = direct and (
        len(following) > 1 or next_start == len(text) or len(following[0].split()) >= 2
    )
    if (
        not direct
        and len(following) == 1
        and next_start < len(text)
        and len(following[0].split()) <= 3
    ):
        after = []  # "centre 3.0 and sigma 0.4": the sigma labels the next number

    score = 0.0
    # "label 9,000" is the usual order, so words before a number weigh more than after.
    # Chinese labels put the distinguishing word first (现有读数), so decay before is mild.
    weighted = [(1.0 / (1.0 + 0.15 * d), w) for d, w in enumerate(reversed(before))]
    weighted += [
        ((1.2 if own and d == 0 else 0.6) / (1.0 + 0.5 * d), w) for d, w in enumerate(after)
    ]
    seen: set[str] = set()
    for weight, word in weighted:
        if word in seen:
            continue
        seen.add(word)
        if word in name_terms:
            score += 2.0 * weight
        elif word in description_terms:
            score += 1.0 * weight
    return score


def _chinese_owners(
    text: str, quantities: list[Quantity], numeric: list[NumericProperty]
) -> dict[int, int]:
    """Quantity index -> property index, where a Chinese label next to the number names it.

    The label directly before the number (温度 20) counts first, else the one directly after
    it (20 的温度 is rare); the longest label wins, and a label two
    properties share names neither.
    """
    labels = [(index, label) for index, p in enumerate(numeric) for label in
              chinese_labels(p.name, p.schema)]  # fmt: skip
    if not labels:
        return {}
    owners: dict[int, int] = {}
    for q_index, quantity in enumerate(quantities):
        previous_end = quantities[q_index - 1].end if q_index else 0
        before = text[previous_end : quantity.start]
        joiner = _ZH_JOINER.search(before)
        tail = _CJK_TAIL.search(before[: joiner.start()] if joiner else before)
        next_start = quantities[q_index + 1].start if q_index + 1 < len(quantities) else len(text)
        after = text[quantity.end : next_start]
        head = _CJK_HEAD.search(after[_ZH_AFTER.match(after).end() :])  # type: ignore[union-attr]
        for run, at_end in ((tail, True), (head, False)):
            if run is None:
                continue
            word = run.group(0)
            matches = [
                (len(label), index)
                for index, label in labels
                if (word.endswith(label) if at_end else word.startswith(label))
            ]
            if not matches:
                continue
            longest = max(length for length, _ in matches)
            owners_found = {index for length, index in matches if length == longest}
            if len(owners_found) == 1:
                owners[q_index] = owners_found.pop()
            break
        if q_index not in owners:
            counted = _measured_count(after, numeric)
            if counted is not None:
                owners[q_index] = counted
    return owners


def _measured_count(after: str, numeric: list[NumericProperty]) -> int | None:
    """The count property a number with a Chinese measure word counts, if exactly one.

    "3辆同批次的车" counts 车 with the measure word 辆: an integer property whose Chinese
    label asks for a count of it (几辆车, 车辆数) takes the 3. What a label counts is the
    label without its count marks and measure word (车辆数 -> 车); it must follow the
    measure word closely, or after a 的.
    """
    stripped = after.lstrip()
    if not stripped or stripped[0] not in MEASURE_WORDS:
        return None
    measure = stripped[0]
    clause = _ZH_CLAUSE_END.split(stripped[1:], maxsplit=1)[0][:12]
    # The noun counted follows the measure word at once (a two-character modifier at most:
    # 十间客房), or after its modifier's 的 (3辆同批次的车); "1个班计划生产..." counts
    # shifts, not what the clause goes on about.
    heads = [clause, *(clause[i + 1 :] for i, ch in enumerate(clause) if ch == "的")]
    found: set[int] = set()
    for index, prop in enumerate(numeric):
        if schema_type(prop.schema) != "integer":
            continue
        for label in chinese_labels(prop.name, prop.schema):
            if not any(mark in label for mark in _ZH_COUNT_MARKS):
                continue
            core = label
            for mark in (*_ZH_COUNT_MARKS, measure):
                core = core.replace(mark, "")
            if core and any(core in head[: len(core) + 2] for head in heads):
                found.add(index)
    return found.pop() if len(found) == 1 else None


def _calendar_year(quantity: Quantity, prop: NumericProperty) -> int | None:
    """A four-digit year for a property whose bounds make it a calendar year, else None.

    "Model year", minimum 1981: its unit word is a year, yet no duration starts at 1981
    years, so "a 2019 Honda" and 2021年 are that year, not 2019 years.
    """
    minimum = prop.schema.get("minimum", prop.schema.get("exclusiveMinimum"))
    if (
        schema_type(prop.schema) != "integer"
        or not isinstance(minimum, int | float)
        or minimum < 1000
        or property_unit(prop.name, prop.schema) != "years"
        or quantity.unit not in (None, "years")
        or quantity.role is not None
    ):
        return None
    value = _fit(quantity.value, prop.schema)
    return value if isinstance(value, int) and 1000 <= value <= 9999 else None


def _priced(prop: NumericProperty) -> bool:
    name_terms, described = property_terms(prop.name, prop.schema)
    return bool((name_terms | described) & PRICE_WORDS)


def assign_numbers(
    text: str, quantities: list[Quantity], numeric: list[NumericProperty]
) -> NumberReading:
    """Assign quantities to numeric properties.

    Returns:
        The values by property name, the properties read weakly and with evidence, and the
        indexes of the quantities used. A bare number given to a property with a physical
        or time unit and no word linking them (the "9" of a standard's name read as a
        duration) is weak: a guess, not a reading.
    """
    spans = [(q.start, q.end) for q in quantities]
    roles = range_pairs({p.name: p.schema for p in numeric})
    owners = _chinese_owners(text, quantities, numeric)
    candidates: list[tuple[float, int, int, float | int, bool, bool]] = []
    for p_index, prop in enumerate(numeric):
        unit = property_unit(prop.name, prop.schema)
        role = roles.get(prop.name)
        for q_index, quantity in enumerate(quantities):
            owner = owners.get(q_index)
            if owner is not None and owner != p_index:
                continue
            value = numeric_value(quantity, prop.name, prop.schema)
            calendar = _calendar_year(quantity, prop)
            if calendar is not None:
                value = calendar
            loose = False
            if value is None:
                value = _loose_value(quantity, prop.name, prop.schema)
                loose = value is not None
            if value is None:
                continue
            context = _context_score(
                text, quantity, spans, prop.name, prop.schema, before_counts=not prop.after_only
            )
            if owner == p_index:
                context += 4.0
            if calendar is not None:
                context += 1.0  # its bounds make the property a calendar year
            if quantity.role is not None and role is not None:
                if quantity.role != role:
                    continue
                context += 2.5
            elif quantity.role is not None:
                context -= 0.5
            elif role is not None:
                context -= 0.3  # one end of a range wants a range first
            money = quantity.unit is not None and quantity.unit.split("/")[0] == "currency"
            if money and unit is None and _priced(prop):
                context += 1.5
            if loose and context <= 0:
                continue
            unit_match = (
                quantity.unit is not None
                and not loose
                and (quantity.unit == unit or unit not in (None, "currency"))
            )
            if not prop.required and context <= 0:
                continue
            score = 1.0 + context + (2.0 if unit_match else 0.0)
            if quantity.unit is None and unit in (None, "currency"):
                score += 0.5
            score -= 0.01 * abs(p_index - q_index)
            weak = unit not in (None, "currency") and not unit_match and context <= 0
            labelled = context > 0 or unit_match
            candidates.append((score, p_index, q_index, value, weak, labelled))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_params: set[int] = set()
    taken_quantities: set[int] = set()
    reading = NumberReading()
    for _, p_index, q_index, value, weak, labelled in candidates:
        if p_index in taken_params or q_index in taken_quantities:
            continue
        taken_params.add(p_index)
        taken_quantities.add(q_index)
        name = numeric[p_index].name
        reading.values[name] = value
        if weak:
            reading.weak.append(name)
        if labelled:
            reading.labelled.append(name)
    reading.used = sorted(taken_quantities)
    return reading
