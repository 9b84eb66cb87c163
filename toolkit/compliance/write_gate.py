"""The write-tool gate: a write runs only on the user's own request.

Screening retrieved text catches the injections it recognises; this gate does
not depend on recognising anything. A write-tool call is executed only when

1. the current user turn asks for that action: it mentions one of the tool's
   action terms, taken from the tool's own schema (its name, description,
   parameter descriptions with their aliases, and examples: the pack's words),
   never from retrieved text; and
2. every argument the model chose traces to the user's turn or to a tool
   result of this turn: a number the user or a tool gave, an identifier the
   user typed, free text whose words the user used. Enum and boolean choices,
   and values equal to the schema's default, need no trace: they carry no
   payload of their own.

The role's permission is the rule pack's ``tool_permission`` rule, applied in
the same tool_call decision. A call that fails the gate becomes an approval
request, audited like every decision: what the model did with retrieved text
is never what authorises a write.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GateVerdict", "ToolIntent", "TurnEvidence", "WriteGate", "numbers_in"]

# Words that say nothing about which action is meant.
# fmt: off
_STOP = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "e", "for",
        "from", "g", "give", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
        "me", "my", "of", "on", "or", "our", "please", "set", "the", "their", "then", "this", "to",
        "up", "use", "want", "we", "what", "when", "which", "who", "why", "will", "with", "would",
        "you", "your", "new", "value", "values", "one", "two", "any", "all", "not", "no", "tool",
        "tools", "account", "number", "id", "ids",
    ]
)
# fmt: on
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"\s*(?:(k|m|bn|万|亿|千)(?![a-z])|(%))?",
    re.IGNORECASE,
)
_SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9, "万": 1e4, "亿": 1e8, "千": 1e3}


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")  # fmt: skip
_WORD_NUMBERS = {w: float(n) for n, w in enumerate(_NUMBER_WORDS)} | {
    "a dozen": 12.0,
    "a couple": 2.0,
    "both": 2.0,
    "single": 1.0,
}
_CJK_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
               "八": 8, "九": 9}  # fmt: skip
_CJK_NUMBER = re.compile(r"[零一二两三四五六七八九十]+")


def _cjk_value(run: str) -> float | None:
    """十二 -> 12, 二十 -> 20, 两 -> 2; None for runs beyond the tens."""
    if "十" not in run:
        return float(_CJK_DIGITS[run]) if len(run) == 1 else None
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return float(_CJK_DIGITS.get(tens, 1) * 10 + _CJK_DIGITS.get(units, 0))


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text``, read as the user means it.

    ``20,000`` is 20000, ``12k`` 12000, ``1.5万`` 15000, ``6%`` both 6 and 0.06,
    ``three`` 3, ``两`` 2; signs are dropped ("down 30 MW" may become -30).
    """
    text = unicodedata.normalize("NFKC", text)
    found: set[float] = set()
    lowered = text.lower()
    found.update(v for w, v in _WORD_NUMBERS.items() if re.search(rf"\b{w}\b", lowered))
    found.update(v for run in _CJK_NUMBER.findall(text) if (v := _cjk_value(run)) is not None)
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"[^\d.]", "", raw.split("%")[0].rstrip("kKmMbBnN万亿千 "))
        try:
            value = float(digits)
        except ValueError:
            continue
        found.add(value)
        if m.group(1):
            found.add(value * _SCALE[m.group(1).lower()])
        if m.group(2):
            found.add(value / 100)
    return found


def _words(text: str) -> set[str]:
    return {w.lower().strip("'-") for w in _WORD.findall(text)} - _STOP


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class ToolIntent:
    """What a write tool is for, as its schema tells it.

    Attributes:
        name: The tool name.
        terms: English action terms (stems) of the tool.
        cjk_terms: Chinese two-character terms of the tool.
        exempt_args: Arguments that need no trace (enums, booleans).
        defaults: Arguments' schema defaults (a default carries no payload).
    """

    name: str
    terms: frozenset[str]
    cjk_terms: frozenset[str]
    exempt_args: frozenset[str] = frozenset()
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_schema(cls, name: str, description: str, parameters: Mapping[str, Any]) -> ToolIntent:
        """Build the intent from a tool's name, description (with examples) and JSON schema.

        The action terms are the words of the name, the description and the parameter
        descriptions (where a pack lists its aliases) and the first word of each
        example (the verb a user starts a request with), plus the Chinese terms of
        all of them; the exempt arguments are those whose schema is an enum or boolean.
        """
        head, _, examples = description.partition("Examples:")
        terms = {_stem(w) for w in _words(name.replace("_", " ") + " " + head)}
        for example in examples.split("|"):
            first = _words(example.strip().split(" ", 1)[0]) if example.strip() else set()
            terms |= {_stem(w) for w in first}
        props = parameters.get("properties") or {}
        cjk = _bigrams(description)
        exempt: set[str] = set()
        defaults: dict[str, Any] = {}
        for arg, schema in props.items():
            if not isinstance(schema, Mapping):
                continue
            described = str(schema.get("description", ""))
            cjk |= _bigrams(described)
            # Parameter descriptions carry the pack's aliases: "raise (increase, up, ...)".
            terms |= {_stem(w) for w in _words(described)}
            if "default" in schema:
                defaults[arg] = schema["default"]
            options = [schema, *(schema.get("anyOf") or [])]
            if any(
                isinstance(o, Mapping)
                and ("enum" in o or "const" in o or o.get("type") == "boolean")
                for o in options
            ):
                exempt.add(arg)
        return cls(name, frozenset(terms), frozenset(cjk), frozenset(exempt), defaults)


@dataclass(frozen=True)
class TurnEvidence:
    """What the harness knows of the current turn, independently of the model.

    Attributes:
        user_turn: The user's message of this turn (after the input stage).
        tool_results: Results of the tools that ran in this turn.
    """

    user_turn: str
    tool_results: Sequence[str] = ()


@dataclass(frozen=True)
class GateVerdict:
    """Whether a write may run, and why not.

    Attributes:
        allowed: True when the user asked for the action and every argument traces.
        label: ``unrequested_write`` or ``untraced_argument`` when refused.
        detail: A sentence naming the tool and, for an untraced value, the argument
            (never the value).
    """

    allowed: bool
    label: str = ""
    detail: str = ""


class WriteGate:
    """Decides whether a write-tool call follows from the user's own request.

    Args:
        intents: One :class:`ToolIntent` per write tool; a write tool without one is
            judged on its name alone.
        exempt_tools: Tools the gate lets through (the approval tool only records a
            request for a human).
    """

    def __init__(self, intents: Iterable[ToolIntent], exempt_tools: Iterable[str] = ()) -> None:
        self.intents = {i.name: i for i in intents}
        self.exempt_tools = frozenset(exempt_tools)

    def check(self, name: str, args: Mapping[str, Any], evidence: TurnEvidence) -> GateVerdict:
        """Judge one write-tool call against the turn's evidence."""
        if name in self.exempt_tools:
            return GateVerdict(True)
        intent = self.intents.get(name) or ToolIntent.from_schema(name, "", {})
        if not self._asked(intent, evidence.user_turn):
            return GateVerdict(
                False,
                "unrequested_write",
                f"the user's turn does not ask for {name!r}; only the user can ask for a write",
            )
        sources = [evidence.user_turn, *evidence.tool_results]
        for path, value in _leaves(args):
            top = path.split(".", 1)[0].split("[", 1)[0]
            if top in intent.exempt_args or intent.defaults.get(top, _MISSING) == value:
                continue
            if not _traces(value, sources):
                return GateVerdict(
                    False,
                    "untraced_argument",
                    f"argument {path!r} of {name!r} comes neither from the user's turn nor "
                    "from a tool result",
                )
        return GateVerdict(True)

    @staticmethod
    def _asked(intent: ToolIntent, user_turn: str) -> bool:
        words = {_stem(w) for w in _words(user_turn)}
        if words & intent.terms:
            return True
        return bool(_bigrams(user_turn) & intent.cjk_terms)


_MISSING = object()


def _leaves(value: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _traces(value: Any, sources: Sequence[str]) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        wanted = abs(float(value))
        return any(
            abs(abs(n) - wanted) <= 1e-9 * max(1.0, wanted) for s in sources for n in numbers_in(s)
        )
    text = str(value)
    compact = _compact(text)
    if not compact:
        return True
    if any(compact in _compact(s) for s in sources):
        return True
    # Free text the model worded itself: most of its words must be the user's or a tool's.
    words = _words(text) | _bigrams(text)
    if len(words) < 3:
        return False
    seen = set().union(*(_words(s) | _bigrams(s) for s in sources))
    return len(words & seen) >= 0.6 * len(words)
