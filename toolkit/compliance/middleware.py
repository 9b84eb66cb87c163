"""LangChain 1.x agent middleware applying the four compliance stages.

Hooks used (``langchain.agents.middleware.AgentMiddleware``):

* ``before_agent`` - input stage on the new user messages; a blocked message is
  replaced in the state and the run ends with a refusal (no model call).
* ``wrap_tool_call`` - tool_call stage before the tool runs (a blocked or held
  call is not executed; the model gets a ToolMessage saying why), then the
  retrieval stage on the tool's result, which is data, never instructions.
* ``wrap_model_call`` - output stage on the model's answer before it enters
  the state.

Every decision goes to the engine's audit log. One middleware instance serves
one session (one role): it remembers quarantined passages for that session.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain.agents.middleware.types import hook_config
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.runtime import Runtime
from langgraph.types import Command

from toolkit.compliance.audit import AuditLog
from toolkit.compliance.decision import Decision
from toolkit.compliance.engine import ComplianceEngine
from toolkit.compliance.rules import RuleSet
from toolkit.compliance.types import Passage
from toolkit.compliance.write_gate import TurnEvidence, WriteGate

__all__ = ["ComplianceMiddleware", "is_write_tool", "turn_evidence"]


def is_write_tool(tool: Any) -> bool | None:
    """Whether a LangChain tool declares ``x-write: true``; None when it says nothing.

    Looks at the tool's ``metadata`` (``write``, as :func:`toolkit.tooling.as_langchain_tools`
    sets it, or ``x-write``) and at the top level of its argument schema.
    """
    if tool is None:
        return None
    metadata = getattr(tool, "metadata", None) or {}
    for key in ("x-write", "write"):  # toolkit.tooling sets metadata["write"]
        if key in metadata:
            return bool(metadata[key])
    schema = getattr(tool, "args_schema", None)
    if isinstance(schema, Mapping):
        flag = schema.get("x-write")
    elif schema is not None and hasattr(schema, "model_json_schema"):
        flag = schema.model_json_schema().get("x-write")
    else:
        flag = None
    return None if flag is None else bool(flag)


def turn_evidence(state: Any) -> TurnEvidence | None:
    """The user's latest message and the tool results after it, from the agent state.

    Retrieved passages reach the model as a per-request context tail, never as
    state messages, so nothing here comes from the knowledge store.
    """
    messages = state.get("messages") if isinstance(state, Mapping) else None
    if not messages:
        return None
    results: list[str] = []
    for message in reversed(list(messages)):
        if isinstance(message, HumanMessage):
            return TurnEvidence(user_turn=_text(message) or "", tool_results=results[::-1])
        if isinstance(message, ToolMessage) and message.status != "error":
            results.append(_text(message) or "")
    return None


def _text(message: BaseMessage) -> str | None:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    parts += [b for b in content if isinstance(b, str)]
    return "".join(parts) if parts else None


def _split_passages(content: str, source: str) -> tuple[list[Passage], bool]:
    """A JSON list of {text|page_content, id?, metadata?} is several passages."""
    try:
        data = json.loads(content)
    except ValueError:
        return [Passage(text=content, id=source)], False
    if (
        isinstance(data, list)
        and data
        and all(
            isinstance(d, dict) and isinstance(d.get("text", d.get("page_content")), str)
            for d in data
        )
    ):
        passages = [
            Passage(
                text=d.get("text", d.get("page_content")),
                id=None if d.get("id") is None else str(d.get("id")),
                metadata=d.get("metadata") or {},
            )
            for d in data
        ]
        return passages, True
    return [Passage(text=content, id=source)], False


class ComplianceMiddleware(AgentMiddleware[AgentState[Any], Any, Any]):
    """Enforces a rule pack on an agent built with ``langchain.agents.create_agent``.

    Args:
        rules: The rule pack.
        role: The session's role.
        audit: Audit log receiving every decision.
        write_tools: Names of write tools, for tools whose schema does not say.
        context: Deployment facts for predicates (``ctx.<name>``).
        session: Id written into audit records.
        screen_tools: Tools whose results are screened as retrieved text; None
            (default) screens every tool result.
        write_gate: Holds write-tool calls the user's turn did not ask for
            (:class:`~toolkit.compliance.write_gate.WriteGate`).
    """

    def __init__(
        self,
        rules: RuleSet,
        *,
        role: str,
        audit: AuditLog | None = None,
        write_tools: Iterable[str] = (),
        context: Mapping[str, Any] | None = None,
        session: str | None = None,
        screen_tools: Iterable[str] | None = None,
        write_gate: WriteGate | None = None,
    ) -> None:
        super().__init__()
        self.engine = ComplianceEngine(
            rules,
            role=role,
            audit=audit,
            write_tools=write_tools,
            context=context,
            session=session,
            write_gate=write_gate,
        )
        self.screen_tools = None if screen_tools is None else frozenset(screen_tools)
        self.decisions: list[Decision] = []

    # -- input --------------------------------------------------------------------------

    @hook_config(can_jump_to=["end"])
    def before_agent(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Input stage on the user messages that arrived since the last answer."""
        messages: list[AnyMessage] = list(state["messages"])
        new: list[AnyMessage] = []
        for message in reversed(messages):
            if isinstance(message, AIMessage):
                break
            if isinstance(message, HumanMessage):
                new.append(message)
        updates: list[AnyMessage] = []
        refusal: str | None = None
        for message in reversed(new):
            text = _text(message)
            if text is None:
                continue
            decision = self._keep(self.engine.check_input(text))
            if decision.action == "block":
                refusal = refusal or decision.message
                rules = ", ".join(decision.rule_ids)
                updates.append(
                    HumanMessage(
                        content=f"[message withheld by compliance rule {rules}]", id=message.id
                    )
                )
            elif decision.text != text:
                updates.append(HumanMessage(content=decision.text or "", id=message.id))
        if refusal is not None:
            return {"messages": [*updates, AIMessage(content=refusal)], "jump_to": "end"}
        return {"messages": updates} if updates else None

    @hook_config(can_jump_to=["end"])
    async def abefore_agent(
        self, state: AgentState[Any], runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Async twin of :meth:`before_agent`."""
        return self.before_agent(state, runtime)

    # -- output -------------------------------------------------------------------------

    def _screen_response(self, response: ModelResponse[Any] | AIMessage | Any) -> Any:
        if isinstance(response, AIMessage):
            return self._screen_ai(response)
        if isinstance(response, ModelResponse):
            response.result = [
                self._screen_ai(m) if isinstance(m, AIMessage) else m for m in response.result
            ]
        return response

    def _screen_ai(self, message: AIMessage) -> AIMessage:
        text = _text(message)
        if not text:
            return message
        decision = self._keep(self.engine.check_output(text))
        if decision.text == text:
            return message
        return message.model_copy(update={"content": decision.text or ""})

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> Any:
        """Output stage on the model's answer."""
        return self._screen_response(handler(request))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> Any:
        """Async twin of :meth:`wrap_model_call`."""
        return self._screen_response(await handler(request))

    # -- tool calls and their results ----------------------------------------------------

    def _pre_tool(self, request: ToolCallRequest) -> ToolCallRequest | ToolMessage:
        call = request.tool_call
        name = str(call["name"])
        decision = self._keep(
            self.engine.check_tool_call(
                name,
                call.get("args") or {},
                write=is_write_tool(request.tool),
                evidence=turn_evidence(request.state),
            )
        )
        if not decision.allowed:
            return ToolMessage(
                content=decision.message or "The tool call was not executed (compliance).",
                tool_call_id=call["id"],
                name=name,
                status="error",
            )
        if decision.args is not None and dict(decision.args) != dict(call.get("args") or {}):
            return request.override(tool_call={**call, "args": dict(decision.args)})
        return request

    def _post_tool(self, request: ToolCallRequest, result: ToolMessage | Command[Any]) -> Any:
        name = str(request.tool_call["name"])
        if not isinstance(result, ToolMessage) or (
            self.screen_tools is not None and name not in self.screen_tools
        ):
            return result
        content = _text(result)
        if content is None:
            return result
        if result.status == "error":
            # Tool errors echo the call's arguments (ToolInvocationError does): mask
            # every known entity whatever the pack says, as for the audit log.
            scrubbed = self.engine.scrub(content)
            if scrubbed != content:
                result = result.model_copy(update={"content": scrubbed})
                content = scrubbed
        passages, structured = _split_passages(content, name)
        decision = self._keep(self.engine.filter_retrieved(passages))
        out = list(decision.passages or ())
        if decision.action == "allow":
            return result
        if structured:
            new = json.dumps(
                [{"id": p.id, "text": p.text, "metadata": dict(p.metadata)} for p in out],
                ensure_ascii=False,
            )
        elif out:
            new = out[0].text
        else:
            new = f"[tool result withheld by compliance rule {', '.join(decision.rule_ids)}]"
        return result.model_copy(update={"content": new})

    def wrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], ToolMessage | Command[Any]],
    ) -> ToolMessage | Command[Any]:
        """Tool-call stage before the tool runs; retrieval stage on its result."""
        checked = self._pre_tool(request)
        if isinstance(checked, ToolMessage):
            return checked
        return self._post_tool(checked, handler(checked))  # type: ignore[no-any-return]

    async def awrap_tool_call(
        self,
        request: ToolCallRequest,
        handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]],
    ) -> ToolMessage | Command[Any]:
        """Async twin of :meth:`wrap_tool_call`."""
        checked = self._pre_tool(request)
        if isinstance(checked, ToolMessage):
            return checked
        return self._post_tool(checked, await handler(checked))  # type: ignore[no-any-return]

    def _keep(self, decision: Decision) -> Decision:
        self.decisions.append(decision)
        return decision
