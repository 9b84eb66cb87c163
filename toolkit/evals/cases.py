r"""`evals/cases.yaml`: the evaluation cases of a project, validated with line numbers.

A case file is a mapping with one key, ``cases``, holding a list of cases::

    cases:
      - id: amortization-30y
        request: What is the monthly payment on 200,000 at 6% over 30 years?
        role: customer_service
        expect:
          tools:
            - name: loan_amortization
              args: {principal: 200000, annual_rate: 0.06, n_months: 360}
              tolerance: {abs: 0.0001}
          order: any            # strict | any | subset
          answer_contains: ["1,199.10", "re:total interest\\s+231,676"]
          answer_excludes: [guaranteed]
          retrieved: {ids: [underwriting-policy], k: 4}
          rules: [F-C2]
        tags: [worked-example]
        repeats: 3
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from toolkit.errors import EvalCaseError
from toolkit.yamlfile import YamlDocument, config_error, read_yaml

__all__ = [
    "EvalCase",
    "EvalSuite",
    "Expectation",
    "ExpectedRetrieval",
    "ExpectedTool",
    "TextPattern",
    "Tolerance",
]

OrderMode = Literal["strict", "any", "subset"]
ToolStatus = Literal["executed", "blocked", "approval_requested", "error"]
_REGEX_PREFIX = "re:"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(_Strict):
    """How far a numeric argument may be from the expected value.

    A value passes when it is within ``abs`` of the expected value OR within
    ``rel`` times the expected magnitude (the rule of `math.isclose`).
    """

    abs: float | None = Field(default=None, ge=0)
    rel: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> Tolerance:
        if self.abs is None and self.rel is None:
            raise ValueError("give at least one of 'abs' or 'rel'")
        return self

    def accepts(self, expected: float, actual: float) -> bool:
        """Whether ``actual`` is close enough to ``expected``."""
        diff = abs(actual - expected)
        return (self.abs is not None and diff <= self.abs) or (
            self.rel is not None and diff <= self.rel * abs(expected)
        )


def _number_as_abs(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"abs": value}
    return value


class ExpectedTool(_Strict):
    """One expected tool call: its name, a subset of its arguments, and optionally its status."""

    name: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)
    tolerance: Annotated[Tolerance | None, BeforeValidator(_number_as_abs)] = None
    status: ToolStatus | None = None


class TextPattern(_Strict):
    """A plain string (matched case-insensitively) or a regex written as ``re:<pattern>``."""

    text: str

    @property
    def is_regex(self) -> bool:
        """Whether the pattern was written with the ``re:`` prefix."""
        return self.text.startswith(_REGEX_PREFIX)

    def search(self, haystack: str) -> str | None:
        """The matched text in ``haystack``, or None."""
        if self.is_regex:
            found = re.search(self.text[len(_REGEX_PREFIX) :], haystack)
            return found.group(0) if found else None
        index = haystack.casefold().find(self.text.casefold())
        return haystack[index : index + len(self.text)] if index >= 0 else None


def _patterns(value: Any) -> Any:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("must be a string or a list of strings")
    out = []
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError("each entry must be a non-empty string")
        if item.startswith(_REGEX_PREFIX):
            try:
                re.compile(item[len(_REGEX_PREFIX) :])
            except re.error as exc:
                raise ValueError(f"{item!r} is not a valid regular expression ({exc})") from exc
        out.append({"text": item})
    return out


Patterns = Annotated[list[TextPattern], BeforeValidator(_patterns)]


class ExpectedRetrieval(_Strict):
    """Document ids that must all appear in the top ``k`` retrieved (k: the project's top_k)."""

    ids: list[str] = Field(min_length=1)
    k: int | None = Field(default=None, ge=1)


def _retrieval(value: Any) -> Any:
    return {"ids": value} if isinstance(value, list) else value


class Expectation(_Strict):
    """What a case expects of the agent's result."""

    tools: list[ExpectedTool] | None = None
    order: OrderMode = "any"
    answer_contains: Patterns = Field(default_factory=list)
    answer_excludes: Patterns = Field(default_factory=list)
    refusal: bool | None = None
    escalation: str | None = Field(default=None, min_length=1)
    retrieved: Annotated[ExpectedRetrieval | None, BeforeValidator(_retrieval)] = None
    rules: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Expectation:
        if self.refusal and self.escalation:
            raise ValueError("'refusal: true' and 'escalation' exclude each other; keep one")
        return self


class EvalCase(_Strict):
    """One evaluation case: a request, the role asking it, and what is expected."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
    request: str = Field(min_length=1)
    role: str | None = None
    expect: Expectation = Field(default_factory=Expectation)
    tags: list[str] = Field(default_factory=list)
    repeats: int | None = Field(default=None, ge=1, le=100)
    context: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Deployment facts for this case (``ctx.<name>`` in rules), over ``compliance.context``."""

    @field_validator("request")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class EvalSuite(BaseModel):
    """The cases of one file, in file order, with unique ids."""

    model_config = ConfigDict(frozen=True)

    path: Path
    cases: list[EvalCase]

    def __iter__(self) -> Iterator[EvalCase]:  # type: ignore[override]
        """Iterate over the cases in file order."""
        return iter(self.cases)

    def __len__(self) -> int:
        """The number of cases."""
        return len(self.cases)

    def get(self, case_id: str) -> EvalCase:
        """The case with this id.

        Raises:
            KeyError: no such case.
        """
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    @classmethod
    def load(cls, path: Path) -> EvalSuite:
        """Read and validate a case file.

        Raises:
            ConfigError: the file is unreadable or not a mapping with a ``cases`` list.
            EvalCaseError: a case is invalid or its id is taken; names the file, line, case
                id and field.
        """
        doc = read_yaml(path)
        data = doc.data
        if not isinstance(data, dict) or set(data) != {"cases"}:
            raise EvalCaseError(
                file=str(path),
                case_id="(file)",
                field="cases",
                line=1,
                problem="the file must be a mapping with exactly one key, 'cases', "
                "holding a list of cases",
            )
        raw_cases = data["cases"] or []
        if not isinstance(raw_cases, list):
            raise EvalCaseError(
                file=str(path),
                case_id="(file)",
                field="cases",
                line=doc.line_for(("cases",)),
                problem="must be a list of cases",
            )
        cases: list[EvalCase] = []
        first_line: dict[str, int | None] = {}
        for index, raw in enumerate(raw_cases):
            case = _validate_case(doc, index, raw)
            if case.id in first_line:
                raise EvalCaseError(
                    file=str(path),
                    case_id=case.id,
                    field="id",
                    line=doc.line_for(("cases", index, "id")),
                    problem=f"duplicate id (first used on line {first_line[case.id]}); "
                    "give each case its own id",
                )
            first_line[case.id] = doc.line_for(("cases", index, "id"))
            cases.append(case)
        return cls(path=path, cases=cases)


def _validate_case(doc: YamlDocument, index: int, raw: Any) -> EvalCase:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    case_id = str(raw_id) if raw_id is not None else f"#{index + 1}"
    if not isinstance(raw, dict):
        raise EvalCaseError(
            file=str(doc.path),
            case_id=case_id,
            field="(case)",
            line=doc.line_for(("cases", index)),
            problem="each case must be a mapping with id, request and expect",
        )
    try:
        return EvalCase.model_validate(raw)
    except ValidationError as exc:
        described = config_error(doc, exc, prefix=("cases", index))
        field = described.key.removeprefix(f"cases.{index}.") or "(case)"
        problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        kind = exc.errors()[0]["type"]
        if kind == "extra_forbidden":
            problem = "is not a known key (check its spelling and indentation)"
        elif kind == "missing":
            problem = "is required but missing"
        raise EvalCaseError(
            file=str(doc.path), case_id=case_id, field=field, line=described.line, problem=problem
        ) from exc
