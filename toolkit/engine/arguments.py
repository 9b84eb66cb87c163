"""Fill a tool's arguments from request text, guided only by the tool's JSON schema.

Numbers are matched to numeric properties by unit compatibility (`x-unit`, or a unit read
from the property name such as ``n_months``), by the words next to each number compared
with the property's name and description, and by order; bounds (`minimum`, `maximum`) and
integer types rule candidates out. Enums are picked by mention, patterns by matching,
booleans by mention with negation, identifiers by shape, dates by ISO form, and arrays of
objects one object per matching number. Nothing is keyed to a particular tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.quantities import Quantity, convert, find_quantities, normalize_text
from toolkit.engine.similarity import terms
from toolkit.engine.spans import (
    boolean_mention,
    enum_choice,
    identifier,
    json_literal,
    pattern_match,
)

__all__ = ["Filled", "fill_arguments"]

_DATE = re.compile(
    r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])"
)  # no \\b: CJK counts as a word character
_QUOTED = re.compile(r"[\"“「『]([^\"”」』]{1,500})[\"”」』]")
_ID_TERMS = frozenset(
    [
        "id",
        "identifier",
        "number",
        "code",
        "iban",
        "account",
        "card",
        "pan",
        "reference",
        "ref",
        "serial",
        "vin",
        "sku",
    ]
)
_TIME_WORDS = {
    "month": "months", "year": "years", "day": "days", "hour": "hours", "minute": "minutes",
    "second": "seconds", "week": "weeks", "percent": "percent", "pct": "percent",
}  # fmt: skip
_MAX_ARRAY_ITEMS = 50
_LEADING_UNIT = re.compile(
    r"\s*(?:the\s+)?(?:(?:number|count)\s+of\s+)?"
    r"(month|year|day|hour|minute|second|week)s?\b(?!\s*(?:of|when|at)\b)",
    re.IGNORECASE,
)


@dataclass
class Filled:
    """Arguments found for one tool, and the required ones that could not be found."""

    arguments: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    defaulted: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def extracted(self) -> list[str]:
        """The arguments read from the text (not schema defaults or fallbacks)."""
        return [name for name in self.arguments if name not in self.defaulted]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    for _ in range(10):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            continue
        options = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(options, list):
            concrete = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            if concrete:
                rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                schema = {**concrete[0], **rest}
                continue
        break
    return schema


def _schema_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if isinstance(kind, str):
        return kind
    if "enum" in schema:
        return "string"
    return "object" if "properties" in schema else "string"


def _property_terms(name: str, schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    name_terms = set(terms(name))
    described = set(terms(str(schema.get("description", "")) + " " + str(schema.get("title", ""))))
    return name_terms, described - name_terms


def _unit_of(name: str, schema: dict[str, Any]) -> str | None:
    unit = schema.get("x-unit")
    if isinstance(unit, str):
        return unit
    for word in terms(name):
        if word in _TIME_WORDS:
            return _TIME_WORDS[word]
    description = str(schema.get("description", ""))
    match = re.search(r"\bin (months|years|days|hours|minutes|seconds|weeks)\b", description)
    if match:
        return match.group(1)
    # Schema converters may drop `x-unit`; a description that opens with a time unit
    # ("Days past due.", "Number of months...") still says what the number counts.
    # Only the opening counts: "Interest rate per year" is a rate, not a duration.
    match = _LEADING_UNIT.match(description)
    return _TIME_WORDS[match.group(1).lower()] if match else None


def _context_score(
    text: str, quantity: Quantity, spans: list[tuple[int, int]], name: str, schema: dict[str, Any]
) -> float:
    name_terms, description_terms = _property_terms(name, schema)
    previous_end = max((end for _, end in spans if end <= quantity.start), default=0)
    next_start = min((start for start, _ in spans if start >= quantity.end), default=len(text))
    before = terms(re.split(r"[,;.!?\n]", text[previous_end : quantity.start])[-1])[-8:]
    after = terms(re.split(r"[,;.!?\n]", text[quantity.end : next_start])[0])[:4]
    score = 0.0
    # "income 9,000" is the usual order, so words before a number weigh more than after.
    # Chinese labels put the distinguishing word first (现有月供), so decay before is mild.
    weighted = [(1.0 / (1.0 + 0.15 * d), w) for d, w in enumerate(reversed(before))]
    weighted += [(0.6 / (1.0 + 0.5 * d), w) for d, w in enumerate(after)]
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


def _in_bounds(value: float, schema: dict[str, Any]) -> bool:
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


def _numeric_value(quantity: Quantity, name: str, schema: dict[str, Any]) -> float | int | None:
    maximum = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = convert(
        quantity,
        _unit_of(name, schema),
        maximum=maximum if isinstance(maximum, int | float) else None,
    )
    if value is None:
        return None
    number: float | int = round(value, 10)
    if _schema_type(schema) == "integer":
        if abs(number - round(number)) > 1e-6:
            return None
        number = round(number)
    return number if _in_bounds(number, schema) else None


def _assign_numbers(
    text: str, quantities: list[Quantity], numeric: list[tuple[str, dict[str, Any], bool]]
) -> tuple[dict[str, float | int], list[str]]:
    spans = [(q.start, q.end) for q in quantities]
    candidates: list[tuple[float, int, int, float | int, bool]] = []
    for p_index, (name, schema, required) in enumerate(numeric):
        unit = _unit_of(name, schema)
        for q_index, quantity in enumerate(quantities):
            value = _numeric_value(quantity, name, schema)
            if value is None:
                continue
            context = _context_score(text, quantity, spans, name, schema)
            unit_match = quantity.unit is not None and (
                quantity.unit == unit or unit not in (None, "currency")
            )
            if not required and context == 0:
                continue
            score = 1.0 + context + (2.0 if unit_match else 0.0)
            if quantity.unit is None and unit in (None, "currency"):
                score += 0.5
            score -= 0.01 * abs(p_index - q_index)
            # A bare number for a property with a physical or time unit and no word
            # linking them ("IFRS 9" for days past due) is a guess, not a reading.
            weak = unit not in (None, "currency") and not unit_match and context == 0
            candidates.append((score, p_index, q_index, value, weak))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_params: set[int] = set()
    taken_quantities: set[int] = set()
    assigned: dict[str, float | int] = {}
    weak_names: list[str] = []
    for _, p_index, q_index, value, weak in candidates:
        if p_index in taken_params or q_index in taken_quantities:
            continue
        taken_params.add(p_index)
        taken_quantities.add(q_index)
        assigned[numeric[p_index][0]] = value
        if weak:
            weak_names.append(numeric[p_index][0])
    return assigned, weak_names


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def fill_arguments(
    schema: dict[str, Any], text: str, *, root: dict[str, Any] | None = None
) -> Filled:
    """Fill an object schema's properties from `text`.

    Args:
        schema: a JSON schema of type object (a tool's `parameters`).
        text: the user's request.
        root: the schema holding `$defs` for `$ref` resolution (defaults to `schema`).

    Returns:
        The arguments found and the required properties still missing.
    """
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    properties = schema.get("properties") or {}
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    work = normalize_text(text)
    result = Filled()
    numeric: list[tuple[str, dict[str, Any], bool]] = []
    deferred: list[tuple[str, dict[str, Any]]] = []
    for name, raw in properties.items():
        prop = _resolve(raw if isinstance(raw, dict) else {}, root)
        kind = _schema_type(prop)
        if kind == "string" and "enum" not in prop:
            found = _string_span(work, name, prop, required=name in required)
            if found is not None:
                value, start, end = found
                result.arguments[name] = value
                if end > start:
                    work = _mask(work, start, end)
                    result.spans.append((start, end))
            continue
        if kind in ("number", "integer"):
            numeric.append((name, prop, name in required))
        else:
            deferred.append((name, prop))
    # Dates are never quantities ("2026-01-05" is not 2026 and -1 and -5).
    quantities = find_quantities(_DATE.sub(lambda m: " " * len(m.group(0)), work))
    assigned, result.weak = _assign_numbers(work, quantities, numeric)
    result.arguments.update(assigned)
    for name, prop in deferred:
        value = _other_value(work, text, name, prop, root, quantities)
        if value is not None:
            result.arguments[name] = value
    for name, raw in properties.items():
        if name not in result.arguments and name in required:
            default = raw.get("default") if isinstance(raw, dict) else None
            prop = _resolve(raw if isinstance(raw, dict) else {}, root)
            if default is not None:
                result.arguments[name] = default
                result.defaulted.append(name)
            else:
                # A required enum nobody named is asked for, never guessed (its first
                # value would be a silently wrong answer).
                result.missing.append(name)
    ordered = {name: result.arguments[name] for name in properties if name in result.arguments}
    result.arguments = ordered
    return result


def _string_span(
    text: str, name: str, prop: dict[str, Any], *, required: bool
) -> tuple[str, int, int] | None:
    pattern = prop.get("pattern")
    if isinstance(pattern, str):
        return pattern_match(text, pattern)
    if prop.get("format") == "date":
        match = _DATE.search(text)
        return (match.group(0), match.start(), match.end()) if match else None
    name_terms, description_terms = _property_terms(name, prop)
    if (name_terms | description_terms) & _ID_TERMS:
        # An identifier is one or nothing: the whole request is never an account number
        # (and a masked one, "411111******1111", is not there to be read).
        return identifier(text, name)
    if not required:
        return None
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(1), 0, 0
    return text.strip(), 0, 0


def _other_value(
    work: str,
    text: str,
    name: str,
    prop: dict[str, Any],
    root: dict[str, Any],
    quantities: list[Quantity],
) -> Any:
    kind = _schema_type(prop)
    if "enum" in prop and isinstance(prop["enum"], list):
        return enum_choice(text, prop["enum"], str(prop.get("description", "")))
    if kind == "boolean":
        return boolean_mention(work, name, prop)
    if kind == "object":
        literal = json_literal(text, "{")
        if isinstance(literal, dict):
            return literal
        nested = fill_arguments(prop, text, root=root)
        return nested.arguments if not nested.missing and nested.arguments else None
    if kind == "array":
        literal = json_literal(text, "[")
        if isinstance(literal, list):
            return literal
        items = _resolve(prop.get("items") or {}, root)
        return _array_items(work, text, items, root, quantities)
    return None


def _array_items(
    work: str, text: str, items: dict[str, Any], root: dict[str, Any], quantities: list[Quantity]
) -> list[Any] | None:
    kind = _schema_type(items)
    if kind in ("number", "integer"):
        values = [_numeric_value(q, "", items) for q in quantities]
        found = [v for v in values if v is not None][:_MAX_ARRAY_ITEMS]
        return found or None
    if kind == "string" and "enum" in items:
        description = str(items.get("description", ""))
        chosen = [v for v in items["enum"] if enum_choice(text, [v], description) is not None]
        return chosen or None
    if kind != "object":
        return None
    # One object per number its single numeric required field accepts; shared fields
    # (identifiers, enums) come from the whole text, dates are taken in order.
    # The template is read from the normalized text with dates blanked (same offsets as
    # the quantities), so numbers inside its identifiers ("C-1001") are not amounts.
    template = fill_arguments(items, _without_dates(work), root=root)
    quantities = [
        q
        for q in quantities
        if not any(q.start < end and start < q.end for start, end in template.spans)
    ]
    properties = items.get("properties") or {}
    numeric_fields = [
        key for key in properties
        if _schema_type(_resolve(properties[key], root)) in ("number", "integer")
        and key in items.get("required", [])
    ]  # fmt: skip
    if len(numeric_fields) != 1:
        return None
    key = numeric_fields[0]
    prop = _resolve(properties[key], root)
    values = [v for v in (_numeric_value(q, key, prop) for q in quantities) if v is not None]
    dates = _DATE.findall(text)
    date_fields = [k for k in properties if _resolve(properties[k], root).get("format") == "date"]
    objects: list[Any] = []
    for index, value in enumerate(values[:_MAX_ARRAY_ITEMS]):
        item = dict(template.arguments)
        item[key] = value
        for date_field in date_fields:
            if index < len(dates):
                item[date_field] = dates[index]
        missing = [r for r in items.get("required", []) if r not in item]
        if missing:
            return None
        objects.append({k: item[k] for k in properties if k in item})
    return objects or None


def _without_dates(text: str) -> str:
    return _DATE.sub(lambda m: " " * len(m.group(0)), text)
