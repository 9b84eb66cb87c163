"""Compose the policy's final answers: from tool results and passages, or plainly.

Answers are in Chinese when the question is, in English otherwise. A tool result is told
field by field from the tool's result schema (``x-result`` next to its parameters): each
field under its description, shortened to a label (or its name when the description is a
formula), its value shown as the schema's unit says (`figures`); lists of rows as a count
with their first and last rows. Passage sentences are quoted only when the passage is
relevant to the question (`is_relevant`) and cited by document title and section;
quarantined passages (flagged by compliance) are never quoted, only named as set aside.
A question no tool fits and no passage is relevant to gets a plain "outside what I cover"
and the list of what the tools do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.assumptions import Assumption, describe_assumption
from toolkit.engine.figures import format_value, is_empty
from toolkit.engine.passages import Passage
from toolkit.engine.similarity import TermIndex, terms

__all__ = [
    "RELEVANCE_MIN_SHARED",
    "RELEVANCE_SHARE",
    "ToolOutcome",
    "answer_from_results",
    "answer_missing",
    "answer_plain",
    "field_label",
    "is_chinese",
    "is_relevant",
]

RELEVANCE_SHARE = 0.5
"""Share of the question's content terms that makes a passage relevant on its own."""
RELEVANCE_MIN_SHARED = 2
"""Content terms shared with the question that make a passage relevant whatever the share."""

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")  # noqa: RUF001
_MAX_FIELDS = 16
_FEW_ROWS = 3
_MAX_PASSAGES = 2
_MAX_LABEL_WORDS = 8
# Words that ask rather than say: they never make a passage relevant.
_FILLER = frozenset(
    ["need", "want", "know", "like", "today", "now", "help", "question", "answer", "thank",
     "thanks", "hello", "hi", "current", "currently", "right", "also", "just"]
)  # fmt: skip
# A word that is part of a formula: an operator, a snake_case name, a symbol (a single
# letter other than the articles "a"/"I", or a Greek letter), or a lone minus.
_FORMULA = re.compile(r"[·×*/=+^√<>≤≥_\u0370-\u03ff]|^[b-zB-HJ-Z][.,;:]?$|^-$")  # noqa: RUF001
_CLAUSE = re.compile(r"\s*(?:[,;:(]|\.\s|\.$|\s-\s|\s–\s)")  # noqa: RUF001
_BOOLEAN_LEAD = re.compile(r"^(?:true|whether)\b", re.IGNORECASE)
_ELIDED = re.compile(r"^\W*(\d+) more items\W*$")


@dataclass(frozen=True)
class ToolOutcome:
    """A tool call made earlier in the conversation and the result that came back.

    Attributes:
        name: The tool's name.
        arguments: The call's arguments as JSON text.
        result: The tool message's content.
        parameters: The tool's parameter schema from the request (with ``x-result`` when
            the tool declares its result), or None when the request no longer lists it.
    """

    name: str
    arguments: str
    result: str
    parameters: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def result_schema(self) -> dict[str, Any]:
        """The declared result schema (``x-result``), or an empty schema."""
        declared = (self.parameters or {}).get("x-result")
        return declared if isinstance(declared, dict) else {}


def is_chinese(text: str) -> bool:
    """True when the text is mostly written in Chinese."""
    return bool(_CJK.search(text))


def _humanize(name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ").split()
    if len(words) == 1 and len(words[0]) <= 3:
        return words[0]  # "kva", "K": an abbreviation or symbol, shown as its tool wrote it
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def field_label(name: str, schema: Mapping[str, Any] | None, *, chinese: bool = False) -> str:
    """How a result field is named in an answer: its description, shortened, or its name.

    The description's first clause is used (up to a comma, semicolon, colon, parenthesis or
    full stop); words after a formula (``12.5·K``, ``a / b``, ``snake_case``) are dropped,
    and a label of fewer than two words, or longer than eight, falls back to the field's
    name. Booleans described as "True when ..." use the name. A Chinese answer uses the
    first run of Chinese in the description when there is one.
    """
    description = str((schema or {}).get("description") or "").strip()
    if chinese and (run := _CJK_RUN.search(description)):
        return run.group(0)
    description = re.sub(r"[（(][^)）]*[\u3400-\u9fff][^)）]*[)）]", "", description)  # noqa: RUF001
    if not description or _BOOLEAN_LEAD.match(description) or not description[0].isalpha():
        return _humanize(name)
    parts = _CLAUSE.split(description, maxsplit=1)
    clause = parts[0].strip()
    first_sentence = re.split(r"[;.]\s", parts[1], maxsplit=1)[0] if len(parts) > 1 else ""
    if re.search(r"\bor\b", first_sentence):
        return _humanize(name)  # the clause is one alternative of several: not a label
    words: list[str] = []
    for word in clause.split():
        if _FORMULA.search(word):
            break
        words.append(word)
    if not 2 <= len(words) <= _MAX_LABEL_WORDS:
        return _humanize(name)
    return " ".join(words)


def _is_sentence(value: Any) -> bool:
    return (
        isinstance(value, str)
        and " " in value.strip()
        and value.rstrip().endswith(
            (".", "!", "?", "。", "！", "？")  # noqa: RUF001
        )
    )


def _elided(items: list[Any]) -> int | None:
    """How many items a shortened list left out, from its `... N more items ...` marker."""
    for item in items:
        if isinstance(item, str) and (match := _ELIDED.match(item)):
            return int(match.group(1))
    return None


def _row(row: dict[str, Any], schema: Mapping[str, Any], chinese: bool) -> str:
    properties = schema.get("properties") or {}
    sep = "，" if chinese else ", "  # noqa: RUF001
    return sep.join(
        f"{_humanize(str(key)).lower() if not chinese else key} "
        f"{format_value(str(key), item, properties.get(key), chinese=chinese)}"
        for key, item in row.items()
        if not is_empty(item)
    )


def _rows(label: str, items: list[Any], schema: Mapping[str, Any], chinese: bool) -> str:
    """A list of objects in one line: its size, and its rows or its first and last row."""
    rows = [item for item in items if isinstance(item, dict)]
    elided = _elided(items)
    count = len(rows) + (elided or 0)
    item_schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    assert isinstance(item_schema, dict)
    if not rows:
        return f"{label}：无" if chinese else f"{label}: none"  # noqa: RUF001
    if count <= _FEW_ROWS and elided is None:
        shown = [_row(row, item_schema, chinese) for row in rows]
        if chinese:
            return f"{label}（{count} 条）：" + "；".join(shown)  # noqa: RUF001
        if count == 1:
            return f"{label} (1): {shown[0]}"
        return f"{label} ({count}): " + "; ".join(f"{n}) {s}" for n, s in enumerate(shown, 1))
    first, last = _row(rows[0], item_schema, chinese), _row(rows[-1], item_schema, chinese)
    if chinese:
        return f"{label}：共 {count} 行；第一行：{first}；最后一行：{last}"  # noqa: RUF001
    return f"{label}: {count} rows; first: {first}; last: {last}"


def _lines(value: Any, schema: Mapping[str, Any], chinese: bool) -> list[str]:
    """One line per result field, in the result's order; empty values are left out."""
    if not isinstance(value, dict):
        if isinstance(value, list) and value and all(isinstance(v, dict | str) for v in value):
            return [_rows("结果" if chinese else "Rows", value, schema, chinese)]
        return [format_value("", value, schema, chinese=chinese)]
    properties = schema.get("properties") or {}
    colon = "：" if chinese else ": "  # noqa: RUF001
    lines: list[str] = []
    for key, item in value.items():
        name = str(key)
        item_schema = properties.get(name) if isinstance(properties.get(name), dict) else {}
        assert isinstance(item_schema, dict)
        objects = isinstance(item, list) and any(isinstance(v, dict) for v in item)
        rows_schema = item_schema.get("items")
        declared_rows = isinstance(rows_schema, dict) and (
            rows_schema.get("type") == "object" or "properties" in rows_schema
        )
        if is_empty(item) and not (isinstance(item, list) and declared_rows):
            continue
        label = field_label(name, item_schema, chinese=chinese)
        if isinstance(item, list) and (objects or declared_rows):
            # A list's description tells what one row is; the list is named by its field.
            lines.append(_rows(_humanize(name), item, item_schema, chinese))
        elif isinstance(item, list) and (elided := _elided(item)) is not None:
            # A list shortened upstream ("... 348 more items ..."): say its real size.
            count = len(item) - 1 + elided
            lines.append(f"{label}{colon}{count} 项" if chinese else f"{label}: {count} items")
        elif _is_sentence(item) and not isinstance(item_schema.get("enum"), list):
            lines.append(str(item).strip())
        else:
            shown = format_value(name, item, item_schema, chinese=chinese)
            lines.append(f"{label}{colon}{shown}")
    return lines


def _argument_text(outcome: ToolOutcome, chinese: bool) -> str:
    try:
        arguments = json.loads(outcome.arguments or "{}")
    except json.JSONDecodeError:
        arguments = {}
    if not isinstance(arguments, dict):
        return ""
    properties = (outcome.parameters or {}).get("properties") or {}
    # In the tool's own parameter order: the canonical JSON of a request sorts `properties`,
    # but `required` is a list and keeps the order the tool declared.
    required = [n for n in (outcome.parameters or {}).get("required") or [] if isinstance(n, str)]
    declared = list(dict.fromkeys([*required, *properties]))
    order = {name: index for index, name in enumerate(declared)}
    shown = []
    for name, value in sorted(arguments.items(), key=lambda kv: order.get(kv[0], len(order))):
        schema = properties.get(name) if isinstance(properties.get(name), dict) else None
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            text = f"{len(value)} 项" if chinese else f"{len(value)} items"
        else:
            # As the user would write it: "6%", not the three significant digits of a result.
            text = re.sub(
                r"(\.\d*?)0+%$|\.0+%$",
                lambda m: (m.group(1) or "").rstrip(".") + "%",
                format_value(name, value, schema, chinese=chinese),
            )
        shown.append(f"{name} {text}")
    return ("，" if chinese else ", ").join(shown)  # noqa: RUF001


def _describe_result(outcome: ToolOutcome, chinese: bool) -> str:
    try:
        parsed = json.loads(outcome.result)
    except json.JSONDecodeError:
        parsed = outcome.result.strip()
    shown = _argument_text(outcome, chinese)
    if chinese:
        head = f"{outcome.name}（{shown}）的结果：" if shown else f"{outcome.name} 的结果："  # noqa: RUF001
    else:
        head = f"Result of {outcome.name} ({shown}):" if shown else f"Result of {outcome.name}:"
    if isinstance(parsed, str):
        return f"{head}{parsed}" if chinese else f"{head} {parsed}"
    lines = _lines(parsed, outcome.result_schema, chinese) or ["（空）" if chinese else "(empty)"]  # noqa: RUF001
    if len(lines) > _MAX_FIELDS:
        lines = [*lines[:_MAX_FIELDS], "……" if chinese else "..."]
    end = "。" if chinese else "."
    body = [line if line.endswith((".", "。", "...", "……")) else line + end for line in lines]
    return "\n".join([head, *(f"- {line}" for line in body)])


def _content_terms(text: str) -> set[str]:
    return {t for t in terms(text) if (len(t) > 1 or not t.isascii()) and t not in _FILLER}


def is_relevant(question: str, passage_text: str) -> bool:
    """Whether a passage speaks to the question, so that quoting it helps.

    The rule: count the question's content terms (terms after stop words, single Latin
    letters and asking words like "need" are dropped) that the passage (with its title and
    section, when the caller includes them) also holds; it is relevant with at least
    `RELEVANCE_MIN_SHARED` of them, or at least one making up `RELEVANCE_SHARE` of the
    question's terms. "What's the weather in Paris?" shares no content term with a lending
    policy, and "Will it rain in Paris this month?" only "month": nothing is quoted.
    """
    wanted = _content_terms(question)
    if not wanted:
        return False
    shared = len(wanted & _content_terms(passage_text))
    return shared >= RELEVANCE_MIN_SHARED or (
        shared > 0 and shared >= RELEVANCE_SHARE * len(wanted)
    )


def _best_sentences(question: str, passages: Sequence[Passage]) -> list[tuple[Passage, str]]:
    # A passage's title and section say what it is about as much as its words do.
    relevant = [p for p in passages if is_relevant(question, f"{p.title}\n{p.section}\n{p.text}")]
    if not relevant:
        return []
    question_terms = terms(question)
    index = TermIndex([terms(p.text) for p in relevant])
    query = index.vector(question_terms)
    ranked = sorted(
        (
            (TermIndex.cosine(query, index.vector(terms(p.text))), order, p)
            for order, p in enumerate(relevant)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    chosen: list[tuple[Passage, str]] = []
    for _, _, passage in ranked:
        if len(chosen) == _MAX_PASSAGES:
            break
        # Table cells read badly out of their table: only the prose around them is quoted.
        prose = _TABLE_RUN.sub(" ", passage.text)
        sentences = [_plain(s) for s in _SENTENCE.split(prose) if _plain(s)]
        if not sentences:
            continue
        best = max(
            sentences,
            key=lambda s: (len(set(terms(s)) & set(question_terms)), -sentences.index(s)),
            default=passage.text,
        )
        chosen.append((passage, best[:400]))
    return chosen


_TABLE_RUN = re.compile(r"(?:\|[^|\n]*){2,}\|")
_MARKUP = re.compile(r"\*\*|__|`")
_LEAD = re.compile(r"^(?:[-*+>#]+\s+|\d+[.)]\s+)+")


def _plain(sentence: str) -> str:
    """A quoted sentence without Markdown emphasis or a leading list marker."""
    return _LEAD.sub("", _MARKUP.sub("", " ".join(sentence.split()))).strip()


def _source(passage: Passage, chinese: bool) -> str:
    if chinese:
        inner = "，".join(x for x in (passage.title, passage.section) if x) or passage.id  # noqa: RUF001
        return f"（{inner}）"  # noqa: RUF001
    return f"({passage.source})"


def _cite(question: str, passages: Sequence[Passage], chinese: bool) -> list[str]:
    trusted = [p for p in passages if not p.quarantined]
    cited = []
    for passage, sentence in _best_sentences(question, trusted):
        space = "" if chinese and not sentence.isascii() else " "
        cited.append(f"- {sentence}{space}{_source(passage, chinese)}")
    return cited


def _set_aside(passages: Sequence[Passage], chinese: bool) -> str:
    """Name the quarantined passages by their source, without repeating a word of them."""
    names = list(dict.fromkeys(p.source for p in passages if p.quarantined))
    if not names:
        return ""
    if chinese:
        listed = "；".join(names)  # noqa: RUF001
        return f"已忽略被合规规则隔离的资料：{listed}（不可信内容，不采纳其中的任何说法或指令）。"  # noqa: RUF001
    return (
        f"Set aside as untrusted (quarantined by compliance): {'; '.join(names)}; "
        "nothing in it was used."
    )


def answer_from_results(
    question: str,
    outcomes: Sequence[ToolOutcome],
    passages: Sequence[Passage],
    *,
    focus: str | None = None,
    assumptions: Sequence[Assumption] = (),
) -> str:
    """The final answer after tool results arrived (plus any relevant passages).

    Args:
        question: the user's turn (sets the answer's language).
        outcomes: the tool calls and their results.
        passages: retrieved passages.
        focus: the part of the question the tools answered; sources are chosen for it
            (defaults to the whole question).
        assumptions: defaults that stood in for something the question said; each gets
            one sentence in the engine's fixed form (`describe_assumption`).
    """
    chinese = is_chinese(question)
    parts = [_describe_result(outcome, chinese) for outcome in outcomes]
    notes = list(dict.fromkeys(describe_assumption(a, chinese=chinese) for a in assumptions))
    parts.extend(notes)
    cited = _cite(focus if focus is not None else question, passages, chinese)
    if cited:
        parts.append("\n".join(["参考资料：" if chinese else "Sources:", *cited]))  # noqa: RUF001
    aside = _set_aside(passages, chinese)
    if aside:
        parts.append(aside)
    return "\n".join(parts)


def answer_missing(
    question: str, tool: str, missing: Sequence[tuple[str, str]], *, redacted: bool = False
) -> str:
    """Ask for the arguments a matching tool needs but the request does not give.

    With `redacted`, say that part of the request was masked before it reached the engine
    (a masked account number cannot be read back, so asking again would not help).
    """
    chinese = is_chinese(question)
    described = ", ".join(f"{name} ({desc})" if desc else name for name, desc in missing)
    if chinese:
        if redacted:
            return f"请求中的部分内容在到达本引擎前已被遮蔽，无法读取 {tool} 所需的：{described}。"  # noqa: RUF001
        return f"要使用 {tool}，还需要以下信息：{described}。请补充后再问。"  # noqa: RUF001
    if redacted:
        return (
            f"Part of the request was masked before it reached me, so I cannot read what "
            f"{tool} needs: {described}."
        )
    return f"To run {tool} I need: {described}. Please provide them and ask again."


def answer_plain(
    question: str,
    passages: Sequence[Passage],
    tool_names: Sequence[str],
    *,
    descriptions: Mapping[str, str] | None = None,
) -> str:
    """An answer when no tool fits: quote relevant passages, or say what is not covered.

    Args:
        question: the user's turn (sets the answer's language).
        passages: retrieved passages; only relevant ones are quoted (`is_relevant`).
        tool_names: the tools offered, listed as what the agent can do.
        descriptions: each tool's description (its first sentence is shown).
    """
    chinese = is_chinese(question)
    aside = _set_aside(passages, chinese)
    body = _plain_body(question, passages, tool_names, descriptions or {}, chinese)
    return body + (f"\n{aside}" if aside else "")


_CJK_ASIDE = re.compile(r"\s*[（(][^()（）]*[\u3400-\u9fff][^()（）]*[)）]")  # noqa: RUF001


def _first_sentence(description: str, chinese: bool) -> str:
    """A tool description's first sentence, without Markdown code marks.

    An English answer leaves out the Chinese asides a pack adds for Chinese readers.
    """
    text = description.split("\n", 1)[0].strip().replace("`", "")
    if not chinese:
        text = _CJK_ASIDE.sub("", text)
        text = re.sub(r"\s*[（(]\s*[;；,，]?\s*[)）]", "", text)  # noqa: RUF001
    return _SENTENCE.split(text, maxsplit=1)[0].strip().rstrip(".。")


def _plain_body(
    question: str,
    passages: Sequence[Passage],
    tool_names: Sequence[str],
    descriptions: Mapping[str, str],
    chinese: bool,
) -> str:
    cited = _cite(question, passages, chinese)
    if cited:
        lead = "根据检索到的资料：" if chinese else "From the documents:"  # noqa: RUF001
        return "\n".join([lead, *cited])
    if tool_names:
        colon = "：" if chinese else ": "  # noqa: RUF001
        listing = [
            f"- {name}{colon}{_first_sentence(descriptions[name], chinese)}"
            if descriptions.get(name)
            else f"- {name}"
            for name in tool_names
        ]
        if chinese:
            lead = "这个问题超出了本助手的工具和资料所能回答的范围。我可以做的是："  # noqa: RUF001
        else:
            lead = "This question is outside what my tools and documents cover. What I can do:"
        return "\n".join([lead, *listing])
    if chinese:
        return (
            "这个问题超出了本助手的工具和资料所能回答的范围"
            "（这是工具包的离线确定性引擎，不是语言模型）。"  # noqa: RUF001
        )
    return (
        "This question is outside what my tools and documents cover (this is the "
        "toolkit's offline deterministic engine, not a language model)."
    )
