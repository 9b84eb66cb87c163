"""Spans named and attributed by the OpenTelemetry GenAI semantic conventions.

Span names follow the conventions: ``chat {model}``, ``invoke_agent {agent}``,
``execute_tool {tool}``, ``retrieval {data source}``; compliance decisions, which the
conventions do not cover, are ``compliance {stage}`` spans with ``toolkit.*`` attributes.
Message contents (``gen_ai.input.messages``, ``gen_ai.output.messages``,
``gen_ai.system_instructions``, tool arguments and results, the retrieval query) are
recorded only when contents are opted in, and always through the PII masker.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry import trace

from toolkit.observability import metrics, tracing

__all__ = [
    "AGENT_NAME",
    "CONTENT_ATTRIBUTES",
    "CONVERSATION_ID",
    "DATA_SOURCE_ID",
    "INPUT_MESSAGES",
    "OPERATION_NAME",
    "OUTPUT_MESSAGES",
    "PROVIDER_NAME",
    "REQUEST_MODEL",
    "RESPONSE_MODEL",
    "RETRIEVAL_QUERY",
    "SYSTEM_INSTRUCTIONS",
    "TOOL_CALL_ARGUMENTS",
    "TOOL_CALL_ID",
    "TOOL_CALL_RESULT",
    "TOOL_NAME",
    "USAGE_CACHE_CREATION_INPUT_TOKENS",
    "USAGE_CACHE_READ_INPUT_TOKENS",
    "USAGE_INPUT_TOKENS",
    "USAGE_OUTPUT_TOKENS",
    "Search",
    "Turn",
    "agent_span",
    "count_tool_call",
    "decision_span",
    "end_agent_turn",
    "end_retrieval",
    "end_tool_call",
    "messages_to_semconv",
    "record_chat",
    "retrieval_span",
    "short_hash",
    "tool_span",
]

OPERATION_NAME = "gen_ai.operation.name"
PROVIDER_NAME = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
CONVERSATION_ID = "gen_ai.conversation.id"
AGENT_NAME = "gen_ai.agent.name"
DATA_SOURCE_ID = "gen_ai.data_source.id"
USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens"
USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
RETRIEVAL_QUERY = "gen_ai.retrieval.query.text"
CONTENT_ATTRIBUTES = frozenset(
    {
        INPUT_MESSAGES,
        OUTPUT_MESSAGES,
        SYSTEM_INSTRUCTIONS,
        TOOL_CALL_ARGUMENTS,
        TOOL_CALL_RESULT,
        RETRIEVAL_QUERY,
    }
)
"""Attributes that hold message contents: recorded only when opted in, always masked."""


def short_hash(value: str) -> str:
    """First 16 hex digits of SHA-256: identifies a key without revealing it."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}] if content else []
    return [
        {"type": "text", "content": str(block.get("text", ""))}
        for block in content or ()
        if isinstance(block, Mapping) and block.get("type") == "text"
    ]


def messages_to_semconv(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """OpenAI chat messages as the conventions' (system instructions, input messages)."""
    system: list[dict[str, Any]] = []
    converted: list[dict[str, Any]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        parts = _text_parts(message.get("content"))
        if role in ("system", "developer"):
            system += parts
            continue
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            parts.append(
                {
                    "type": "tool_call",
                    "id": call.get("id"),
                    "name": function.get("name"),
                    "arguments": function.get("arguments"),
                }
            )
        if role == "tool":
            parts = [
                {
                    "type": "tool_call_response",
                    "id": message.get("tool_call_id"),
                    "response": message.get("content"),
                }
            ]
        converted.append({"role": role, "parts": parts})
    return system, converted


def record_chat(
    *,
    provider: str,
    request_model: str,
    response_model: str | None,
    server: tuple[str | None, int | None],
    endpoint: str,
    started_perf: float,
    conversation: str | None,
    affinity_key: str,
    request: Mapping[str, Any],
    usage: Mapping[str, int] | None = None,
    finish_reason: str | None = None,
    output: Mapping[str, Any] | None = None,
    cost: float | None = None,
    response_cache_hit: bool = False,
    retries: int = 0,
    failover: bool = False,
    error: str | None = None,
) -> None:
    """Record one token-service call as a ``chat {model}`` client span, after the fact.

    Args:
        provider: ``gen_ai.provider.name`` (the endpoint's dialect; ``toolkit.engine``
            for the embedded engine).
        request_model: The model asked for.
        response_model: The model that answered (None when nothing answered).
        server: ``server.address`` and ``server.port`` (None for the in-process engine).
        endpoint: The endpoint label (``model@host``, no credentials).
        started_perf: ``time.perf_counter()`` when the call began.
        conversation: The session id (``gen_ai.conversation.id``), if any.
        affinity_key: The prefix-affinity key; only its hash is recorded.
        request: The neutral request body (messages, temperature, max_tokens...).
        usage: ``prompt_tokens``, ``completion_tokens``, ``cached_tokens``,
            ``cache_write_tokens``.
        finish_reason: As the server reported it.
        output: The assistant message (``content``, ``tool_calls``), for opted-in contents.
        cost: Cost of the call under the price table.
        response_cache_hit: Served from the response cache (nothing sent).
        retries: Failed attempts before the outcome.
        failover: Answered by an endpoint other than the preferred one.
        error: The error type when the call failed.
    """
    if not tracing.active():
        return
    usage = usage or {}
    prompt = usage.get("prompt_tokens", 0)
    cached = usage.get("cached_tokens", 0)
    attributes: dict[str, Any] = {
        OPERATION_NAME: "chat",
        PROVIDER_NAME: provider,
        REQUEST_MODEL: request_model,
        RESPONSE_MODEL: response_model,
        "gen_ai.request.temperature": request.get("temperature"),
        "gen_ai.request.max_tokens": request.get("max_tokens"),
        CONVERSATION_ID: conversation or None,
        "server.address": server[0],
        "server.port": server[1],
        "toolkit.endpoint": endpoint,
        "toolkit.affinity.key_hash": short_hash(affinity_key),
        "toolkit.response_cache.hit": response_cache_hit,
        "toolkit.retries": retries,
        "toolkit.failover": failover,
        "toolkit.cost": cost,
    }
    if usage:
        attributes |= {
            USAGE_INPUT_TOKENS: prompt,
            USAGE_OUTPUT_TOKENS: usage.get("completion_tokens", 0),
            USAGE_CACHE_READ_INPUT_TOKENS: cached,
            USAGE_CACHE_CREATION_INPUT_TOKENS: usage.get("cache_write_tokens", 0),
            "toolkit.cache.hit_ratio": cached / prompt if prompt else None,
        }
    if finish_reason:
        attributes["gen_ai.response.finish_reasons"] = [finish_reason]
    _add_chat_content(attributes, request, output, finish_reason)
    tracing.record_span(
        f"chat {request_model}",
        attributes,
        started_perf=started_perf,
        kind=trace.SpanKind.CLIENT,
        error=error,
    )


def _add_chat_content(
    attributes: dict[str, Any],
    request: Mapping[str, Any],
    output: Mapping[str, Any] | None,
    finish_reason: str | None,
) -> None:
    masked = tracing.masked_content(
        {"messages": list(request.get("messages") or ()), "output": dict(output or {})}
    )
    if masked is None:
        return
    system, messages = messages_to_semconv(masked["messages"])
    if system:
        attributes[SYSTEM_INSTRUCTIONS] = _json(system)
    attributes[INPUT_MESSAGES] = _json(messages)
    if output is not None:
        _, produced = messages_to_semconv([{"role": "assistant", **masked["output"]}])
        attributes[OUTPUT_MESSAGES] = _json(
            [{**produced[0], "finish_reason": finish_reason or "stop"}]
        )


@dataclass
class Turn:
    """One agent turn in progress: its span, and how it ended (set by `end_agent_turn`)."""

    span: trace.Span
    outcome: str = "answered"


@contextlib.contextmanager
def agent_span(*, agent: str, conversation: str, role: str, user_text: str) -> Iterator[Turn]:
    """An ``invoke_agent {agent}`` span around one agent turn; the turn is counted too."""
    attributes: dict[str, Any] = {
        OPERATION_NAME: "invoke_agent",
        AGENT_NAME: agent,
        CONVERSATION_ID: conversation,
        "toolkit.role": role,
    }
    if tracing.active():
        masked = tracing.masked_content(user_text)
        if masked is not None:
            attributes[INPUT_MESSAGES] = _json(
                [{"role": "user", "parts": [{"type": "text", "content": masked}]}]
            )
    started = time.perf_counter()
    turn = Turn(trace.INVALID_SPAN)
    try:
        with tracing.span(f"invoke_agent {agent}", attributes) as current:
            turn.span = current
            yield turn
    except BaseException:
        turn.outcome = "error"
        raise
    finally:
        metrics.AGENT_TURNS.labels(agent, turn.outcome).inc()
        metrics.AGENT_TURN_SECONDS.labels(agent).observe(time.perf_counter() - started)


def end_agent_turn(
    turn: Turn,
    *,
    answer: str,
    usage: Mapping[str, float],
    tool_calls: int,
    refused: bool,
) -> None:
    """Put a finished turn's totals (and, opted in, its masked answer) on its span."""
    turn.outcome = "refused" if refused else "answered"
    current = turn.span
    if not current.is_recording():
        return
    prompt = int(usage.get("prompt_tokens", 0))
    cached = int(usage.get("cached_tokens", 0))
    current.set_attributes(
        {
            USAGE_INPUT_TOKENS: prompt,
            USAGE_OUTPUT_TOKENS: int(usage.get("completion_tokens", 0)),
            USAGE_CACHE_READ_INPUT_TOKENS: cached,
            "toolkit.cost": float(usage.get("cost", 0.0)),
            "toolkit.tool_calls": tool_calls,
            "toolkit.refused": refused,
        }
    )
    if prompt:
        current.set_attribute("toolkit.cache.hit_ratio", cached / prompt)
    masked = tracing.masked_content(answer)
    if masked is not None:
        current.set_attribute(
            OUTPUT_MESSAGES,
            _json([{"role": "assistant", "parts": [{"type": "text", "content": masked}]}]),
        )


@contextlib.contextmanager
def tool_span(name: str, call_id: str | None, arguments: Any) -> Iterator[trace.Span]:
    """An ``execute_tool {name}`` span around one tool call."""
    attributes: dict[str, Any] = {
        OPERATION_NAME: "execute_tool",
        TOOL_NAME: name,
        TOOL_CALL_ID: call_id,
        "gen_ai.tool.type": "function",
    }
    if tracing.active():
        masked = tracing.masked_content(arguments)
        if masked is not None:
            attributes[TOOL_CALL_ARGUMENTS] = _json(masked)
    with tracing.span(f"execute_tool {name}", attributes) as current:
        yield current


def count_tool_call(name: str, status: str) -> None:
    """Count one tool call by outcome (tracing on or off)."""
    metrics.TOOL_CALLS.labels(name, status).inc()


def end_tool_call(current: trace.Span, *, status: str, result: Any) -> None:
    """Put a tool call's status (and, opted in, its masked result) on its span."""
    if not current.is_recording():
        return
    current.set_attribute("toolkit.tool.status", status)
    if status == "error":
        current.set_attribute("error.type", "tool_error")
        current.set_status(trace.StatusCode.ERROR, "tool_error")
    masked = tracing.masked_content(result)
    if masked is not None:
        current.set_attribute(
            TOOL_CALL_RESULT, masked if isinstance(masked, str) else _json(masked)
        )


@dataclass
class Search:
    """One knowledge-store search in progress: its span and its data source."""

    span: trace.Span
    data_source: str


@contextlib.contextmanager
def retrieval_span(*, data_source: str, top_k: int, query: str) -> Iterator[Search]:
    """A ``retrieval {data_source}`` span around one knowledge-store search; counted too."""
    attributes: dict[str, Any] = {
        OPERATION_NAME: "retrieval",
        DATA_SOURCE_ID: data_source,
        "toolkit.retrieval.top_k": top_k,
    }
    if tracing.active():
        masked = tracing.masked_content(query)
        if masked is not None:
            attributes[RETRIEVAL_QUERY] = masked
    started = time.perf_counter()
    try:
        with tracing.span(f"retrieval {data_source}", attributes) as current:
            yield Search(current, data_source)
    finally:
        metrics.RETRIEVALS.labels(data_source).inc()
        metrics.RETRIEVAL_SECONDS.labels(data_source).observe(time.perf_counter() - started)


def end_retrieval(search: Search, *, document_ids: Sequence[str]) -> None:
    """Put what a search found on its span: how many passages, from which documents.

    Args:
        search: The search, as `retrieval_span` yielded it.
        document_ids: The document id of each passage found, best first (never its text).
    """
    metrics.RETRIEVED_PASSAGES.labels(search.data_source).inc(len(document_ids))
    if search.span.is_recording():
        search.span.set_attribute("toolkit.retrieval.results", len(document_ids))
        search.span.set_attribute(
            "toolkit.retrieval.document_ids", list(dict.fromkeys(document_ids))
        )


def decision_span(
    *,
    stage: str,
    action: str,
    rule_ids: Sequence[str],
    tool: str | None = None,
    session: str | None = None,
) -> None:
    """Count one compliance decision, and record it as an instant ``compliance {stage}`` span."""
    metrics.DECISIONS.labels(stage, action).inc()
    for rule in rule_ids:
        metrics.RULE_HITS.labels(rule, stage).inc()
    if not tracing.active():
        return
    with tracing.span(
        f"compliance {stage}",
        {
            "toolkit.compliance.stage": stage,
            "toolkit.compliance.action": action,
            "toolkit.compliance.rule_ids": list(rule_ids),
            TOOL_NAME: tool,
            CONVERSATION_ID: session,
        },
    ):
        pass
