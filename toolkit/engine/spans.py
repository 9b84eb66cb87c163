# ruff: noqa: RUF001
"""Find string-like values in request text.

Enum mentions, pattern matches, identifiers, boolean mentions with negation and JSON literals.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolkit.engine.similarity import terms
from toolkit.engine.units import canonical_word

# Unit symbols an enum may use that are not unit spellings on their own after a number.
_SYMBOLS = {"K": "kelvin", "C": "celsius", "F": "fahrenheit"}

__all__ = [
    "boolean_mention",
    "enum_aliases",
    "enum_choice",
    "identifier",
    "json_literal",
    "json_literals",
    "leading_label",
    "pattern_match",
    "place_after",
    "route",
]

_MASK_CHARS = frozenset("*•●")
_NEGATIONS = ("not ", "no ", "non-", "non ", "without ", "未", "没有", "无", "非", "不")


def _unit_aliases(label: str) -> set[str]:
    """The unit an enum value's symbol names ("C" -> celsius, "kW" -> kW), if any."""
    unit = _SYMBOLS.get(label) or (canonical_word(label) if len(label) <= 3 else None)
    return {unit} if unit is not None else set()


_ALIAS_GROUP = r"\s*[(（]([^()（）]{1,120})[)）]"
_ALIAS_SPLIT = re.compile(r"\s*(?:[,，、/;；]|\bor\b)\s*")


def enum_aliases(description: str, values: list[Any]) -> dict[int, list[str]]:
    """Other names of enum values, as a schema's description gives them in parentheses.

    "Asset class: corporate (企业, company), other_retail (其他零售)" names
    `corporate` also 企业 and company. The reverse form, "其他零售 (other_retail)", counts
    too. Only what the description says is used: no vocabulary of our own.
    """
    found: dict[int, list[str]] = {}
    for index, value in enumerate(values):
        label = re.escape(str(value))
        after = re.finditer(r"(?<![\w-])" + label + r"(?![\w-])" + _ALIAS_GROUP, description)
        aliases = [
            alias
            for match in after
            for alias in _ALIAS_SPLIT.split(match.group(1))
            if alias and alias.lower() != str(value).lower()
        ]
        before = re.finditer(
            r"([^\s,，、;；:：()（）][^,，、;；:：()（）]{0,40}?)\s*[(（]\s*" + label + r"\s*[)）]",
            description,
        )
        aliases.extend(match.group(1).strip() for match in before)
        if aliases:
            found[index] = aliases
    return found


def enum_choice(text: str, values: list[Any], description: str = "") -> Any:
    """The enum value the text mentions best.

    An exact label, then a word naming the unit the value stands for ("Celsius" or °C for
    ``C``, "kelvin" for ``K``), then the label spaced ("low_voltage" as "low voltage"), then
    an alias the property's `description` gives the value (`enum_aliases`), then words.
    """
    lowered = text.lower()
    spaced = lowered.replace("_", " ").replace("-", " ")
    text_terms = set(terms(text))
    spoken = {
        canonical_word(w) or w.lower()
        for w in re.findall(r"°[CFcf]|[℃℉]|[A-Za-z]{2,}|[\u3400-\u9fff]+", text)
    }
    aliases = enum_aliases(description, values) if description else {}
    best: tuple[float, int] | None = None
    for index, value in enumerate(values):
        label = str(value)
        phrase = label.lower().replace("_", " ").replace("-", " ")
        score = 0.0
        if (
            len(label) > 1
            and re.search(r"(?<![a-z0-9])" + re.escape(label.lower()) + r"(?![a-z0-9])", lowered)
        ) or (
            len(label) == 1
            and re.search(r"(?<![A-Za-z0-9])" + re.escape(label) + r"(?![A-Za-z0-9-])", text)
        ):
            score = 3.0
        elif _unit_aliases(label) & spoken:
            score = 2.8
        elif len(phrase) > 1 and phrase in spaced:
            score = 2.5
        elif any(_mentions(spaced, alias) for alias in aliases.get(index, [])):
            score = 2.0
        else:
            # Words of the label. Its last word is the generic head of a compound ("system"
            # of fuel_system): alone it names no value; a modifier ("card" of card_pan) does.
            ordered = terms(label)
            words = set(ordered)
            found = words & text_terms
            share = len(found) / len(words) if words else 0.0
            if share > 0.5 or (found and (len(ordered) == 1 or found - {ordered[-1]})):
                score = share
        if score > 0 and (best is None or score > best[0]):
            best = (score, index)
    return values[best[1]] if best is not None else None


def _mentions(spaced_text: str, alias: str) -> bool:
    phrase = alias.lower().replace("_", " ").replace("-", " ").strip()
    if not phrase:
        return False
    if phrase.isascii():
        return (
            re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])", spaced_text)
            is not None
        )
    return phrase in spaced_text


def pattern_match(text: str, pattern: str) -> tuple[str, int, int] | None:
    """The longest run of tokens (spaces/dashes kept or dropped) matching `pattern`."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    # Dots inside a token belong to it ("web-2.14.3"); a full stop after one does not.
    chunks = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9][A-Za-z0-9-]*)*", text))
    best: tuple[str, int, int] | None = None
    for i in range(len(chunks)):
        for j in range(i, min(i + 12, len(chunks))):
            if j > i and text[chunks[j - 1].end() : chunks[j].start()] not in (" ", "-"):
                break
            if _continues(text, chunks, i, j):
                continue
            span_text = text[chunks[i].start() : chunks[j].end()]
            for candidate in (span_text, re.sub(r"[\s-]", "", span_text)):
                if compiled.fullmatch(candidate) and (
                    best is None or len(span_text) > len(best[0])
                ):
                    best = (candidate, chunks[i].start(), chunks[j].end())
    return best


def _continues(text: str, chunks: list[re.Match[str]], first: int, last: int) -> bool:
    """True when digits run on past the span ("1111 1111" inside a 16-digit number).

    A value cut out of a longer number is not that value: a pattern must match a whole
    group of digit chunks joined by single spaces or dashes.
    """

    def joined(left: int, right: int) -> bool:
        return (
            text[chunks[left].end() : chunks[right].start()] in (" ", "-")
            and chunks[left].group(0)[-1:].isdigit()
            and chunks[right].group(0)[:1].isdigit()
        )

    return (first > 0 and joined(first - 1, first)) or (
        last + 1 < len(chunks) and joined(last, last + 1)
    )


def identifier(text: str, name: str) -> tuple[str, int, int] | None:
    """The most identifier-like run of tokens: digits, or upper-case codes between digits."""
    tokens = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9-]*", text))
    groups: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for token in tokens:
        word = token.group(0)
        has_digit = any(c.isdigit() for c in word)
        joined = bool(current) and text[current[-1].end() : token.start()] == " "
        if has_digit or (joined and word.isupper() and len(word) >= 2):
            if not joined:
                if current:
                    groups.append(current)
                current = []
            current.append(token)
        else:
            if current:
                groups.append(current)
            current = []
    if current:
        groups.append(current)
    name_terms = set(terms(name))
    best: tuple[int, str, int, int] | None = None
    for group in groups:
        while group and not any(c.isdigit() for c in group[-1].group(0)):
            group = group[:-1]
        if not group:
            continue
        value = text[group[0].start() : group[-1].end()]
        if _MASK_CHARS.intersection(text[group[0].start() - 1 : group[0].start()]) or (
            _MASK_CHARS.intersection(text[group[-1].end() : group[-1].end() + 1])
        ):
            continue  # part of a masked value ("411111******1111"): not readable
        digits = sum(c.isdigit() for c in value)
        letters = sum(c.isalpha() for c in value)
        if digits < 6 and not letters:
            continue
        before = terms(text[max(0, group[0].start() - 30) : group[0].start()])[-2:]
        score = digits + (20 if digits >= 6 else 0) + (10 if name_terms & set(before) else 0)
        if best is None or score > best[0]:
            best = (score, value, group[0].start(), group[-1].end())
    return None if best is None else (best[1], best[2], best[3])


def boolean_mention(text: str, name: str, schema: dict[str, Any]) -> bool | None:
    """True/False when the property name is mentioned (negated or not), else None."""
    lowered = text.lower()
    phrases = [name.replace("_", " "), name.replace("_", "-")]
    for phrase in phrases:
        index = lowered.find(phrase)
        if index >= 0:
            window = lowered[max(0, index - 12) : index]
            return not any(neg in window for neg in _NEGATIONS)
    return None


def json_literal(text: str, opener: str) -> Any:
    """The first JSON value starting with `opener` that parses, else None."""
    start = text.find(opener)
    while start >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(text[start:])
            return value
        except json.JSONDecodeError:
            start = text.find(opener, start + 1)
    return None


def json_literals(text: str) -> list[tuple[int, int, Any]]:
    """The top-level JSON objects and arrays in the text: (start, end, value), in order.

    A literal nested in another belongs to it: the lists inside ``{"a": [1, 2]}`` are not
    literals of their own.
    """
    found: list[tuple[int, int, Any]] = []
    decoder = json.JSONDecoder()
    index = 0
    while True:
        starts = [i for i in (text.find("{", index), text.find("[", index)) if i >= 0]
        if not starts:
            return found
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            index = start + 1
            continue
        found.append((start, end, value))
        index = end


_FILLER = frozenset(
    ["a", "an", "the", "and", "or", "at", "with", "for", "of", "plus", "then", "also", "is",
     "are", "has", "have", "costs", "cost", "from", "to", "on", "in", "by", "each", "per",
     "between", "about", "around", "approximately", "roughly", "range", "ranging"]
)  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z][\w'-]*|[\u3400-\u9fff]+|[$€£¥]?\d[\d,.]*[A-Za-z]*|[$€£¥]")


def leading_label(text: str) -> tuple[str, int, int] | None:
    """The words opening a list item before its first figure: "Unit A" in "Unit A 50-200 MW".

    Filler words ("and", "at", "the") are dropped; a number right after a label word and
    before another figure belongs to the label ("Unit 3 50-200 MW"); at most four words.
    """
    tokens = list(_TOKEN.finditer(text))
    kept: list[re.Match[str]] = []
    for index, token in enumerate(tokens):
        word = token.group(0)
        if word[0].isdigit() or word[0] in "$€£¥":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            gap = text[token.end() : following.start()] if following else ""
            if (
                len(kept) == 1
                and text[kept[0].end() : token.start()] in (" ", " #", "#", "-")
                and word.isalnum()
                and following is not None
                and (
                    (following.group(0)[0] in "0123456789$€£¥" and gap.strip() in ("", ":", ","))
                    or (
                        following.group(0)[0].isalpha()
                        and canonical_word(following.group(0)) is None
                        and following.group(0).lower() not in ("to", "and")
                    )
                )
                and gap
            ):
                kept.append(token)
            break
        filler = word in _FILLER or (word.lower() in _FILLER and len(word) > 1)
        if filler and not kept:
            continue
        if filler:
            break
        kept.append(token)
        if len(kept) == 4:
            break
    if not kept:
        return None
    value = text[kept[0].start() : kept[-1].end()].strip(" :-–,")
    return (value, kept[0].start(), kept[-1].end()) if value else None


_PLACE = r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,2}"


def place_after(text: str, words: tuple[str, ...]) -> tuple[str, int, int] | None:
    """The place named after a preposition: "from Rotterdam" / "to New York" / 从上海 / 到北京."""
    for word in words:
        if word in ("→", "->"):
            pattern = (
                re.escape(word)
                + r"\s*("
                + _PLACE
                + r"|[\u3400-\u9fff]{2,6}?(?=[^\u3400-\u9fff]|的|$))"
            )
        elif word.isascii():
            pattern = r"\b" + re.escape(word) + r"\s+(" + _PLACE + r")"
        else:
            pattern = (
                re.escape(word)
                + r"([\u3400-\u9fff]{2,6}?)(?=到|至|运往|送往|的|[，,、;；:：\s\d]|$)"
            )
        match = re.search(pattern, text)
        if match:
            return match.group(1), match.start(1), match.end(1)
    return None


_ROUTE = re.compile(r"(" + _PLACE + r")\s*(?:\bto\b|→|->|⇒|–>)\s*(" + _PLACE + r")")
_ZH_ROUTE = re.compile(
    r"(?:从|^|(?<=[^\u3400-\u9fff]))([\u3400-\u9fff]{2,4}?)(?:到|至|→|-)([\u3400-\u9fff]{2,4}?)(?=的|[，,、;；:：\s\d]|$)"
)


def route(text: str) -> tuple[tuple[str, int, int], tuple[str, int, int]] | None:
    """The two ends of a route written without "from": "Hamburg to Prague", "Lyon→Milan"."""
    for pattern in (_ROUTE, _ZH_ROUTE):
        match = pattern.search(text)
        if match:
            return (
                (match.group(1), match.start(1), match.end(1)),
                (match.group(2), match.start(2), match.end(2)),
            )
    return None
