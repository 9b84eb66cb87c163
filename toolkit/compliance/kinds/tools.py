"""Tool-call kinds: ``tool_permission``, ``approval`` and ``bounds``."""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.predicate import Predicate, PredicateEvalError, parse_predicate
from toolkit.compliance.types import Action, Hit, Stage, ToolCall

__all__ = [
    "ApprovalKind",
    "ApprovalParams",
    "Bound",
    "BoundsKind",
    "BoundsParams",
    "ToolPermissionKind",
    "ToolPermissionParams",
    "call_env",
]

APPROVAL_TOOL = "request_human_approval"


def _matches(name: str, patterns: list[str]) -> bool:
    return any(p == "*" or fnmatch.fnmatchcase(name, p) for p in patterns)


def call_env(call: ToolCall, ctx: CheckContext) -> dict[str, Any]:
    """The names a tool-call predicate can read.

    Arguments are visible by name and as ``args.<name>``; ``tool``, ``role``,
    ``write`` and ``ctx.<name>`` are reserved and win over an argument of the
    same name (reach that one through ``args``).
    """
    env: dict[str, Any] = dict(call.args)
    env.update(
        {"args": dict(call.args), "tool": call.name, "role": ctx.role, "write": call.write,
         "ctx": dict(ctx.context)}
    )  # fmt: skip
    return env


class ToolPermissionParams(KindParams):
    """Params of ``tool_permission``.

    Attributes:
        tools: Tools (names or globs) this rule judges; default every tool.
        allow: Role -> tools (names or globs; ``*`` for all) the role may call.
            A write tool is denied unless the caller's role lists it here.
        deny: Role (or ``*`` for everyone) -> tools always denied, even if allowed.
        write_tools: Tools treated as write tools in addition to those whose schema
            says ``x-write: true``.
        reads: ``allow`` (default): read tools need no listing; ``deny``: every tool
            must be listed in ``allow``.
        always_allow: Tools nobody is denied; ``request_human_approval`` by default,
            since that is how an approval request is recorded.
        deny_writes: Whether write tools not in ``allow`` are denied. Defaults to
            true, except for a rule that only lists ``deny`` (a pure deny list).
    """

    tools: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    allow: dict[str, list[str]] = Field(default_factory=dict)
    deny: dict[str, list[str]] = Field(default_factory=dict)
    write_tools: list[str] = Field(default_factory=list)
    reads: Literal["allow", "deny"] = "allow"
    always_allow: list[str] = Field(default_factory=lambda: [APPROVAL_TOOL])
    deny_writes: bool | None = None

    @model_validator(mode="after")
    def _default_deny_writes(self) -> ToolPermissionParams:
        if self.deny_writes is None:
            pure_deny = bool(self.deny) and not self.allow and not self.write_tools
            object.__setattr__(self, "deny_writes", not pure_deny)
        return self


class ToolPermissionKind(Kind):
    """Role-based permission with deny-by-default for write tools."""

    name: ClassVar[str] = "tool_permission"
    params_model: ClassVar[type[KindParams]] = ToolPermissionParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"tool_call"})
    actions: ClassVar[frozenset[Action]] = frozenset({"block", "require_approval", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, ToolPermissionParams)
        self.p = params

    def declares_write(self, name: str) -> bool:
        """Whether this rule lists ``name`` among its write tools."""
        return _matches(name, self.p.write_tools)

    def is_write(self, call: ToolCall, ctx: CheckContext) -> bool:
        """Whether the call is to a write tool (schema, engine registry or this rule)."""
        return call.write or call.name in ctx.write_tools or self.declares_write(call.name)

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Return a hit when the role may not call the tool."""
        if call.name in self.p.always_allow:
            return []
        denied = self.p.deny.get("*", []) + self.p.deny.get(ctx.role, [])
        if _matches(call.name, denied):
            return [Hit("denied", f"tool {call.name!r} is not permitted for any role here")]
        if not _matches(call.name, self.p.tools):
            return []
        allowed = _matches(call.name, self.p.allow.get(ctx.role, []))
        if self.p.deny_writes and self.is_write(call, ctx) and not allowed:
            return [
                Hit(
                    "write_denied",
                    f"write tool {call.name!r} is not permitted for role {ctx.role!r}",
                )
            ]
        if self.p.reads == "deny" and not allowed:
            return [
                Hit("not_allowed", f"tool {call.name!r} is not permitted for role {ctx.role!r}")
            ]
        return []


class ApprovalParams(KindParams):
    """Params of ``approval``.

    Attributes:
        tools: Tools (names or globs) the predicate applies to.
        when: Predicate over the call (see :mod:`toolkit.compliance.predicate`).
        approval_tool: The tool the model is told to call instead.
    """

    tools: list[str] = Field(min_length=1)
    when: str
    approval_tool: str = APPROVAL_TOOL

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_predicate(value)
        return value


class ApprovalKind(Kind):
    """A predicate over a call's arguments; when true the call needs a human.

    A predicate that cannot be evaluated (a missing or mistyped argument) fires:
    the rule fails closed.
    """

    name: ClassVar[str] = "approval"
    params_model: ClassVar[type[KindParams]] = ApprovalParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"tool_call"})
    actions: ClassVar[frozenset[Action]] = frozenset({"require_approval", "block", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, ApprovalParams)
        self.p = params
        self.predicate: Predicate = parse_predicate(params.when)

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Return a hit when the predicate holds (or cannot be evaluated)."""
        if call.name == self.p.approval_tool or not _matches(call.name, self.p.tools):
            return []
        try:
            fired = self.predicate.evaluate(call_env(call, ctx))
        except PredicateEvalError as exc:
            return [Hit("unevaluable", f"condition {self.p.when!r} could not be checked ({exc})")]
        if not fired:
            return []
        return [Hit("condition", f"condition {self.p.when!r} holds")]


class Bound(BaseModel):
    """Limits for one numeric (or list) argument.

    Attributes:
        min: Smallest allowed value (inclusive).
        max: Largest allowed value (inclusive).
        exclusive_min: Value must be greater than this.
        exclusive_max: Value must be less than this.
        max_items: For a list argument, the most items allowed.
        required: The argument must be present.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    exclusive_max: float | None = None
    max_items: int | None = Field(default=None, ge=0)
    required: bool = False


class BoundsParams(KindParams):
    """Params of ``bounds``.

    Attributes:
        tools: Tools (names or globs) the bounds apply to.
        args: Argument name -> :class:`Bound`.
    """

    tools: list[str] = Field(min_length=1)
    args: dict[str, Bound] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> BoundsParams:
        for arg, b in self.args.items():
            if b.min is not None and b.max is not None and b.min > b.max:
                raise ValueError(f"argument {arg!r}: min is greater than max")
        return self


def _bound_problem(value: Any, b: Bound) -> str | None:
    if b.max_items is not None and isinstance(value, list | tuple):
        return (
            f"has {len(value)} items, at most {b.max_items}" if len(value) > b.max_items else None
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"is a {type(value).__name__}, not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    number = float(value)
    if b.min is not None and number < b.min:
        return f"is below the minimum {b.min:g}"
    if b.max is not None and number > b.max:
        return f"is above the maximum {b.max:g}"
    if b.exclusive_min is not None and number <= b.exclusive_min:
        return f"is not above the exclusive minimum {b.exclusive_min:g}"
    if b.exclusive_max is not None and number >= b.exclusive_max:
        return f"is not below the exclusive maximum {b.exclusive_max:g}"
    return None


class BoundsKind(Kind):
    """Numeric bounds (and list sizes) over tool arguments."""

    name: ClassVar[str] = "bounds"
    params_model: ClassVar[type[KindParams]] = BoundsParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"tool_call"})
    actions: ClassVar[frozenset[Action]] = frozenset({"block", "require_approval", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, BoundsParams)
        self.p = params

    def scan_call(self, call: ToolCall, ctx: CheckContext) -> list[Hit]:
        """Return one hit per argument outside its bounds."""
        if not _matches(call.name, self.p.tools):
            return []
        hits = []
        args: Mapping[str, Any] = call.args
        for arg, bound in self.p.args.items():
            if arg not in args or args[arg] is None:
                if bound.required:
                    hits.append(Hit(arg, f"argument {arg!r} is required"))
                continue
            problem = _bound_problem(args[arg], bound)
            if problem is not None:
                hits.append(Hit(arg, f"argument {arg!r} {problem}"))
        return hits
