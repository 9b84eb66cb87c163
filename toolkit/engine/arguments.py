"""Fill a tool's arguments from request text, guided only by the tool's JSON schema.

What a model sees is all it uses: property names, descriptions, types, enums, bounds,
`pattern`, `format`, and optional annotations (`x-unit`, `x-identifier`). Numbers go to
numeric properties by unit (`fields.property_unit`: annotation, name or description), by
the words and Chinese labels next to them, by range ends for min/max pairs, and by order
(`numbers`); counts per period also read frequency words ("quarterly"). Arrays of objects
are read one object per item segment (`items`), before anything else, so their numbers
never go elsewhere. Enums are picked by mention (or a word naming the value: "Celsius"
for ``C``), patterns by matching, booleans by mention with negation, identifiers by
shape, places after from/to, dates by ISO form. What the text mentions about a property
but could not be read is reported in `Filled.unread`. Nothing is keyed to a tool or domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from toolkit.engine.fields import (
    chinese_labels,
    frequency_period,
    property_terms,
    schema_type,
)
from toolkit.engine.frequency import find_frequencies, per_period
from toolkit.engine.grids import cell_label, is_cell_list, is_grid, read_cells, read_grid
from toolkit.engine.items import read_items
from toolkit.engine.names import is_name_property, proper_names
from toolkit.engine.numbers import NumericProperty, assign_numbers, in_bounds, numeric_value
from toolkit.engine.quantities import Quantity, find_quantities, normalize_text
from toolkit.engine.similarity import terms
from toolkit.engine.spans import (
    boolean_mention,
    enum_choice,
    identifier,
    json_literal,
    json_literals,
    leading_label,
    pattern_match,
    place_after,
    route,
)
from toolkit.engine.units import canonical_word

__all__ = ["Filled", "fill_arguments"]

_DATE = re.compile(
    r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])"
)  # no \\b: CJK counts as a word character
# A range written with a label prefix on both ends: "S0-S3", "E0 to E4", "SIL1..SIL4".
_NOTATION = re.compile(
    r"\b([A-Z][A-Za-z]{0,3})(\d{1,2})\s*(?:[-\u2013\u2014]|to|\.\.)\s*\1(\d{1,2})\b"
)
_QUOTED = re.compile(r"[\"“「『]([^\"”」』]{1,500})[\"”」』]")
# Identifier-like properties take an identifier found in the text or nothing. Generic words
# only; a pack marks other identifiers with `pattern` or `x-identifier: true`.
_ID_TERMS = frozenset(["id", "identifier", "number", "code", "reference", "ref", "serial"])
# Words naming an item's own label: "Unit A", "Shipment 2", "Field North".
_LABEL_TERMS = frozenset(["name", "label", "title", "unit", "tag", "item", "名称", "名字"])
_ORIGIN_TERMS = frozenset(["origin", "source", "departure", "pickup", "start", "起点", "出发"])
_DESTINATION_TERMS = frozenset(
    ["destination", "dest", "target", "arrival", "delivery", "终点", "目的", "目的地"]
)
# List markers are not numbers: "1) Unit A ...", "2. Unit B ...".
_LIST_MARKER = re.compile(r"(?:^|(?<=[\s:;,(]))\(?\d{1,2}[).](?=\s)|^\s*[-*•·]\s", re.M)
_MAX_ARRAY_ITEMS = 50
# Words that look like a value someone gave: figures, adverbs ("continuously", "biweekly"),
# Chinese. "Plan rooms" mentions rooms but gives no value for a room's capacity.
_VALUE_LIKE = re.compile(r"\d|ly$|[\u3400-\u9fff]")
_CLAUSE = re.compile(r"[,;!?\n、]\s*|\.(?!\d)\s*|\s+and\s+")


@dataclass
class Filled:
    """Arguments found for one tool, and how each was found.

    `missing`: required and not found; `defaulted`: a schema default or enum fallback stands
    in; `weak`: a bare number where a unit was expected; `labelled`: values read with
    evidence (a number with a label word, a Chinese label or a matching unit; a string taken
    from its own place in the text; an enum value named); `unread`: properties the text mentions
    with a value that could not be read, and the phrase (``{"visits_per_year": "visited
    continuously"}``); `spans`: text consumed by string values.
    """

    arguments: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    defaulted: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    labelled: list[str] = field(default_factory=list)

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


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _without_dates(text: str) -> str:
    return _DATE.sub(lambda m: " " * len(m.group(0)), text)


def fill_arguments(
    schema: dict[str, Any], text: str, *, root: dict[str, Any] | None = None
) -> Filled:
    """Fill an object schema's properties from `text`.

    Args:
        schema: a JSON schema of type object (a tool's `parameters`).
        text: the user's request.
        root: the schema holding `$defs` for `$ref` resolution (defaults to `schema`).

    Returns:
        The arguments found, the required properties still missing, those given defaults,
        those read weakly, and those the text mentions but could not be read (`unread`).
    """
    root = root if root is not None else schema
    # A list marker separates items like a semicolon; its digits are no value.
    work = _LIST_MARKER.sub(lambda m: ";" + " " * (len(m.group(0)) - 1), normalize_text(text))
    return _fill(schema, work, root, item=False)


def _fill(schema: dict[str, Any], work: str, root: dict[str, Any], *, item: bool) -> Filled:
    schema = _resolve(schema, root)
    properties = {
        name: _resolve(raw if isinstance(raw, dict) else {}, root)
        for name, raw in (schema.get("properties") or {}).items()
    }
    required = [r for r in schema.get("required", []) if isinstance(r, str)]
    original = work
    result = Filled()
    evidence: list[str] = []
    numeric: list[NumericProperty] = []
    deferred: list[tuple[str, dict[str, Any]]] = []
    # Optional names ("Make (brand name)", "Model name") share a run of capitalised words.
    names = [
        n
        for n, p in properties.items()
        if not item
        and n not in required
        and schema_type(p) == "string"
        and "enum" not in p
        and "pattern" not in p
        and not p.get("x-identifier")
        and is_name_property(n, str(p.get("description", "")))
    ]
    shared: list[tuple[str, int, int]] | None = None
    for name, prop in properties.items():
        kind = schema_type(prop)
        if kind == "string" and "enum" not in prop:
            found = _string_span(work, name, prop, required=name in required, item=item)
            if found is None and name in names:
                if shared is None:
                    shared = proper_names(work, len(names))
                position = names.index(name)
                found = shared[position] if position < len(shared) else None
            if found is not None:
                value, start, end = found
                result.arguments[name] = value
                if end > start:
                    work = _mask(work, start, end)
                    result.spans.append((start, end))
                    evidence.append(name)
            continue
        if kind in ("number", "integer"):
            counted = frequency_period(name, prop) is not None
            numeric.append(NumericProperty(name, prop, name in required, after_only=counted))
        else:
            deferred.append((name, prop))
    work = _read_notations(work, numeric, result, evidence)
    # Dates are never quantities ("2026-01-05" is not 2026 and -1 and -5).
    quantities = find_quantities(_without_dates(work))
    # Arrays of objects first: the numbers inside their items are theirs alone.
    for name, prop in deferred:
        if schema_type(prop) != "array" or json_literal(work, "[") is not None:
            continue
        items = _resolve(prop.get("items") or {}, root)
        if schema_type(items) != "object" or not items.get("properties"):
            continue
        listed, spans = _object_items(work, name, items, root, quantities, properties)
        if listed is not None:
            result.arguments[name] = listed
            for start, end in spans:
                work = _mask(work, start, end)
            quantities = [q for q in quantities if not any(s <= q.start < e for s, e in spans)]
    work = _read_grids(work, deferred, root, required, result, evidence)
    # A series of numbers ("900, 950, 980, ...") is one list argument, read before scalars.
    for name, prop in deferred:
        items = _resolve(prop.get("items") or {}, root)
        if name in result.arguments or schema_type(prop) != "array":
            continue
        if schema_type(items) not in ("number", "integer"):
            continue
        run = _series(work, quantities)
        if run:
            # The unit written after the last number ("..., 790 MW") is the series' unit.
            values = [
                numeric_value(q, "", items)
                if numeric_value(q, "", items) is not None
                else numeric_value(replace(q, unit=None), "", items)
                for q in run
            ]
            if all(v is not None for v in values):
                result.arguments[name] = values[:_MAX_ARRAY_ITEMS]
                evidence.append(name)
                quantities = [q for q in quantities if q not in run]
    work, quantities = _read_frequencies(work, quantities, numeric, result)
    pending = [p for p in numeric if p.name not in result.arguments]
    reading = assign_numbers(work, quantities, pending)
    result.arguments.update(reading.values)
    result.weak = reading.weak
    evidence += reading.labelled
    # A number read for a scalar property ("m = 7") is not also an item of a number list.
    unused = [q for i, q in enumerate(quantities) if i not in set(reading.used)]
    used_literals: set[int] = set()
    for name, prop in deferred:
        if name in result.arguments:
            continue
        value = _other_value(
            work, original, name, prop, root, unused, name in required, used_literals
        )
        if value is not None:
            result.arguments[name] = value
            if "enum" in prop:
                evidence.append(name)
    result.labelled = [name for name in properties if name in evidence]
    for name, prop in properties.items():
        if name not in result.arguments and name in required:
            default = prop.get("default")
            if default is not None:
                result.arguments[name] = default
                result.defaulted.append(name)
            else:
                # A required enum nobody named is asked for, never guessed (its first
                # value would be a silently wrong answer).
                result.missing.append(name)
    if not item:
        consumed = result.spans + [(quantities[i].start, quantities[i].end) for i in reading.used]
        result.unread = _unread(original, properties, result, consumed)
    result.arguments = {n: result.arguments[n] for n in properties if n in result.arguments}
    return result


def _read_grids(
    work: str,
    deferred: list[tuple[str, dict[str, Any]]],
    root: dict[str, Any],
    required: list[str],
    result: Filled,
    evidence: list[str],
) -> str:
    """A factor grid and its cells written as prose (`grids`), when nothing is pasted as JSON.

    Each cell goes to the cell-list property its part's opening words name ("excluded:
    fog/highway"), else to the required one.
    """
    resolved = [(name, _resolve(prop, root)) for name, prop in deferred]
    grids = [name for name, prop in resolved if is_grid(prop)]
    if len(grids) != 1 or json_literals(work):
        return work
    grid, spans = read_grid(work)
    if not grid:
        return work
    result.arguments[grids[0]] = grid
    evidence.append(grids[0])
    for start, end in spans:
        work = _mask(work, start, end)
    lists = [(name, prop) for name, prop in resolved if is_cell_list(prop)]
    if not lists:
        return work
    default = next((name for name, _ in lists if name in required), lists[0][0])
    cells: dict[str, list[dict[str, str]]] = {}
    for start, end, cell in read_cells(work, grid):
        label = cell_label(work, start)
        scored = [
            (len(label & (names | described)), name)
            for name, prop in lists
            for names, described in [property_terms(name, prop)]
        ]
        best = max(scored, key=lambda pair: pair[0])
        owner = best[1] if best[0] > 0 else default
        cells.setdefault(owner, []).append(cell)
        work = _mask(work, start, end)
    for name, listed in cells.items():
        result.arguments[name] = listed[:_MAX_ARRAY_ITEMS]
        evidence.append(name)
    return work


def _read_notations(
    work: str, numeric: list[NumericProperty], result: Filled, evidence: list[str]
) -> str:
    """Read class labels written the way the property's description writes its range.

    A description giving the range as "S0-S3" (or "E0 to E4", "L1..L5", en dash too) says
    the values are written with that prefix, so "S3" in the text is 3 for that property and
    no other.
    Several such labels: the first; a request of several parts is read part by part.
    """
    for prop in numeric:
        range_ = _NOTATION.search(str(prop.schema.get("description", "")))
        if range_ is None or prop.name in result.arguments:
            continue
        prefix, low, high = range_.group(1), int(range_.group(2)), int(range_.group(3))
        found = [
            m
            for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(prefix)}(\d+)(?![A-Za-z0-9])", work)
            if low <= int(m.group(1)) <= high
        ]
        if not found:
            continue
        match = found[0]  # several: the first, as numbers are read in order
        result.arguments[prop.name] = int(match.group(1))
        result.spans.append((match.start(), match.end()))
        evidence.append(prop.name)
        work = _mask(work, match.start(), match.end())
    return work


def _read_frequencies(
    work: str, quantities: list[Quantity], numeric: list[NumericProperty], result: Filled
) -> tuple[str, list[Quantity]]:
    """Fill count-per-period properties from frequency words ("quarterly" -> 4 a year)."""
    # A frequency word right after a figure is that figure's period ("2.9% yearly",
    # "900 monthly"), not how often something happens.
    frequencies = [
        f
        for f in find_frequencies(work)
        if not any(q.end <= f.start and not work[q.end : f.start].strip() for q in quantities)
    ]
    for prop in numeric:
        period = frequency_period(prop.name, prop.schema)
        if period is None:
            continue
        for frequency in frequencies:
            count = per_period(frequency, period)
            if count is None or abs(count - round(count)) > 1e-6:
                continue
            if not in_bounds(round(count), prop.schema):
                continue
            result.arguments[prop.name] = round(count)
            result.spans.append((frequency.start, frequency.end))
            work = _mask(work, frequency.start, frequency.end)
            quantities = [q for q in quantities if not frequency.start <= q.start < frequency.end]
            frequencies.remove(frequency)
            break
    return work, quantities


def _object_items(
    work: str,
    name: str,
    items: dict[str, Any],
    root: dict[str, Any],
    quantities: list[Quantity],
    properties: dict[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]] | None, list[tuple[int, int]]]:
    """An array of objects read from prose, and the spans of text its items used."""
    item_properties = items.get("properties") or {}
    numeric_required = [
        key for key in item_properties
        if schema_type(_resolve(item_properties[key], root)) in ("number", "integer")
        and key in items.get("required", [])
    ]  # fmt: skip
    outer_terms: set[str] = set()
    for other, prop in properties.items():
        if other != name:
            name_terms, _ = property_terms(other, prop)
            outer_terms |= {t for t in name_terms if canonical_word(t) is None}
    resolved = {"type": "object", **items}

    def read(schema: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
        filled = _fill(schema, text, root, item=True)
        return filled.arguments, filled.defaulted

    reading = read_items(
        work,
        resolved,
        quantities,
        read,
        outer_terms=outer_terms,
        head_terms=set(terms(name)) | set(terms(str(items.get("title", "")))),
    )
    segmented = reading.items if reading.items and not reading.incomplete else None
    if len(numeric_required) == 1 and (segmented is None or len(segmented) < 2):
        # One number per object (amounts of transactions listed in a row): the old reading
        # of every matching number as an item, with shared fields from the whole text.
        single = _single_number_items(work, items, root, quantities, numeric_required[0])
        if single is not None:
            return single, []
    if segmented is None:
        return None, []
    return segmented[:_MAX_ARRAY_ITEMS], reading.spans


def _unread(
    text: str,
    properties: dict[str, dict[str, Any]],
    result: Filled,
    consumed: list[tuple[int, int]],
) -> dict[str, str]:
    """Properties the text mentions next to words that could not be read as their value.

    A mention is a word of the property's name (not a unit word; "visited" for
    ``visits_per_year``) or one of its Chinese labels. Its phrase runs to the nearest
    clause boundary or value read for any property; it counts when the phrase holds words
    that look like a value and are neither the mention nor terms of another property
    ("visited continuously").
    """
    unread: dict[str, str] = {}
    boundaries = [0, len(text)]
    boundaries += [m.start() for m in _CLAUSE.finditer(text)] + [m.end() for m in
                   _CLAUSE.finditer(text)]  # fmt: skip
    for start, end in consumed:
        boundaries += [start, end]
    boundaries.sort()
    all_terms: dict[str, set[str]] = {}
    for name, prop in properties.items():
        name_terms, described = property_terms(name, prop)
        all_terms[name] = name_terms | described
    for name, prop in properties.items():
        if name in result.extracted and name not in result.weak:
            continue
        name_terms, _ = property_terms(name, prop)
        keys = [t for t in name_terms if canonical_word(t) is None and len(t) > 3]
        patterns = [re.escape(k[:5]) + r"\w*" for k in keys]
        patterns += [re.escape(label) for label in chinese_labels(name, prop)]
        if not patterns:
            continue
        others = set().union(*(t for n, t in all_terms.items() if n != name))
        for match in re.finditer(r"(?i)\b(?:" + "|".join(patterns) + r")", text):
            if any(s <= match.start() < e for s, e in consumed):
                continue
            left = max(b for b in boundaries if b <= match.start())
            right = min(b for b in boundaries if b >= match.end())
            phrase = text[left:right].strip(" ,;:")
            leftover = [
                w for w in terms(phrase)
                if w not in name_terms and w not in others and w[:5] not in {k[:5] for k in keys}
                and _VALUE_LIKE.search(w)
            ]  # fmt: skip
            if leftover:
                unread[name] = phrase
                break
    return unread


def _string_span(
    text: str, name: str, prop: dict[str, Any], *, required: bool, item: bool
) -> tuple[str, int, int] | None:
    pattern = prop.get("pattern")
    if isinstance(pattern, str):
        return pattern_match(text, pattern)
    if prop.get("format") == "date":
        match = _DATE.search(text)
        return (match.group(0), match.start(), match.end()) if match else None
    name_terms, description_terms = property_terms(name, prop)
    described = name_terms | description_terms
    origin = bool(name_terms & _ORIGIN_TERMS) or (
        not name_terms & _DESTINATION_TERMS and bool(described & {"origin", "from", "起点"})
    )
    if origin or name_terms & _DESTINATION_TERMS:
        words = ("from", "从") if origin else ("to", "→", "->", "到", "至", "运往", "送往")
        found = place_after(text, words)
        ends = route(text)
        if ends is not None and (found is None or found[1] > ends[1][1]):
            return ends[0] if origin else ends[1]
        return found
    if prop.get("x-identifier") is True or described & _ID_TERMS:
        if item and name_terms & _LABEL_TERMS:
            return leading_label(text)
        # An identifier is one or nothing: the whole request is never an identifier
        # (and a masked one, "411111******1111", is not there to be read).
        return identifier(text, name)
    if item and (name_terms & _LABEL_TERMS or required):
        return leading_label(text)
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
    required: bool,
    used: set[int],
) -> Any:
    kind = schema_type(prop)
    if "enum" in prop and isinstance(prop["enum"], list):
        return enum_choice(text, prop["enum"], str(prop.get("description", "")))
    if kind == "boolean":
        return boolean_mention(work, name, prop)
    if kind == "object":
        literal = _literal_for(text, name, prop, dict, required=required, used=used)
        if literal is not None:
            return literal
        nested = _fill(prop, work, root, item=False)
        return nested.arguments if not nested.missing and nested.arguments else None
    if kind == "array":
        literal = _literal_for(text, name, prop, list, required=required, used=used)
        if literal is not None:
            return literal
        items = _resolve(prop.get("items") or {}, root)
        return _scalar_items(text, items, quantities)
    return None


_SERIES_GAP = re.compile(r"\s*[,、;/]?\s*(?:and\s+|和)?")


def _series(text: str, quantities: list[Quantity]) -> list[Quantity] | None:
    """The longest run of three or more numbers separated only by commas or spaces."""
    best: list[Quantity] = []
    run: list[Quantity] = []
    for quantity in quantities:
        if (
            run
            and quantity.role is None
            and run[-1].role is None
            and (_SERIES_GAP.fullmatch(text[run[-1].end : quantity.start]))
        ):
            run.append(quantity)
        else:
            run = [quantity]
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= 3 else None


def _literal_for(
    text: str,
    name: str,
    prop: dict[str, Any],
    wanted: type,
    *,
    required: bool,
    used: set[int],
) -> Any:
    """The JSON literal pasted for this property: the one its name labels, else the first.

    Several literals ("odd: {...}; executed: [...]") go one to each property, by the words
    right before each; a literal no word labels fills only a required property, and a
    literal serves one property only.
    """
    literals = [(s, e, v) for s, e, v in json_literals(text) if isinstance(v, wanted)]
    free = [lit for lit in literals if lit[0] not in used]
    if not free:
        return None
    name_terms = set(terms(name))
    chosen = None
    previous_end = 0
    for start, end, value in json_literals(text):
        before = terms(text[max(previous_end, start - 40) : start])[-4:]
        previous_end = end
        if start not in used and isinstance(value, wanted) and name_terms & set(before):
            chosen = (start, value)
            break
    if chosen is None and required:
        chosen = (free[0][0], free[0][2])
    if chosen is None:
        return None
    used.add(chosen[0])
    return chosen[1]


def _scalar_items(text: str, items: dict[str, Any], quantities: list[Quantity]) -> list[Any] | None:
    kind = schema_type(items)
    if kind in ("number", "integer"):
        values = [numeric_value(q, "", items) for q in quantities]
        found = [v for v in values if v is not None][:_MAX_ARRAY_ITEMS]
        return found or None
    if kind == "string" and "enum" in items:
        description = str(items.get("description", ""))
        chosen = [v for v in items["enum"] if enum_choice(text, [v], description) is not None]
        return chosen or None
    return None


def _single_number_items(
    work: str, items: dict[str, Any], root: dict[str, Any], quantities: list[Quantity], key: str
) -> list[Any] | None:
    # One object per number its single numeric required field accepts; shared fields
    # (identifiers, enums) come from the whole text, dates are taken in order.
    # The template is read from the normalized text with dates blanked (same offsets as
    # the quantities), so numbers inside its identifiers ("C-1001") are not amounts.
    template = _fill(items, _without_dates(work), root, item=False)
    quantities = [
        q
        for q in quantities
        if not any(q.start < end and start < q.end for start, end in template.spans)
    ]
    properties = items.get("properties") or {}
    prop = _resolve(properties[key], root)
    values = [v for v in (numeric_value(q, key, prop) for q in quantities) if v is not None]
    dates = _DATE.findall(work)
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
