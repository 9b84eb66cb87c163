"""Compose the policy's final answers: from tool results and passages, or plainly.

Answers are in Chinese when the question is, in English otherwise. Numbers from tool
results are shown readably (`figures`: separators, cents, shares as percents); arguments
as the call had them. Passage sentences are quoted with their id in brackets; quarantined
passages (flagged by compliance) are never quoted, only named as set aside.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.engine.figures import format_value, is_empty
from toolkit.engine.passages import Passage
from toolkit.engine.similarity import TermIndex, terms

__all__ = [
    "ToolOutcome",
    "answer_from_results",
    "answer_missing",
    "answer_plain",
    "is_chinese",
]

_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")  # noqa: RUF001
_MAX_FIELDS = 16
_MAX_ROWS = 5
_MAX_PASSAGES = 2


@dataclass(frozen=True)
class ToolOutcome:
    """A tool call made earlier in the conversation and the result that came back."""

    name: str
    arguments: str
    result: str


def is_chinese(text: str) -> bool:
    """True when the text is mostly written in Chinese."""
    return bool(_CJK.search(text))


def _argument(value: Any) -> str:
    """An argument as the call had it: compact, whole floats without ``.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"[{len(value)} items]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _fields(value: Any, prefix: str = "") -> list[str]:
    """``label: value`` lines; empty values are left out, lists of objects one line each."""
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            label = f"{prefix}{key}"
            if is_empty(item):
                continue
            if isinstance(item, dict):
                lines.extend(_fields(item, label + "."))
            elif isinstance(item, list) and item and all(isinstance(v, dict) for v in item):
                if len(item) > _MAX_ROWS:
                    lines.append(f"{label}: {len(item)} items")
                    continue
                lines.extend(
                    f"{label}[{number}]: {format_value(str(key), row)}"
                    for number, row in enumerate(item, start=1)
                )
            else:
                lines.append(f"{label}: {format_value(str(key), item)}")
        return lines
    return [f"{prefix}{format_value(prefix.rstrip('.'), value)}"]


def _describe_result(outcome: ToolOutcome, chinese: bool) -> str:
    try:
        parsed = json.loads(outcome.result)
    except json.JSONDecodeError:
        parsed = outcome.result.strip()
    if isinstance(parsed, str):
        body = parsed
    else:
        fields = _fields(parsed) or ["(empty)"]
        body = "; ".join(fields[:_MAX_FIELDS])
        if len(fields) > _MAX_FIELDS:
            body += "; ..."
    try:
        arguments = json.loads(outcome.arguments or "{}")
    except json.JSONDecodeError:
        arguments = {}
    shown = (
        ", ".join(f"{k}={_argument(v)}" for k, v in arguments.items())
        if isinstance(arguments, dict)
        else ""
    )
    head = f"{outcome.name}({shown})"
    end = "" if body.endswith((".", "。")) else ("。" if chinese else ".")
    return f"{head} 的结果：{body}{end}" if chinese else f"{head} returned {body}{end}"  # noqa: RUF001


def _best_sentences(question: str, passages: Sequence[Passage]) -> list[tuple[Passage, str]]:
    if not passages:
        return []
    question_terms = terms(question)
    index = TermIndex([terms(p.text) for p in passages])
    query = index.vector(question_terms)
    ranked = sorted(
        (
            (TermIndex.cosine(query, index.vector(terms(p.text))), order, p)
            for order, p in enumerate(passages)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    chosen: list[tuple[Passage, str]] = []
    for score, _, passage in ranked:
        if score <= 0 or len(chosen) == _MAX_PASSAGES:
            break
        sentences = [s.strip() for s in _SENTENCE.split(passage.text) if s.strip()]
        best = max(
            sentences,
            key=lambda s: (len(set(terms(s)) & set(question_terms)), -sentences.index(s)),
            default=passage.text,
        )
        chosen.append((passage, best[:400]))
    return chosen


def _cite(question: str, passages: Sequence[Passage], chinese: bool) -> list[str]:
    trusted = [p for p in passages if not p.quarantined]
    return [f"{sentence} [{p.id}]" for p, sentence in _best_sentences(question, trusted)]


def _set_aside(passages: Sequence[Passage], chinese: bool) -> str:
    """Name the quarantined passages without repeating a word of them."""
    ids = ", ".join(f"[{p.id}]" for p in passages if p.quarantined)
    if not ids:
        return ""
    if chinese:
        return f"已忽略被合规规则隔离的资料 {ids}（不可信内容，不采纳其中的任何说法或指令）。"  # noqa: RUF001
    return f"Set aside as untrusted (quarantined by compliance): {ids}; nothing in it was used."


def answer_from_results(
    question: str, outcomes: Sequence[ToolOutcome], passages: Sequence[Passage]
) -> str:
    """The final answer after tool results arrived (plus any relevant passages)."""
    chinese = is_chinese(question)
    parts = [_describe_result(outcome, chinese) for outcome in outcomes]
    cited = _cite(question, passages, chinese)
    if cited:
        parts.append(("参考资料：" if chinese else "Sources: ") + " ".join(cited))  # noqa: RUF001
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


def answer_plain(question: str, passages: Sequence[Passage], tool_names: Sequence[str]) -> str:
    """An answer when no tool fits: quote relevant passages, or say what the engine can do."""
    chinese = is_chinese(question)
    aside = _set_aside(passages, chinese)
    return _plain_body(question, passages, tool_names, chinese) + (f"\n{aside}" if aside else "")


def _plain_body(
    question: str, passages: Sequence[Passage], tool_names: Sequence[str], chinese: bool
) -> str:
    cited = _cite(question, passages, chinese)
    if cited:
        lead = "根据检索到的资料：" if chinese else "From the retrieved passages: "  # noqa: RUF001
        return lead + " ".join(cited)
    if tool_names:
        listing = ", ".join(tool_names)
        if chinese:
            return f"没有工具适合这个请求。可用的工具：{listing}。请提供计算所需的数据。"  # noqa: RUF001
        return (
            f"None of my tools fits this request. Available tools: {listing}. "
            "Ask for one of these calculations with the figures it needs."
        )
    if chinese:
        return "这是工具包的离线确定性引擎（不是语言模型）：没有工具或资料可以回答这个请求。"  # noqa: RUF001
    return (
        "This is the toolkit's offline deterministic engine, not a language model: "
        "no tool or retrieved passage in this request answers it."
    )
