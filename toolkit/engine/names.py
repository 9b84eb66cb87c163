"""Proper names in request text: "a 2019 Honda Civic", "rooms for Ana Lima".

An optional string property described as a name (the word "name", 名称 or 名字 in its name
or description) takes a run of capitalised words written in Latin letters. Several such
properties of one tool split one run in their schema order ("Honda Civic": the first
property takes "Honda", the last one the rest), as a reader would parse a brand and a
product name. General writing conventions only: no list of names.
"""

from __future__ import annotations

import re

from toolkit.engine.similarity import terms

__all__ = ["NAME_TERMS", "is_name_property", "proper_names"]

NAME_TERMS = frozenset(["name", "名称", "名字"])

# A capitalised word, or a word holding a digit after one ("Model 3", "F-150", "CX-5").
_WORD = re.compile(r"[A-Za-z0-9][\w'&.-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？\n:：;；])\s*$")  # noqa: RUF001
# Capitalised for grammar, not because they name something.
_NOT_NAMES = frozenset(["I", "OK"])


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word not in _NOT_NAMES


def _runs(text: str) -> list[list[re.Match[str]]]:
    words = list(_WORD.finditer(text))
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for index, word in enumerate(words):
        token = word.group(0).rstrip(".")
        joined = bool(current) and text[current[-1].end() : word.start()] == " "
        # A short number joins a name ("Model 3"); a year after one ("Vela 2020") does not.
        numbered = any(c.isdigit() for c in token) and not (token.isdigit() and len(token) > 3)
        if _capitalised(token) or (joined and numbered):
            if current and not joined:
                runs.append(current)
                current = []
            if not current and _opens_sentence(text, word, words[index + 1 : index + 2]):
                continue
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    # A run of digits alone is a figure, and a run that is an acronym of letters and digits
    # with no lower-case word (an id such as "ADAS-7") is an identifier, not a name.
    return [
        run
        for run in runs
        if any(c.isalpha() for w in run for c in w.group(0))
        and any(c.islower() for w in run for c in w.group(0))
    ]


def _opens_sentence(text: str, word: re.Match[str], following: list[re.Match[str]]) -> bool:
    """A sentence's first word is capitalised by grammar: not a name unless a name follows.

    "Any recalls on ..." or "Check the ..." open with an ordinary word (a stop word, or a
    word followed by a lower-case one); "Northwind Vela 2020 recalls?" opens with a name.
    """
    if not _SENTENCE_START.search(text[: word.start()]):
        return False
    token = word.group(0)
    if not terms(token):
        return True  # a stop word: "Is", "Any", "What"
    return not following or not _capitalised(following[0].group(0))


def proper_names(text: str, count: int) -> list[tuple[str, int, int]]:
    """The first run of capitalised words in `text`, shared among `count` name properties.

    Args:
        text: the request (values read for other properties may be masked out).
        count: how many name properties take words from the run, in schema order: all but
            the last take one word each, the last takes the rest.

    Returns:
        One (name, start, end) per property that got words, in order; fewer than `count`
        when the run is shorter, none when the text names nothing.
    """
    runs = _runs(text)
    if not runs or count < 1:
        return []
    run = runs[0]
    pieces = [[word] for word in run[: count - 1]]
    if len(run) >= count:
        pieces.append(run[count - 1 :])
    found = []
    for piece in pieces:
        value = text[piece[0].start() : piece[-1].end()].rstrip(".")
        found.append((value, piece[0].start(), piece[0].start() + len(value)))
    return found


def is_name_property(name: str, description: str) -> bool:
    """Whether a string property is described as a name (its name or description says so)."""
    return bool(set(terms(name + " " + description)) & NAME_TERMS)
