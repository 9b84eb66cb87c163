"""Compose the policy's final answers: from tool results and passages, or plainly.

Answers are in Chinese when the question is, in English otherwise. Numbers from tool
results are quoted as the tools returned them; passage sentences are quoted with their id
in brackets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
_MAX_FIELDS = 12
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


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _fields(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            label = f"{prefix}{key}"
            if isinstance(item, dict):
                lines.extend(_fields(item, label + "."))
            elif isinstance(item, list) and len(item) > 5:
                lines.append(f"{label}: {len(item)} items")
            else:
                lines.append(f"{label}: {_scalar(item)}")
        return lines
    if isinstance(value, list):
        if len(value) > 5:
            return [f"{prefix}{len(value)} items"]
        return [f"{prefix}{_scalar(value)}"]
    return [f"{prefix}{_scalar(value)}"]


def _describe_result(outcome: ToolOutcome, chinese: bool) -> str:
    try:
        parsed = json.loads(outcome.result)
    except json.JSONDecodeError:
        parsed = outcome.result.strip()
    if isinstance(parsed, str):
        body = parsed
    else:
        fields = _fields(parsed)
        body = "; ".join(fields[:_MAX_FIELDS])
        if len(fields) > _MAX_FIELDS:
            body += "; ..."
    try:
        arguments = json.loads(outcome.arguments or "{}")
    except json.JSONDecodeError:
        arguments = {}
    shown = (
        ", ".join(f"{k}={_scalar(v)}" for k, v in arguments.items())
        if isinstance(arguments, dict)
        else ""
    )
    head = f"{outcome.name}({shown})"
    return f"{head} 的结果：{body}。" if chinese else f"{head} returned {body}."  # noqa: RUF001


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
    lines = []
    for passage, sentence in _best_sentences(question, passages):
        lines.append(f"{sentence} [{passage.id}]")
    return lines


def answer_from_results(
    question: str, outcomes: Sequence[ToolOutcome], passages: Sequence[Passage]
) -> str:
    """The final answer after tool results arrived (plus any relevant passages)."""
    chinese = is_chinese(question)
    parts = [_describe_result(outcome, chinese) for outcome in outcomes]
    cited = _cite(question, passages, chinese)
    if cited:
        parts.append(("参考资料：" if chinese else "Sources: ") + " ".join(cited))  # noqa: RUF001
    return "\n".join(parts)


def answer_missing(question: str, tool: str, missing: Sequence[tuple[str, str]]) -> str:
    """Ask for the arguments a matching tool needs but the request does not give."""
    chinese = is_chinese(question)
    described = ", ".join(f"{name} ({desc})" if desc else name for name, desc in missing)
    if chinese:
        return f"要使用 {tool}，还需要以下信息：{described}。请补充后再问。"  # noqa: RUF001
    return f"To run {tool} I need: {described}. Please provide them and ask again."


def answer_plain(question: str, passages: Sequence[Passage], tool_names: Sequence[str]) -> str:
    """An answer when no tool fits: quote relevant passages, or say what the engine can do."""
    chinese = is_chinese(question)
    cited = _cite(question, passages, chinese)
    if cited:
        return ("根据检索到的资料：" if chinese else "From the retrieved passages: ") + " ".join(  # noqa: RUF001
            cited
        )
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
