"""The deterministic policy: what the embedded engine "says". Not a language model.

Given a validated request it either calls tools or answers:

1. If the latest non-context message is a tool result, answer from the results of the last
   round of tool calls and the request's retrieved passages (never call tools again).
2. Otherwise rank the tools by TF-IDF similarity of the latest user turn to each tool's
   name, description and `Examples:` line; call every tool scoring close to the best whose
   required arguments can be filled from the text (`arguments.fill_arguments`).
   A tool none of whose arguments is read from the text (only defaults, or a bare number
   where a unit is expected) is called only on a close match (`NO_ARGUMENT_THRESHOLD`);
   a request naming the same tool's inputs in several clauses ("Is IBAN ... valid? And
   card ...?") gives one call per clause (`segment_arguments`).
3. If the best tool lacks required arguments, ask for them (unless nothing was read for it
   and the match is loose); if no tool fits, answer from the passages or plainly.

Trailing context messages (system or user messages holding passages with ids, placed after
the history) are read as retrieval context, not as the question. Same request, same answer:
there is no randomness, clock or process state involved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.arguments import fill_arguments
from toolkit.engine.compose import ToolOutcome, answer_from_results, answer_missing, answer_plain
from toolkit.engine.passages import Passage, find_passages, strip_passages
from toolkit.engine.request import ChatRequest, Message, ToolSpec
from toolkit.engine.similarity import TermIndex, terms

__all__ = ["Decision", "decide", "rank_tools", "segment_arguments", "segments", "split_examples"]

ABSOLUTE_THRESHOLD = 0.12
STRONG_THRESHOLD = 0.3
NO_ARGUMENT_THRESHOLD = 0.5
RELATIVE_THRESHOLD = 0.8
MAX_CALLS = 4
_SEGMENT_END = re.compile(r"(?<=[?!;。？！；])\s*|(?<=\.)\s+")  # noqa: RUF001
_CLAUSE_END = re.compile(
    r"(?<=[?!;。？！；，、])\s*|(?<=[.,])\s+|\s+(?:and|or)\s+|(?:以及|和|及|或)",  # noqa: RUF001
    re.IGNORECASE,
)
# A value masked upstream (compliance redaction): a run of mask characters.
_MASKED = re.compile(r"[*•●]{4,}|\[REDACTED[^\]]*\]", re.IGNORECASE)
_EXAMPLES = re.compile(r"^\s*Examples?:\s*(.*)$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """The policy's output: tool calls to make (name, arguments) or a text answer."""

    content: str = ""
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = field(default_factory=tuple)


def split_examples(description: str) -> tuple[str, list[str]]:
    """Split a tool description into its text and its `Examples:` line's examples."""
    match = _EXAMPLES.search(description)
    if not match:
        return description, []
    examples = [e.strip() for e in match.group(1).split(" | ") if e.strip()]
    return (description[: match.start()] + description[match.end() :]).strip(), examples


def rank_tools(question: str, tools: Sequence[ToolSpec]) -> list[tuple[float, ToolSpec]]:
    """Tools by similarity to the question, best first (ties keep request order)."""
    if not tools:
        return []
    documents: list[list[str]] = []
    parts: list[tuple[list[str], list[list[str]]]] = []
    for tool in tools:
        text, examples = split_examples(tool.description)
        base = terms(tool.name) * 2 + terms(text) + _parameter_terms(tool)
        example_terms = [terms(example) for example in examples]
        parts.append((base, example_terms))
        documents.append(base + [t for ex in example_terms for t in ex])
    index = TermIndex(documents)
    query = index.vector(terms(question))
    scored = []
    for order, (tool, (base, example_list)) in enumerate(zip(tools, parts, strict=True)):
        score = TermIndex.cosine(query, index.vector(base))
        for example in example_list:
            score = max(score, TermIndex.cosine(query, index.vector(example)))
        scored.append((score, order, tool))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, tool) for score, _, tool in scored]


def segments(text: str, *, clauses: bool = False) -> list[str]:
    """The sentences of a request, or with `clauses` its clauses.

    Sentences end at ? ! ; and full stops; clauses also at ", ", Chinese commas and
    "and"/"or"/和/及/或.
    """
    pattern = _CLAUSE_END if clauses else _SEGMENT_END
    return [part.strip() for part in pattern.split(text) if part and part.strip()]


def segment_arguments(schema: dict[str, Any], text: str) -> list[dict[str, Any]] | None:
    """One argument set per sentence (else per clause) when several fill the tool alone.

    "Is IBAN GB82 ... valid? And card 4111...?" asks the same tool twice. A part counts
    only when every required argument is read from the part itself (not a default, an
    enum fallback or a unit-less guess); fewer than two distinct such parts means one call
    over the whole text.
    """
    required = [name for name in schema.get("required", []) if isinstance(name, str)]
    for clauses in (False, True):
        parts = segments(text, clauses=clauses)
        if len(parts) < 2:
            continue
        found: list[dict[str, Any]] = []
        for part in parts:
            filled = fill_arguments(schema, part)
            if filled.missing or not filled.extracted:
                continue
            if any(name in filled.defaulted or name in filled.weak for name in required):
                continue
            if filled.arguments not in found:
                found.append(filled.arguments)
        if len(found) >= 2:
            return found
    return None


def _parameter_terms(tool: ToolSpec) -> list[str]:
    properties = tool.parameters.get("properties") or {}
    found: list[str] = []
    for name, prop in properties.items():
        found.extend(terms(name))
        if isinstance(prop, dict):
            found.extend(terms(str(prop.get("description", ""))))
    return found


_CONTEXT_HEADER = re.compile(
    r"^\W*(context|reference|retrieved|retrieval|passages|sources|documents|knowledge|参考|资料|检索)",
    re.IGNORECASE,
)


def _is_context(message: Message, previous: Message | None) -> bool:
    """A trailing system message, or a user message holding passages that is not a new turn."""
    if message.role not in ("system", "developer", "user"):
        return False
    if message.role != "user":
        return True
    if not find_passages(message.content):
        return False
    residual = strip_passages(message.content)
    return (
        len(terms(residual)) < 3
        or bool(_CONTEXT_HEADER.match(residual))
        or (previous is not None and previous.role in ("user", "tool"))
    )


def _split_tail(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    """(conversation, trailing context messages); the first system prompt is never context."""
    end = len(messages)
    while end > 1 and _is_context(messages[end - 1], messages[end - 2]):
        end -= 1
    return list(messages[:end]), list(messages[end:])


def _question(conversation: Sequence[Message]) -> tuple[str, int]:
    for index in range(len(conversation) - 1, -1, -1):
        if conversation[index].role == "user":
            content = conversation[index].content
            return (strip_passages(content) if find_passages(content) else content), index
    return "", -1


def _collect_passages(messages: Sequence[Message]) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for message in messages:
        if message.role == "assistant":
            continue
        for passage in find_passages(message.content):
            seen.setdefault(passage.id, passage)
    return list(seen.values())


def _outcomes(conversation: Sequence[Message]) -> list[ToolOutcome]:
    index = len(conversation) - 1
    while index >= 0 and conversation[index].role == "tool":
        index -= 1
    if index < 0 or not conversation[index].tool_calls:
        return []
    calls = {call.id: call for call in conversation[index].tool_calls}
    outcomes = []
    for message in conversation[index + 1 :]:
        call = calls.get(message.tool_call_id or "")
        if call is not None:
            outcomes.append(ToolOutcome(call.name, call.arguments, message.content))
    return outcomes


def decide(request: ChatRequest) -> Decision:
    """Decide the assistant's turn for a validated request.

    Args:
        request: the validated chat request.

    Returns:
        Tool calls, or a text answer.
    """
    conversation, context = _split_tail(request.messages)
    question, question_index = _question(conversation)
    passages = _collect_passages(
        conversation[max(question_index, 0) :] + context if question_index >= 0 else context
    )
    tool_names = [tool.name for tool in request.tools]
    if conversation and conversation[-1].role == "tool":
        return Decision(content=answer_from_results(question, _outcomes(conversation), passages))
    if request.tool_choice == "none" or not request.tools or not question.strip():
        return Decision(content=answer_plain(question, passages, tool_names))
    ranked = rank_tools(question, request.tools)
    forced = (
        request.tool_choice.removeprefix("function:")
        if request.tool_choice.startswith("function:")
        else None
    )
    if forced is not None:
        ranked = [(1.0, tool) for _, tool in ranked if tool.name == forced]
    best = ranked[0][0] if ranked else 0.0
    must_call = forced is not None or request.tool_choice == "required"
    if best < ABSOLUTE_THRESHOLD and not must_call:
        return Decision(content=answer_plain(question, passages, tool_names))
    calls: list[tuple[str, dict[str, Any]]] = []
    first_missing: tuple[ToolSpec, list[str]] | None = None
    limit = MAX_CALLS if request.parallel_tool_calls else 1
    for score, tool in ranked:
        if score < max(ABSOLUTE_THRESHOLD, RELATIVE_THRESHOLD * best) and not (
            must_call and not calls
        ):
            break
        filled = fill_arguments(tool.parameters, question)
        # Arguments actually read from the text: not defaults, not unit-less guesses.
        read = [name for name in filled.extracted if name not in filled.weak]
        # Nothing in the text feeds this tool: a loose match is neither a call nor a
        # reason to ask for data ("How much does Fund A return?" is not an IRB query).
        if (
            not read
            and tool.parameters.get("properties")
            and not must_call
            and score < (STRONG_THRESHOLD if filled.missing else NO_ARGUMENT_THRESHOLD)
        ):
            continue
        if filled.missing:
            if not calls:
                # The best match lacks data: ask for it rather than call a weaker match.
                first_missing = (tool, filled.missing)
                break
            continue
        per_segment = segment_arguments(tool.parameters, question)
        for arguments in per_segment or [filled.arguments]:
            calls.append((tool.name, arguments))
            if len(calls) == limit:
                break
        if len(calls) == limit:
            break
    if calls:
        return Decision(tool_calls=tuple(calls))
    if first_missing is not None:
        tool, missing = first_missing
        properties = tool.parameters.get("properties") or {}
        described = [
            (name, str(properties.get(name, {}).get("description", "")).rstrip("."))
            for name in missing
        ]
        redacted = bool(_MASKED.search(question))
        return Decision(content=answer_missing(question, tool.name, described, redacted=redacted))
    return Decision(content=answer_plain(question, passages, tool_names))


def arguments_json(arguments: dict[str, Any]) -> str:
    """Arguments serialized the way the engine emits them (stable, UTF-8)."""
    return json.dumps(arguments, ensure_ascii=False)
