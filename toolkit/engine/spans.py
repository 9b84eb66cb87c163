"""Find string-like values in request text.

Enum mentions, pattern matches, identifiers, boolean mentions with negation and JSON literals.
"""

from __future__ import annotations

import json
import re
from typing import Any

from toolkit.engine.similarity import terms

__all__ = [
    "boolean_mention",
    "enum_aliases",
    "enum_choice",
    "identifier",
    "json_literal",
    "pattern_match",
]

_MASK_CHARS = frozenset("*•●")
_NEGATIONS = ("not ", "no ", "non-", "non ", "without ", "未", "没有", "无", "非", "不")


_ALIAS_GROUP = r"\s*[(（]([^()（）]{1,120})[)）]"  # noqa: RUF001
_ALIAS_SPLIT = re.compile(r"\s*(?:[,，、/;；]|\bor\b)\s*")  # noqa: RUF001


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
            r"([^\s,，、;；:：()（）][^,，、;；:：()（）]{0,40}?)\s*[(（]\s*"  # noqa: RUF001
            + label
            + r"\s*[)）]",  # noqa: RUF001
            description,
        )
        aliases.extend(match.group(1).strip() for match in before)
        if aliases:
            found[index] = aliases
    return found


def enum_choice(text: str, values: list[Any], description: str = "") -> Any:
    """The enum value the text mentions best (exact label, spaced label, alias, then words).

    Aliases are the other names the property's `description` gives a value
    (`enum_aliases`).
    """
    lowered = text.lower()
    spaced = lowered.replace("_", " ").replace("-", " ")
    text_terms = set(terms(text))
    aliases = enum_aliases(description, values) if description else {}
    best: tuple[float, int] | None = None
    for index, value in enumerate(values):
        label = str(value)
        phrase = label.lower().replace("_", " ").replace("-", " ")
        score = 0.0
        if re.search(r"(?<![a-z0-9])" + re.escape(label.lower()) + r"(?![a-z0-9])", lowered):
            score = 3.0
        elif phrase and phrase in spaced:
            score = 2.5
        elif any(_mentions(spaced, alias) for alias in aliases.get(index, [])):
            score = 2.0
        else:
            words = set(terms(label))
            if words:
                score = len(words & text_terms) / len(words)
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
    chunks = list(re.finditer(r"[A-Za-z0-9][A-Za-z0-9-]*", text))
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
    """True when digits run on past the span ("1111 1111" inside a 16-digit card number).

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
