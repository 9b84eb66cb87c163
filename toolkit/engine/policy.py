"""The deterministic policy: what the embedded engine "says". Not a language model.

Given a validated request it either calls tools or answers:

1. If the latest non-context message is a tool result, answer from the results of the last
   round of tool calls and the request's retrieved passages (never call tools again).
2. Otherwise rank the tools by TF-IDF similarity of the latest user turn to each tool's
   name, description and `Examples:` line; call every tool scoring close to the best whose
   required arguments can be filled from the text (`arguments.fill_arguments`).
   A tool none of whose arguments is read from the text (only defaults, or a bare number
   where a unit is expected) is called only on a close match (`NO_ARGUMENT_THRESHOLD`);
   a request naming the same tool's inputs in several clauses ("Is code X valid? And
   code Y?") gives one call per clause (`segment_arguments`).
3. If the best tool lacks required arguments, ask for them (unless nothing was read for it
   and the match is loose); if no tool fits, answer from the passages or plainly.

Trailing context messages (system or user messages holding passages with ids, placed after
the history) are read as retrieval context, not as the question. Same request, same answer:
there is no randomness, clock or process state involved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from toolkit.engine.arguments import fill_arguments
from toolkit.engine.assumptions import Assumption, assumptions_for_calls
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
COVERAGE_WEIGHT = 0.5
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
    """Tools by similarity to the question, best first (ties keep request order).

    Each tool is one document: its name (twice), description, parameter names and
    descriptions, and its `Examples:` line. The score is the mean of two views: the TF-IDF
    cosine of question and document, and the share of the question's terms (IDF-weighted;
    terms no tool knows count in full) that the document contains. The second view favours
    the tool that explains most of the question over one that merely shares a few common
    words with a short example.
    """
    if not tools:
        return []
    documents: list[list[str]] = []
    for tool in tools:
        text, examples = split_examples(tool.description)
        base = _rank_terms(tool.name) * 2 + _rank_terms(text) + _parameter_terms(tool)
        documents.append(base + [t for example in examples for t in _rank_terms(example)])
    index = TermIndex(documents)
    asked = _rank_terms(question)
    query = index.vector(asked)
    weights = {term: index.idf(term) for term in set(asked)}
    total = sum(weights.values())
    scored = []
    for order, (tool, document) in enumerate(zip(tools, documents, strict=True)):
        present = set(document)
        coverage = (
            sum(w for term, w in weights.items() if term in present) / total if total else 0.0
        )
        cosine = TermIndex.cosine(query, index.vector(document))
        scored.append((COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * cosine, order, tool))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(score, tool) for score, _, tool in scored]


def _rank_by_parts(question: str, tools: Sequence[ToolSpec]) -> list[tuple[float, ToolSpec]]:
    """Rank on the whole question and on each of its clauses.

    A question in several parts ("length of this route, and how long does it take at
    80 km/h?") matches each part's tool best within that part, where the whole question
    dilutes both. Within each clause whose best match passes `ABSOLUTE_THRESHOLD`, scores
    are scaled so the clause's best tool ties with the best tool of the whole question;
    a tool keeps its highest scaled score (ties: the whole question's order).
    """
    whole = rank_tools(question, tools)
    clauses = _task_clauses(question)
    if len(clauses) < 2 or not whole:
        return whole
    top = whole[0][0]
    best = {tool.name: score for score, tool in whole}
    for clause in clauses:
        ranked = rank_tools(clause, tools)
        clause_best = ranked[0][0] if ranked else 0.0
        if clause_best < ABSOLUTE_THRESHOLD:
            continue
        for score, tool in ranked:
            best[tool.name] = max(best[tool.name], score * max(top, clause_best) / clause_best)
    order = {tool.name: index for index, (_, tool) in enumerate(whole)}
    ranked_tools = sorted(tools, key=lambda tool: (-round(best[tool.name], 9), order[tool.name]))
    return [(best[tool.name], tool) for tool in ranked_tools]


def _task_clauses(question: str) -> list[str]:
    """The clauses long enough to name a task (three or more distinct terms).

    Shorter ones ("30 years", "6%") would match any tool's examples.
    """
    return [c for c in segments(question, clauses=True) if len(set(_rank_terms(c))) >= 3]


def segments(text: str, *, clauses: bool = False) -> list[str]:
    """The sentences of a request, or with `clauses` its clauses.

    Sentences end at ? ! ; and full stops; clauses also at ", ", Chinese commas and
    "and"/"or"/和/及/或.
    """
    pattern = _CLAUSE_END if clauses else _SEGMENT_END
    return [part.strip() for part in pattern.split(text) if part and part.strip()]


def segment_arguments(
    schema: dict[str, Any], text: str, *, asks: Callable[[str], bool] | None = None
) -> list[dict[str, Any]] | None:
    """One argument set per sentence (else per clause) when several fill the tool alone.

    "Is code X valid? And code Y?" asks the same tool twice. A part counts
    only when every required argument is read from the part itself (not a default, an
    enum fallback, a unit-less guess, or the part's own text standing in for a string
    nothing located: "What is the weather in San Francisco, CA?" is one request, not
    one per clause); fewer than two distinct such parts means one call over the whole text.
    A tool with nothing required fills from almost any part, so with `asks` given such a
    part counts only when `asks(part)` says it asks for the tool ("S1、E3、C3" are three
    classes of one question, not three approval requests).
    """
    required = [name for name in schema.get("required", []) if isinstance(name, str)]
    # With nothing required, a part asks on its own only when it reads everything the
    # whole request reads ("grand mean 10, range 0.2" is one question, not two).
    whole = set(fill_arguments(schema, text).extracted) if not required else set()
    for clauses in (False, True):
        parts = segments(text, clauses=clauses)
        if len(parts) < 2:
            continue
        found: list[dict[str, Any]] = []
        readings: list[dict[str, Any]] = []
        for part in parts:
            filled = fill_arguments(schema, part)
            if filled.missing or not filled.extracted:
                continue
            if any(name in filled.defaulted or name in filled.weak for name in required):
                continue
            if not whole <= set(filled.extracted):
                continue
            if not required and asks is not None and not asks(part):
                continue
            # What the part says, without free text standing in for a whole part (a
            # summary): "brakes squeal and the car pulls left when braking" is one report.
            said = {
                name: value
                for name, value in filled.arguments.items()
                if name in filled.labelled or not isinstance(value, str)
            }
            if filled.arguments not in found:
                found.append(filled.arguments)
                readings.append(said)
        distinct = [
            index
            for index, said in enumerate(readings)
            if not any(
                other != index
                and said.items() <= readings[other].items()
                and (said != readings[other] or other < index)
                for other in range(len(readings))
            )
        ]
        if len(distinct) >= 2:
            return [found[index] for index in distinct]
    return None


def _answered_part(question: str, called: set[str], tools: Sequence[ToolSpec]) -> str:
    """The clauses of the question that the called tools answer (all of it if none stands out).

    Sources quoted next to tool results are chosen for these clauses only, so a clause no
    tool served (a second, unrelated question) does not pull in passages about it.
    """
    clauses = segments(question, clauses=True)
    if len(clauses) < 2 or not called:
        return question
    kept = []
    for clause in clauses:
        ranked = rank_tools(clause, tools)
        best = ranked[0][0] if ranked else 0.0
        served = max((score for score, tool in ranked if tool.name in called), default=0.0)
        if served >= ABSOLUTE_THRESHOLD and served >= RELATIVE_THRESHOLD * best:
            kept.append(clause)
    return " ".join(kept) if kept else question


def _rank_terms(text: str) -> list[str]:
    """Terms for tool choice, without single Latin letters.

    "C" of "C-1001" or "K" are sample values or symbols, not words, and would make a tool's
    example ids look like a topic.
    """
    return [term for term in terms(text) if len(term) > 1 or not term.isascii()]


def _parameter_terms(tool: ToolSpec) -> list[str]:
    properties = tool.parameters.get("properties") or {}
    found: list[str] = []
    for name, prop in properties.items():
        found.extend(_rank_terms(name))
        if isinstance(prop, dict):
            found.extend(_rank_terms(str(prop.get("description", ""))))
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


def _outcomes(conversation: Sequence[Message], tools: Sequence[ToolSpec]) -> list[ToolOutcome]:
    index = len(conversation) - 1
    while index >= 0 and conversation[index].role == "tool":
        index -= 1
    if index < 0 or not conversation[index].tool_calls:
        return []
    calls = {call.id: call for call in conversation[index].tool_calls}
    schemas = {tool.name: tool.parameters for tool in tools}
    outcomes = []
    for message in conversation[index + 1 :]:
        call = calls.get(message.tool_call_id or "")
        if call is not None:
            outcomes.append(
                ToolOutcome(call.name, call.arguments, message.content, schemas.get(call.name))
            )
    return outcomes


def _assumptions(
    question: str, outcomes: Sequence[ToolOutcome], tools: Sequence[ToolSpec]
) -> list[Assumption]:
    """Defaults the calls ran with although the question speaks of those parameters."""
    specs = {tool.name: tool for tool in tools}
    calls = []
    for outcome in outcomes:
        spec = specs.get(outcome.name)
        try:
            arguments = json.loads(outcome.arguments or "{}")
        except json.JSONDecodeError:
            continue
        if spec is not None and isinstance(arguments, dict):
            calls.append((spec.name, spec.description, spec.parameters, arguments))
    return assumptions_for_calls(question, calls)


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
        outcomes = _outcomes(conversation, request.tools)
        focus = _answered_part(question, {o.name for o in outcomes}, request.tools)
        assumed = _assumptions(question, outcomes, request.tools)
        return Decision(
            content=answer_from_results(
                question, outcomes, passages, focus=focus, assumptions=assumed
            )
        )
    descriptions = {tool.name: split_examples(tool.description)[0] for tool in request.tools}
    if request.tool_choice == "none" or not request.tools or not question.strip():
        return Decision(
            content=answer_plain(question, passages, tool_names, descriptions=descriptions)
        )
    ranked = _rank_by_parts(question, request.tools)
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
        ranked = _read_in_full(question, ranked)
        best = ranked[0][0] if ranked else 0.0
    if best < ABSOLUTE_THRESHOLD and not must_call:
        return Decision(
            content=answer_plain(question, passages, tool_names, descriptions=descriptions)
        )
    candidates: list[_Candidate] = []
    first_missing: tuple[ToolSpec, list[str]] | None = None
    bar = best  # the best score still in play: the tools within reach of it are called
    for position, (score, tool) in enumerate(ranked):
        if score < max(ABSOLUTE_THRESHOLD, RELATIVE_THRESHOLD * bar) and not (
            must_call and not candidates
        ):
            break
        # A tool that requires nothing reads some value from almost any text: it reads only
        # the clauses that ask for it first, and is no call when none does. Passed over, it
        # sets no bar for the tools ranked below it.
        own_text = question
        optional_only = bool(
            tool.parameters.get("properties")
            and not tool.parameters.get("required")
            and not must_call
        )
        if optional_only:
            own_text = _asking_text(tool, question, request.tools)
        filled = fill_arguments(tool.parameters, own_text)
        # Arguments actually read from the text: not defaults, not unit-less guesses.
        read = [name for name in filled.extracted if name not in filled.weak]
        # Nothing in the text feeds this tool: a loose match is neither a call nor a
        # reason to ask for data (a question sharing one topic word with a tool is no call).
        if not own_text or (
            not read
            and tool.parameters.get("properties")
            and not must_call
            and score < (STRONG_THRESHOLD if filled.missing else NO_ARGUMENT_THRESHOLD)
        ):
            if optional_only and not candidates and position + 1 < len(ranked):
                bar = ranked[position + 1][0]
            continue
        # Asking for data is for a clear match, or when the text already gives most of it
        # (one word naming a category a tool accepts is no question for that tool).
        if (
            filled.missing
            and not must_call
            and score < STRONG_THRESHOLD
            and len(read) < len(filled.missing)
        ):
            continue
        if filled.missing and must_call and not candidates:
            # A forced call cannot ask for data: it carries what the text gives, and the
            # tool's own validation names what is missing (no value is made up for it).
            candidates.append(_Candidate(tool, filled.arguments, _leaves(filled.arguments)))
            break
        if filled.missing:
            if not candidates:
                # The best match lacks data: ask for it rather than call a weaker match.
                first_missing = (tool, filled.missing)
                break
            continue
        per_segment = (
            None
            if _lists_objects(filled.arguments) or _lists_values(filled.arguments)
            else segment_arguments(
                tool.parameters,
                own_text,
                asks=partial(_asks_for, tool, tools=request.tools),
            )
        )
        if per_segment:
            candidates.extend(
                _Candidate(tool, arguments, _leaves(arguments)) for arguments in per_segment
            )
        else:
            values = _leaves({name: filled.arguments[name] for name in read})
            candidates.append(_Candidate(tool, filled.arguments, values))
        if len(candidates) >= 2 * MAX_CALLS:
            break
    limit = MAX_CALLS if request.parallel_tool_calls else 1
    if candidates and not must_call:
        candidates.extend(_parts_read_in_full(question, request.tools, candidates))
    kept = _focused(question, _without_redundant(candidates), request.tools)
    calls = [(c.tool.name, c.arguments) for c in kept][:limit]
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
    return Decision(content=answer_plain(question, passages, tool_names, descriptions=descriptions))


def _asks_for(tool: ToolSpec, text: str, *, tools: Sequence[ToolSpec]) -> bool:
    """Whether `text` ranks `tool` first (ties count; a text sharing no word asks for none)."""
    ranked = rank_tools(text, tools)
    best = ranked[0][0] if ranked else 0.0
    return best >= ABSOLUTE_THRESHOLD and any(
        t.name == tool.name and score >= best for score, t in ranked
    )


def _asking_text(tool: ToolSpec, question: str, tools: Sequence[ToolSpec]) -> str:
    """The part of the question that asks for `tool`: "" when none does.

    A question of one task clause asks for the tool it ranks first. In a question of
    several, only the clauses ranking the tool first ask for it: in "rated S1、E3、C3,
    what integrity level?" no clause asks for an approval, so "S1" is no approval subject.
    """
    if len(_task_clauses(question)) < 2:
        return question if _asks_for(tool, question, tools=tools) else ""
    asking = [c for c in segments(question, clauses=True) if _asks_for(tool, c, tools=tools)]
    return " ".join(asking)


def _read_in_full(
    question: str, ranked: list[tuple[float, ToolSpec]]
) -> list[tuple[float, ToolSpec]]:
    """The one tool whose required inputs the text gives in full, when no tool's words match.

    A Chinese request to English tools shares no word with them; a tool whose required
    inputs are all read from the text with evidence (`_given_in_full`) is then the match.
    Bare numbers alone ("3 kids and 2 dogs") call nothing. When only one tool shares any
    word with the request, one input read with evidence is enough: "Gasoline is pooling
    under my SUV" names the `fuel_system` value (by the alias its description gives) of
    the only tool that mentions gasoline at all.
    """
    complete = [tool for _, tool in ranked if _given_in_full(tool, question)]
    if len(complete) != 1:
        matched = [tool for score, tool in ranked if score > 0]
        complete = [tool for tool in matched if _given_in_full(tool, question, min_evidence=1)]
        if len(matched) != 1 or len(complete) != 1:
            return ranked
    return [(STRONG_THRESHOLD, complete[0])] + [(s, t) for s, t in ranked if t is not complete[0]]


def _given_in_full(tool: ToolSpec, text: str, *, min_evidence: int = 2) -> dict[str, Any] | None:
    """The tool's arguments when `text` gives its required inputs with evidence, else None.

    Evidence: every required input read (none defaulted, none weak) and at least two of
    them read with evidence (`Filled.labelled`: a number with a label or matching unit, a
    string from its own place in the text, an enum value named), a list of several objects
    counting for two.
    """
    required = [r for r in tool.parameters.get("required", []) if isinstance(r, str)]
    if not required:
        return None
    filled = fill_arguments(tool.parameters, text)
    if filled.missing or any(n in filled.defaulted or n in filled.weak for n in required):
        return None
    evidence = sum(
        2 if _lists_objects({name: filled.arguments.get(name)}) else name in filled.labelled
        for name in required
    )
    return filled.arguments if evidence >= min_evidence else None


def _parts_read_in_full(
    question: str, tools: Sequence[ToolSpec], candidates: list[_Candidate]
) -> list[_Candidate]:
    """Tools a part of a multi-part question asks for, missed by ranking on the whole.

    A sentence or clause whose best-ranked tool is not called yet, and which gives that
    tool's required inputs in full by itself (two or more with a label or matching unit,
    none defaulted or weak), adds a call: "Erlang B for 18 erlangs on 25 channels, and the
    link budget for ..." calls both tools. Parts with no such reading add nothing.
    """
    called = {c.tool.name for c in candidates}
    added: list[_Candidate] = []
    for part in segments(question) + segments(question, clauses=True):
        ranked = rank_tools(part, tools)
        if not ranked or ranked[0][0] < ABSOLUTE_THRESHOLD or ranked[0][1].name in called:
            continue
        tool = ranked[0][1]
        arguments = _given_in_full(tool, part)
        if arguments is None:
            continue
        called.add(tool.name)
        added.append(_Candidate(tool, arguments, _leaves(arguments)))
    return added


def _lists_objects(arguments: dict[str, Any]) -> bool:
    """Whether a list of several objects was read: one call over all of them, not per clause."""
    return any(
        isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value)
        for value in arguments.values()
    )


def _lists_values(arguments: dict[str, Any]) -> bool:
    """Whether a series of three or more numbers was read as one list argument.

    "900, 950, 980, ..." is one series, not one clause per number: one call over all of it.
    """
    return any(
        isinstance(value, list)
        and len(value) >= 3
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        for value in arguments.values()
    )


def _focused(
    question: str, candidates: list[_Candidate], tools: Sequence[ToolSpec]
) -> list[_Candidate]:
    """With several different tools called, each reads the parts that ask for it.

    "RevPAR for 240 rooms at 96 ... ? Also quote 12 rooms for 2 nights ..." gives each tool
    its own sentence (else its own clauses). A tool its parts alone do not fill keeps its
    whole-text reading only when that reading takes no value another call reads: in
    "area of a 40 m by 25 m plot, and how much water does it need at 5 mm a day?" a
    water tool with no area of its own does not borrow the plot's 40 m; that call is
    dropped rather than made with a borrowed figure.
    """
    names = {c.tool.name for c in candidates}
    parts = segments(question)
    if len(parts) < 2:
        parts = _task_clauses(question)
    if len(names) < 2 or len(parts) < 2:
        return candidates
    best_for: dict[str, list[str]] = {}
    for part in parts:
        # Ranked among all the request's tools (their IDF tells the words apart), then
        # given to the best-ranked tool that is called.
        # A part that fills one tool completely by itself is that tool's part.
        ranked = [(sc, t) for sc, t in rank_tools(part, tools) if t.name in names]
        ranked = [(sc, t) for sc, t in ranked if sc >= ABSOLUTE_THRESHOLD]
        complete = [t for _, t in ranked if not fill_arguments(t.parameters, part).missing]
        if complete or ranked:
            owner = complete[0] if complete else ranked[0][1]
            best_for.setdefault(owner.name, []).append(part)
    # A tool called once per clause already read each call from its own clause.
    per_clause = {name for name in names if sum(c.tool.name == name for c in candidates) > 1}
    focused = []
    for candidate in candidates:
        own = best_for.get(candidate.tool.name)
        if own and candidate.tool.name not in per_clause:
            filled = fill_arguments(candidate.tool.parameters, " ".join(own))
            if not filled.missing and not filled.weak and filled.extracted:
                focused.append(_Candidate(candidate.tool, filled.arguments, candidate.values))
                continue
            others = frozenset().union(
                *(c.values for c in candidates if c.tool.name != candidate.tool.name)
            )
            if filled.missing and candidate.values & others:
                continue
        focused.append(candidate)
    return focused


@dataclass(frozen=True)
class _Candidate:
    tool: ToolSpec
    arguments: dict[str, Any]
    values: frozenset[str]  # the values it read from the text, normalized


def _leaves(value: Any) -> frozenset[str]:
    if isinstance(value, dict):
        return frozenset().union(*(_leaves(v) for v in value.values()))
    if isinstance(value, list):
        return frozenset().union(*(_leaves(v) for v in value))
    if isinstance(value, bool) or value is None:
        return frozenset([json.dumps(value)])
    if isinstance(value, int | float):
        return frozenset([f"{float(value):.6g}"])
    return frozenset([re.sub(r"[\s-]", "", str(value)).casefold()])


def _without_redundant(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop a tool whose every value read is also read by another, fuller tool.

    A request listing several amounts for one subject id matches a screening tool and an
    escalation tool that would only use the id: the screening tool
    explains the request; the escalation is not what was asked. Equal readings keep the
    better-ranked tool. Calls of one tool (one per clause) never drop each other.
    """
    kept = []
    for index, candidate in enumerate(candidates):
        if not candidate.values and not candidate.tool.parameters.get("properties"):
            kept.append(candidate)
            continue
        redundant = any(
            other.tool.name != candidate.tool.name
            and candidate.values <= other.values
            and (candidate.values < other.values or other_index < index)
            for other_index, other in enumerate(candidates)
        )
        if not redundant:
            kept.append(candidate)
    return kept


def arguments_json(arguments: dict[str, Any]) -> str:
    """Arguments serialized the way the engine emits them (stable, UTF-8)."""
    return json.dumps(arguments, ensure_ascii=False)
