"""Defaults that stood in for something the user said: found, and said in the answer.

After a tool ran, the question is read again against the tool's schema. A parameter is an
assumption when the call used its default (or left it to the tool's default) although the
question speaks of it:

* the argument reader reports it as mentioned but unreadable (``Filled.unread``: the
  parameter and the words it could not read), or
* the question holds a *distinctive* word of the parameter: a content word of its name or
  description that no other parameter of the tool, and not the tool's own name or
  description, uses, and that is not merely its unit ("quarterly" in "(12 = monthly, 4 =
  quarterly)" is; "weight" shared with another parameter, or "days" as the unit, is not).

A default the question does not touch (a policy cap nobody mentioned) is no assumption.

Each assumption becomes one sentence in a fixed form, so evaluation can count them:
``Assumed <parameter> = <value> (the default): could not read '<words>'.`` in English,
the same starting ``假设 <parameter> = <value>`` (then 默认值, 无法读取) in Chinese. A line of
the answer starting with ``Assumed `` or ``假设 `` and then ``<name> = `` is one assumption.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.engine.arguments import fill_arguments
from toolkit.engine.similarity import terms

__all__ = [
    "ASSUMPTION_LINE",
    "Assumption",
    "assumptions_for_calls",
    "describe_assumption",
    "find_assumptions",
]

ASSUMPTION_LINE = re.compile(r"^(?:Assumed|假设) [^\s=]+ = ", re.MULTILINE)
"""Matches the start of each assumption sentence in an answer (one match per assumption)."""

# Words that say how a value is measured, not which value: never a mention by themselves.
_UNIT_WORDS = frozenset(
    ["day", "month", "year", "hour", "minute", "second", "week", "percent", "fraction",
     "decimal", "currency", "amount", "value", "number", "count", "rate", "ratio", "default",
     "policy", "setting", "optional", "known", "given", "true", "false", "when", "else"]
)  # fmt: skip


@dataclass(frozen=True)
class Assumption:
    """A default the engine used for a parameter the question speaks of.

    Attributes:
        tool: The tool called.
        parameter: The parameter's name.
        value: The value the call ran with (the default).
        words: What the question said about it that was not read.
    """

    tool: str
    parameter: str
    value: Any
    words: str


def _content(text: str) -> set[str]:
    return {t for t in terms(text) if len(t) > 2 or not t.isascii()}


def _vocabulary(schema: Mapping[str, Any]) -> set[str]:
    """Content words of a (sub)schema's name-free text: descriptions, enums, nested fields."""
    found = _content(str(schema.get("description", "")))
    for value in schema.get("enum") or []:
        found |= _content(str(value))
    items = schema.get("items")
    if isinstance(items, Mapping):
        found |= _vocabulary(items)
    for name, prop in (schema.get("properties") or {}).items():
        found |= _content(str(name))
        if isinstance(prop, Mapping):
            found |= _vocabulary(prop)
    return found


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _leaf_text(value: Any) -> str:
    """The strings inside an argument value (keys too), joined by spaces."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(f"{k} {_leaf_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(_leaf_text(v) for v in value)
    return ""


def _question_words(question: str, wanted: set[str]) -> str:
    """The question's own words behind `wanted` terms, in order, for the sentence."""
    words = [w for w in re.findall(r"[\w'-]+", question) if _content(w) & wanted]
    return " ".join(dict.fromkeys(words)) or " ".join(sorted(wanted))


def find_assumptions(
    question: str,
    tool: str,
    description: str,
    parameters: Mapping[str, Any],
    arguments: Mapping[str, Any],
) -> list[Assumption]:
    """The defaults of one call that stand in for something the question said.

    Args:
        question: The user's turn.
        tool: The tool's name.
        description: The tool's description.
        parameters: The tool's parameter schema.
        arguments: The arguments the call ran with.

    Returns:
        One assumption per parameter, in schema order (empty when there is none).
    """
    properties = parameters.get("properties") or {}
    if not isinstance(properties, Mapping) or not question.strip():
        return []
    filled = fill_arguments(dict(parameters), question)
    reported = getattr(filled, "unread", None) or {}
    # A mapping (parameter -> the words it could not read) as planned; a bare collection of
    # names is taken too, naming the parameter itself.
    unread: Mapping[str, Any] = (
        reported if isinstance(reported, Mapping) else {str(n): str(n) for n in reported}
    )
    read = set(filled.extracted) - set(filled.weak)
    asked = _content(question)
    own = {
        name: _vocabulary(prop) | _content(name) if isinstance(prop, Mapping) else _content(name)
        for name, prop in properties.items()
    }
    general = _content(tool) | _content(description)
    found: list[Assumption] = []
    for name, prop in properties.items():
        if not isinstance(prop, Mapping):
            continue
        # Read from the question and used by the call: no stand-in. Read but the call ran
        # with the default anyway (another model's call): still an assumption.
        if name in read and filled.arguments.get(name) == arguments.get(name, prop.get("default")):
            continue
        if name in arguments and "default" in prop and arguments[name] != prop["default"]:
            continue  # the call set something else than the default: not a stand-in
        if name not in arguments and "default" not in prop:
            continue
        value = arguments.get(name, prop.get("default"))
        if name in unread:
            found.append(Assumption(tool, name, value, str(unread[name]).strip()))
            continue
        others = set().union(*(words for other, words in own.items() if other != name))
        unit = _content(str(prop.get("x-unit", "")))
        # A word the call passes as another argument's value was read ("fog", a level of
        # the grid argument, is no unread mention of an example in this one's description).
        passed = _content(
            " ".join(_leaf_text(v) for other, v in arguments.items() if other != name)
        )
        distinctive = own[name] - others - general - unit - _UNIT_WORDS - passed
        mentioned = asked & distinctive
        if mentioned:
            found.append(Assumption(tool, name, value, _question_words(question, mentioned)))
    return found


def describe_assumption(assumption: Assumption, *, chinese: bool = False) -> str:
    """One assumption as a sentence in the engine's fixed form (see the module docstring)."""
    value = _shown(assumption.value)
    if chinese:
        return f"假设 {assumption.parameter} = {value}（默认值）：无法读取“{assumption.words}”。"  # noqa: RUF001
    return (
        f"Assumed {assumption.parameter} = {value} (the default): "
        f"could not read '{assumption.words}'."
    )


def assumptions_for_calls(
    question: str,
    calls: Sequence[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]],
) -> list[Assumption]:
    """Assumptions over several calls: (tool, description, parameters, arguments) each."""
    found: list[Assumption] = []
    for tool, description, parameters, arguments in calls:
        for assumption in find_assumptions(question, tool, description, parameters, arguments):
            if assumption not in found:
                found.append(assumption)
    return found
