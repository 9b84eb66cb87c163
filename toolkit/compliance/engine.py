"""The stage engine: one call per stage, each returning a :class:`Decision`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.compliance.argpaths import map_strings
from toolkit.compliance.decision import ACTION_RANK, Decision, Outcome
from toolkit.compliance.kinds import CheckContext
from toolkit.compliance.kinds.pii import PiiKind
from toolkit.compliance.kinds.tools import APPROVAL_TOOL, ApprovalKind, ToolPermissionKind
from toolkit.compliance.masking import mask_value
from toolkit.compliance.pii_floor import PiiFloor
from toolkit.compliance.recognizers import BUILTIN_ENTITIES, Recognizer, builtin_recognizer
from toolkit.compliance.rules import Rule, RuleSet
from toolkit.compliance.types import Finding, Hit, Passage, Stage, ToolCall
from toolkit.compliance.write_gate import TurnEvidence, WriteGate
from toolkit.observability import decision_span

if TYPE_CHECKING:
    from toolkit.compliance.audit import AuditLog

__all__ = ["WRITE_GATE_ID", "ComplianceEngine", "apply_replacements"]

WRITE_GATE_ID = "WRITE-GATE"
"""The id under which the harness's write gate appears in decisions and the audit log."""


def apply_replacements(text: str, edits: Iterable[tuple[tuple[int, int], str]]) -> str:
    """Replace spans of ``text``; overlapping spans keep the earliest, longest one."""
    chosen: list[tuple[int, int, str]] = []
    for (start, end), repl in sorted(edits, key=lambda e: (e[0][0], -(e[0][1] - e[0][0]))):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, repl))
    out, pos = [], 0
    for start, end, repl in chosen:
        out += [text[pos:start], repl]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _strongest(findings: Iterable[Finding]) -> Outcome:
    best: Outcome = "allow"
    for f in findings:
        if ACTION_RANK[f.action] > ACTION_RANK[best]:
            best = f.action
    return best


class ComplianceEngine:
    """Applies a rule pack to one session (one role) at the four stages.

    Args:
        rules: The rule pack.
        role: The caller's role; rules with ``roles`` apply only to those roles.
        audit: When given, every decision is appended to this log, masked by
            :meth:`scrub` first.
        write_tools: Names of write tools (``x-write: true``); a call's own
            ``write`` flag, when given, takes precedence.
        context: Deployment facts predicates can read as ``ctx.<name>``.
        session: An id written into every audit record of this engine.
        write_gate: When given, a write-tool call checked with the turn's
            ``evidence`` runs only if the user asked for it and its arguments trace to
            the user's turn or tool results (:mod:`toolkit.compliance.write_gate`);
            otherwise it is held for approval.
    """

    def __init__(
        self,
        rules: RuleSet | Sequence[Rule],
        *,
        role: str,
        audit: AuditLog | None = None,
        write_tools: Iterable[str] = (),
        context: Mapping[str, Any] | None = None,
        session: str | None = None,
        write_gate: WriteGate | None = None,
    ) -> None:
        self.write_gate = write_gate
        self.rules = rules if isinstance(rules, RuleSet) else RuleSet(list(rules))
        self.role = role
        self.audit = audit
        self.session = session
        self.ctx = CheckContext(
            role=role, context=dict(context or {}), write_tools=frozenset(write_tools)
        )
        self._by_stage: dict[Stage, list[Rule]] = {
            stage: self.rules.for_stage(stage, role)
            for stage in ("input", "retrieval", "tool_call", "output")
        }
        self._scrubbers = self._build_scrubbers()
        self._floors = {
            stage: PiiFloor(self.rules, role, self._by_stage[stage])
            for stage in ("output", "retrieval")
        }

    def _build_scrubbers(self) -> list[tuple[Recognizer, PiiKind | None]]:
        scrubbers: list[tuple[Recognizer, PiiKind | None]] = [
            (builtin_recognizer(e), None) for e in BUILTIN_ENTITIES
        ]
        for rule in self.rules:
            if isinstance(rule.check, PiiKind):
                scrubbers += [
                    (r, rule.check)
                    for r in rule.check.recognizers
                    if r.entity not in BUILTIN_ENTITIES
                ]
        return scrubbers

    # -- side doors -------------------------------------------------------------------

    def scrub(self, value: Any) -> Any:
        """Mask every recognisable entity in ``value`` (strings inside dicts/lists too).

        Used for anything written to the audit log or an error message, whatever
        the rules' roles or stages: the log must never hold a value in clear.
        """
        if isinstance(value, str):
            edits = []
            for recognizer, kind in self._scrubbers:
                for m in recognizer.find(value):
                    masked = mask_value(m.entity, m.value, "full" if kind else "partial")
                    edits.append(((m.start, m.end), masked))
            return apply_replacements(value, edits) if edits else value
        if isinstance(value, Mapping):
            return {str(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(v) for v in value]
        return value

    def _record(self, decision: Decision) -> Decision:
        decision_span(
            stage=decision.stage,
            action=decision.action,
            rule_ids=decision.rule_ids,
            tool=decision.tool,
            session=self.session,
        )
        if self.audit is not None:
            event = {"role": self.role, **decision.to_record()}
            if self.session is not None:
                event["session"] = self.session
            # The log is a side door: whatever the rules say, values are masked there.
            self.audit.append(self.scrub(event))
        return decision

    def _finding(self, rule: Rule, stage: Stage, hit: Hit, passage: int | None = None) -> Finding:
        return Finding(
            rule_id=rule.id,
            kind=rule.kind,
            action=hit.action or rule.action,
            severity=rule.severity,
            stage=stage,
            label=hit.label,
            detail=hit.detail,
            span=hit.span,
            passage=passage,
            arg=hit.arg,
        )

    # -- text stages --------------------------------------------------------------------

    def check_input(self, text: str) -> Decision:
        """Check a user message before it reaches the model."""
        return self._record(self._check_text("input", text))

    def check_output(self, text: str) -> Decision:
        """Check the model's answer before it reaches the user."""
        return self._record(self._check_text("output", text))

    def _check_text(self, stage: Stage, text: str) -> Decision:
        findings: list[Finding] = []
        edits: list[tuple[tuple[int, int], str]] = []
        disclaimers: list[str] = []
        stopper: Rule | None = None
        for rule in self._by_stage[stage]:
            for hit in rule.check.scan_text(text, self.ctx):
                findings.append(self._finding(rule, stage, hit))
                if rule.action == "redact" and hit.span and hit.replacement is not None:
                    edits.append((hit.span, hit.replacement))
                elif rule.action == "append_disclaimer" and hit.replacement:
                    disclaimers.append(hit.replacement)
                elif rule.action in ("block", "require_approval") and stopper is None:
                    stopper = rule
        action = _strongest(findings)
        if stopper is not None:
            message = stopper.check.params.message or (
                f"I can't help with that: it conflicts with compliance rule {stopper.id} "
                f"({stopper.title}; {stopper.regulation})."
                if stage == "input"
                else f"This answer was withheld under compliance rule {stopper.id} "
                f"({stopper.title}; {stopper.regulation})."
            )
            return Decision(stage, action, text=message, findings=tuple(findings), message=message)
        result = apply_replacements(text, edits) if edits else text
        if stage in ("output", "retrieval"):
            result, floor = self._floors[stage].apply(result, stage)
            findings += floor
            action = _strongest(findings)
        for extra in dict.fromkeys(disclaimers):
            result = f"{result.rstrip()}\n\n{extra}"
        return Decision(stage, action, text=result, findings=tuple(findings))

    # -- retrieval ----------------------------------------------------------------------

    def filter_retrieved(self, passages: Sequence[str | Passage]) -> Decision:
        """Screen retrieved passages: redact, withhold, or quarantine instruction-like text."""
        findings: list[Finding] = []
        out: list[Passage] = []
        for index, item in enumerate(passages):
            passage = item if isinstance(item, Passage) else Passage(text=item)
            edits: list[tuple[tuple[int, int], str]] = []
            dropped = False
            flagged: list[Rule] = []
            for rule in self._by_stage["retrieval"]:
                hits = rule.check.scan_passage(passage, self.ctx)
                if not hits:
                    continue
                findings += [self._finding(rule, "retrieval", h, index) for h in hits]
                if rule.kind == "injection":
                    self.ctx.quarantined += 1
                if rule.action == "block":
                    dropped = True
                elif rule.action == "redact":
                    edits += [(h.span, h.replacement) for h in hits if h.span and h.replacement]
                else:
                    flagged.append(rule)
            if dropped:
                continue
            text = apply_replacements(passage.text, edits) if edits else passage.text
            text, floor = self._floors["retrieval"].apply(text, "retrieval", index)
            findings += floor
            if text != passage.text:
                passage = Passage(text, passage.id, passage.metadata)
            kept: Passage | None = passage
            for rule in flagged:
                if kept is not None:
                    kept = rule.check.quarantine(kept, rule.id)
            if kept is not None:
                out.append(kept)
        return self._record(
            Decision(
                "retrieval",
                _strongest(findings),
                passages=tuple(out),
                findings=tuple(findings),
                extra={"passages_in": len(passages)},
            )
        )

    # -- tool calls ---------------------------------------------------------------------

    def check_tool_call(
        self,
        name: str,
        args: Mapping[str, Any],
        *,
        write: bool | None = None,
        evidence: TurnEvidence | None = None,
    ) -> Decision:
        """Check a tool call before it runs.

        Args:
            name: Tool name.
            args: Arguments as produced by the model.
            write: Whether the tool's schema says it changes state. Either way the
                name is also looked up in the engine's ``write_tools`` and in the
                ``write_tools`` of every ``tool_permission`` rule: any of them makes
                it a write tool.
            evidence: The user's turn and this turn's tool results, as the harness
                saw them; with a ``write_gate``, a write call is judged against them
                (none at all holds every write but the gate's exempt tools).

        Returns:
            A decision; when not :attr:`Decision.allowed` the call must not run and
            :attr:`Decision.message` says why (it is meant for the model).
        """
        is_write = (
            bool(write)
            or name in self.ctx.write_tools
            or any(
                isinstance(rule.check, ToolPermissionKind) and rule.check.declares_write(name)
                for rule in self.rules
            )
        )
        call = ToolCall(name=name, args=dict(args), write=is_write)
        findings: list[Finding] = []
        edits: dict[str, list[tuple[tuple[int, int], str]]] = {}
        stopper: tuple[Rule, Hit] | None = None
        for rule in self._by_stage["tool_call"]:
            for hit in rule.check.scan_call(call, self.ctx):
                findings.append(self._finding(rule, "tool_call", hit))
                act = hit.action or rule.action
                if act == "redact" and hit.arg and hit.span and hit.replacement is not None:
                    edits.setdefault(hit.arg, []).append((hit.span, hit.replacement))
                elif act in ("block", "require_approval") and (
                    stopper is None
                    or ACTION_RANK[act] > ACTION_RANK[stopper[1].action or stopper[0].action]
                ):
                    stopper = (rule, hit)
        gate_hit: Hit | None = None
        if is_write and self.write_gate is not None:
            # No evidence of what the user asked is no request: the gate fails closed.
            verdict = self.write_gate.check(name, call.args, evidence or TurnEvidence(""))
            if not verdict.allowed:
                hit = Hit(verdict.label, verdict.detail, action="require_approval")
                findings.append(
                    Finding(
                        rule_id=WRITE_GATE_ID,
                        kind="write_gate",
                        action="require_approval",
                        severity="high",
                        stage="tool_call",
                        label=verdict.label,
                        detail=verdict.detail,
                    )
                )
                gate_hit = hit
        new_args = (
            map_strings(
                dict(call.args),
                lambda path, text: apply_replacements(text, edits[path]) if path in edits else text,
            )
            if edits
            else dict(call.args)
        )
        action = _strongest(findings)
        extra: dict[str, Any] = {"write": is_write}
        message = None
        if gate_hit is not None and (
            stopper is None or (stopper[1].action or stopper[0].action) != "block"
        ):
            message = (
                f"The tool call {name!r} was NOT executed: {gate_hit.detail}. A request for "
                "a human decision has been recorded; tell the user that a person will review "
                "it, and do not retry the call."
            )
            extra["approval_request"] = {"tool": name, "args": self.scrub(dict(call.args))}
        elif stopper is not None:
            rule, hit = stopper
            message = self._stop_message(name, rule, hit)
            if (hit.action or rule.action) == "require_approval" and action == "require_approval":
                extra["approval_request"] = {"tool": name, "args": self.scrub(dict(call.args))}
        elif name == APPROVAL_TOOL:
            # The approval tool's call is itself the request a human must see in the log.
            extra["approval_request"] = {"tool": name, "args": self.scrub(dict(call.args))}
        return self._record(
            Decision(
                "tool_call",
                action,
                args=new_args,
                findings=tuple(findings),
                message=message,
                tool=name,
                extra=extra,
            )
        )

    def _stop_message(self, name: str, rule: Rule, hit: Hit) -> str:
        custom = rule.check.params.message
        reason = custom or hit.detail
        head = (
            f"The tool call {name!r} was NOT executed. Compliance rule {rule.id} "
            f"({rule.title}; {rule.regulation}): {reason}."
        )
        if (hit.action or rule.action) == "require_approval":
            tool = (
                rule.check.p.approval_tool
                if isinstance(rule.check, ApprovalKind)
                else APPROVAL_TOOL
            )
            return (
                f"{head} It needs a human decision: call {tool!r} with the request details "
                "instead, and tell the user that a person will review it."
            )
        return f"{head} Do not retry it; tell the user it is not permitted."
