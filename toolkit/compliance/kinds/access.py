"""``access``: which retrieved passages a session may see, by a predicate over metadata."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from toolkit.compliance.kinds.base import CheckContext, Kind, KindParams
from toolkit.compliance.predicate import Predicate, PredicateEvalError, parse_predicate
from toolkit.compliance.types import Action, Hit, Passage, Stage

__all__ = ["AccessKind", "AccessParams"]


class AccessParams(KindParams):
    """Params of ``access``.

    Attributes:
        when: Predicate over the passage; names are its metadata keys (also
            ``meta.<key>``), plus ``role``, ``id`` and ``ctx.<name>``. When true,
            the passage is withheld (``block``) or flagged.
    """

    when: str

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_predicate(value)
        return value


class AccessKind(Kind):
    """Withholds passages the session's role or deployment may not see; fails closed."""

    name: ClassVar[str] = "access"
    params_model: ClassVar[type[KindParams]] = AccessParams
    stages: ClassVar[frozenset[Stage]] = frozenset({"retrieval"})
    actions: ClassVar[frozenset[Action]] = frozenset({"block", "flag"})

    def __init__(self, params: KindParams) -> None:
        super().__init__(params)
        assert isinstance(params, AccessParams)
        self.p = params
        self.predicate: Predicate = parse_predicate(params.when)

    def scan_passage(self, passage: Passage, ctx: CheckContext) -> list[Hit]:
        """Return a hit when the predicate holds for the passage."""
        env = dict(passage.metadata)
        env.update(
            {
                "meta": dict(passage.metadata),
                "role": ctx.role,
                "id": passage.id,
                "ctx": dict(ctx.context),
            }
        )
        try:
            fired = self.predicate.evaluate(env)
        except PredicateEvalError as exc:
            return [Hit("unevaluable", f"condition {self.p.when!r} could not be checked ({exc})")]
        return [Hit("restricted", f"condition {self.p.when!r} holds")] if fired else []
