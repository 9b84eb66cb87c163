"""One conversation with a project's agent: retrieval, compliance, tools, usage, trace.

The agent is LangChain's ``create_agent`` on `ChatTokenService`, with the
compliance middleware. Retrieved passages are screened by the retrieval stage
and reach the model as per-turn context at the tail of the request, never
inside the system prompt, so the tools + system prompt + history prefix stays
cacheable across turns and sessions.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from toolkit.agent.harness_tools import harness_tools
from toolkit.agent.project import Project
from toolkit.agent.results import AgentResult, DecisionRecord, ToolCallRecord, UsageSummary
from toolkit.agent.write_gate import write_gate
from toolkit.config import EndpointConfig
from toolkit.errors import UsageError
from toolkit.observability import agent_span, content_masker, end_agent_turn
from toolkit.tooling import ToolSpec, as_langchain_tools

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from toolkit.tokens import TokenClient

__all__ = ["RecordingTransport", "Session"]


class RecordingTransport(httpx.BaseTransport):
    """Keeps the exact JSON body of every chat request, then forwards it.

    Without an inner transport, requests go where their URL points
    (`toolkit.tokens.EndpointTransport`): the ``local`` endpoint to the embedded
    engine in-process (the same request/response code path as HTTP), others to
    the network. The agent never imports the engine itself.
    """

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner
        self._endpoints: httpx.BaseTransport | None = None
        self._lock = threading.Lock()
        self.bodies: list[dict[str, Any]] = []

    def _route(self) -> httpx.BaseTransport:
        if self._inner is not None:
            return self._inner
        with self._lock:
            if self._endpoints is None:
                from toolkit.tokens import EndpointTransport

                self._endpoints = EndpointTransport()
            return self._endpoints

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record the body (chat completions only) and forward the request."""
        if request.url.path.endswith("/chat/completions"):
            try:
                body = json.loads(request.read())
            except ValueError:
                body = None
            if isinstance(body, dict):
                with self._lock:
                    self.bodies.append(body)
        return self._route().handle_request(request)

    def close(self) -> None:
        """Close the transports this one opened."""
        if self._endpoints is not None:
            self._endpoints.close()


def _endpoints(project: Project, override: EndpointConfig | None) -> list[Any]:
    from toolkit.tokens import Endpoint

    configs = [override] if override is not None else project.config.token_service.endpoints
    return [
        Endpoint(
            url=c.url,
            model=c.model,
            dialect=c.dialect,
            api_key_env=c.api_key_env,
            weight=c.weight,
            slots=c.slots,
            **c.model_dump(include={"max_response_bytes", "deadline"}, exclude_none=True),
        )
        for c in configs
    ]


class Session:
    """A conversation with the agent of one project, for one role.

    Args:
        project: The loaded project (`load_project`).
        role: The caller's role; defaults to ``compliance.default_role``.
        endpoint: Use this endpoint instead of the ones in ``toolkit.yaml``.
        chat_model: A chat model to use instead of `ChatTokenService` (tests).
        transport: An httpx transport for every token-service call (tests).
        response_cache: Use the project's response cache (exact repeats cost nothing).
        retrieve: Search the knowledge store each turn.
        context: Deployment facts for this session's rules (``ctx.<name>``), over the
            project's ``compliance.context``.
    """

    def __init__(
        self,
        project: Project,
        *,
        role: str | None = None,
        endpoint: EndpointConfig | None = None,
        chat_model: BaseChatModel | None = None,
        transport: httpx.BaseTransport | None = None,
        response_cache: bool = True,
        retrieve: bool = True,
        context: Mapping[str, str | int | float | bool] | None = None,
    ) -> None:
        from langchain.agents import create_agent

        from toolkit.agent.middleware import HarnessMiddleware
        from toolkit.agent.telemetry import ToolSpanMiddleware
        from toolkit.compliance import AuditLog, ComplianceMiddleware

        self.project = project
        self.role = role or project.config.compliance.default_role
        pack = project.config.pack
        if pack is not None and self.role not in pack.roles:
            # An undeclared role would get only what rules grant everyone, silently.
            raise UsageError(
                f"role {self.role!r} is not one of this project's roles "
                f"({', '.join(pack.roles)}, declared in toolkit.yaml pack.roles); "
                "pick one of them or declare it there"
            )
        self.session_id = uuid.uuid4().hex[:16]
        self._retrieve = retrieve
        self._recorder = RecordingTransport(transport)
        self._specs: list[ToolSpec] = [
            *project.tools,
            *harness_tools(project.config.approval_examples),
        ]
        self._client: TokenClient | None = None
        self._model = chat_model or self._chat_model(endpoint, response_cache=response_cache)
        compliance = project.config.compliance
        self._audit = AuditLog(project.path(compliance.audit_log), key_env=compliance.audit_key_env)
        self._compliance = ComplianceMiddleware(
            project.rules,
            role=self.role,
            audit=self._audit,
            write_tools=[s.name for s in self._specs if s.write],
            context={**compliance.context, **(context or {})} or None,
            session=self.session_id,
            write_gate=write_gate(self._specs),
        )
        self._harness = HarnessMiddleware()
        self._agent = create_agent(
            self._model,
            tools=as_langchain_tools(self._specs),
            system_prompt=project.system_prompt,
            middleware=[ToolSpanMiddleware(), self._compliance, self._harness],
        )
        self._messages: list[Any] = []

    def _chat_model(
        self, endpoint: EndpointConfig | None, *, response_cache: bool
    ) -> BaseChatModel:
        from toolkit.tokens import Budget, PriceTable, TokenClient
        from toolkit.tokens.langchain import ChatTokenService

        service = self.project.config.token_service
        cache = service.response_cache if response_cache else None
        client = TokenClient(
            _endpoints(self.project, endpoint),
            tenant=service.tenant,
            project=self.project.config.project.name,
            cache_path=str(self.project.path(cache)) if cache else None,
            ledger_path=str(self.project.path(service.ledger)) if service.ledger else None,
            budget=Budget(
                max_tokens_per_day=service.budget.daily_tokens,
                max_cost_per_day=service.budget.daily_cost,
            ),
            transport=self._recorder,
            prices=PriceTable(
                {model: price.model_dump() for model, price in service.prices.items()},
                currency=service.currency,
            ),
        )
        self._client = client
        return ChatTokenService(client=client, temperature=0, session_id=self.session_id)

    def _search(self, text: str) -> list[dict[str, Any]]:
        """Retrieve for this turn, then apply the retrieval stage to what was found."""
        if not self._retrieve:
            return []
        from toolkit.compliance.types import Passage as Screened

        found = self.project.store.search(text, k=self.project.config.retrieval.top_k)
        decision = self._compliance.engine.filter_retrieved(
            [
                Screened(text=p.text, id=p.id, metadata={**p.metadata, "doc_id": p.doc_id})
                for p in found
            ]
        )
        self._compliance.decisions.append(decision)
        kept = {p.id: p for p in decision.passages or ()}
        injected = {f.passage for f in decision.findings if f.kind == "injection"}
        retrieved = []
        for index, passage in enumerate(found):
            screened = kept.get(passage.id)
            retrieved.append(
                {
                    "id": passage.id,
                    "doc_id": passage.doc_id,
                    "title": passage.title,
                    "section": passage.section,
                    "score": passage.score,
                    "trust": passage.trust,
                    "quarantined": index in injected,
                    "withheld": screened is None,
                    "redacted": screened is not None and screened.text != passage.text,
                    "text": screened.text if screened is not None else None,
                }
            )
        return retrieved

    def ask(self, text: str) -> AgentResult:
        """Answer one user turn.

        Returns:
            The answer with the tool calls, retrieved ids, compliance decisions, usage and trace.
        """
        with (
            content_masker(self._scrub),
            agent_span(
                agent=self.project.config.project.name,
                conversation=self.session_id,
                role=self.role,
                user_text=text,
            ) as turn,
        ):
            result = self._ask(text)
            end_agent_turn(
                turn,
                answer=result.answer,
                usage=result.usage.model_dump(),
                tool_calls=len(result.tool_calls),
                refused=result.refused,
            )
        return result

    def _ask(self, text: str) -> AgentResult:
        from langchain_core.messages import HumanMessage

        started = time.perf_counter()
        first_decision = len(self._compliance.decisions)
        first_body = len(self._recorder.bodies)
        # The query is masked like the audit log is: no PII reaches an embedding endpoint.
        retrieved = self._search(str(self._compliance.engine.scrub(text)))
        # Title and section let an answer cite "(Title, Section)" instead of a chunk id.
        self._harness.context = [
            {"id": r["id"], "title": r["title"], "section": r["section"], "text": r["text"]}
            for r in retrieved
            if r["text"] is not None
        ]
        state = self._agent.invoke({"messages": [*self._messages, HumanMessage(content=text)]})
        new_messages = list(state["messages"])[len(self._messages) :]
        self._messages = list(state["messages"])
        decisions = self._compliance.decisions[first_decision:]
        return _result(
            new_messages,
            {k: str(self._scrub(v)) for k, v in self._harness.full_results.items()},
            decisions,
            retrieved=retrieved,
            scrub=self._scrub,
            trace=self._recorder.bodies[first_body:],
            latency=time.perf_counter() - started,
        )

    def _scrub(self, value: Any) -> Any:
        return self._compliance.engine.scrub(value)

    def close(self) -> None:
        """Release the token-service client (its ledger and response cache) and the transports."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._recorder.close()


def _result(
    messages: Sequence[Any],
    full_results: dict[str, str],
    decisions: Sequence[Any],
    *,
    retrieved: list[dict[str, Any]],
    trace: list[dict[str, Any]],
    latency: float,
    scrub: Callable[[Any], Any],
) -> AgentResult:
    from langchain_core.messages import AIMessage, ToolMessage

    usage = UsageSummary()
    calls: dict[str, ToolCallRecord] = {}
    order: list[str] = []
    answer = ""
    for message in messages:
        if isinstance(message, AIMessage):
            meta: dict[str, Any] = dict(message.usage_metadata or {})
            details: dict[str, Any] = dict(meta.get("input_token_details") or {})
            usage.prompt_tokens += int(meta.get("input_tokens", 0))
            usage.completion_tokens += int(meta.get("output_tokens", 0))
            usage.cached_tokens += int(details.get("cache_read", 0) or 0)
            usage.cost += float(message.response_metadata.get("cost") or 0.0)
            usage.calls += 1 if message.response_metadata else 0
            usage.unknown_usage_calls += message.response_metadata.get("usage_known") is False
            for call in message.tool_calls:
                call_id = str(call.get("id"))
                # Records go into reports: card numbers and the like are masked there too.
                calls[call_id] = ToolCallRecord(
                    name=call["name"], args=dict(scrub(call.get("args") or {})), status="executed"
                )
                order.append(call_id)
            if not message.tool_calls and isinstance(message.content, str):
                answer = message.content
        elif isinstance(message, ToolMessage) and message.tool_call_id in calls:
            record = calls[message.tool_call_id]
            record.result = _tool_content(full_results.get(message.tool_call_id, message.content))
            if message.status == "error":
                record.status = "error"
                record.reason = str(message.content)
    _apply_tool_decisions([calls[i] for i in order], decisions)
    records = [_decision_record(d) for d in decisions]
    refused = any(d.action == "block" and d.stage in ("input", "output") for d in decisions)
    return AgentResult(
        answer=answer,
        tool_calls=[calls[i] for i in order],
        retrieved_ids=list(dict.fromkeys(str(r["doc_id"]) for r in retrieved)),
        retrieved=[{k: v for k, v in r.items() if k != "text"} for r in retrieved],
        decisions=records,
        refused=refused,
        usage=usage,
        trace=trace,
        latency_s=latency,
    )


def _tool_content(content: Any) -> Any:
    if isinstance(content, str):
        try:
            return json.loads(content)
        except ValueError:
            return content
    return content


def _apply_tool_decisions(records: list[ToolCallRecord], decisions: Sequence[Any]) -> None:
    """Mark calls the tool_call stage stopped (matched by tool name, in call order)."""
    pending = [d for d in decisions if d.stage == "tool_call"]
    for record in records:
        for index, decision in enumerate(pending):
            if decision.tool == record.name:
                pending.pop(index)
                if decision.action == "block":
                    record.status = "blocked"
                    record.reason = decision.message
                elif decision.action == "require_approval":
                    record.status = "approval_requested"
                    record.reason = decision.message
                break


def _decision_record(decision: Any) -> DecisionRecord:
    detail = decision.message or (f"tool {decision.tool}" if decision.tool else "")
    return DecisionRecord(
        stage=decision.stage,
        action=decision.action,
        rule_ids=list(decision.rule_ids),
        detail=detail,
    )
