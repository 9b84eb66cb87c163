"""Domain tools: plain typed functions exposed to the agent with a validated schema.

A domain tool is an ordinary function with annotated parameters, decorated with
:func:`domain_tool`. The decorator validates every call with pydantic (so bad
input raises :class:`pydantic.ValidationError` naming the field) and records a
:class:`ToolSpec` carrying the name, description, examples, write flag and an
input model built from the signature. The spec renders the OpenAI/LangChain
tool schema described in the cross-team conventions::

    @domain_tool(examples=("Monthly payment on 200,000 at 6% over 30 years?",))
    def loan_amortization(
        principal: Annotated[float, Field(gt=0, json_schema_extra={"x-unit": "currency"})],
        ...
    ) -> Amortization:
        \"\"\"Monthly payment and schedule of a fixed-rate loan.\"\"\"
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict

from toolkit.errors import ToolDefinitionError

if TYPE_CHECKING:
    from langchain_core.tools import StructuredTool

__all__ = [
    "OPENAI_SCHEMA_KEY",
    "SPEC_ATTRIBUTE",
    "ToolSpec",
    "as_langchain_tools",
    "collect_tools",
    "domain_tool",
    "openai_tool_schema",
    "spec_of",
]

OPENAI_SCHEMA_KEY = "openai_tool_schema"
"""Key of a LangChain tool's ``metadata`` holding its exact OpenAI tool schema."""

SPEC_ATTRIBUTE = "__domain_tool__"
"""Attribute under which a decorated function carries its :class:`ToolSpec`."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ToolSpec:
    """Everything the runtime needs to offer one domain tool to a model.

    Attributes:
        name: The function name, used as the tool name.
        description: The first paragraph of the function's docstring.
        write: Whether the tool changes state (compliance denies these by default).
        examples: Example user requests the tool answers.
        input_model: A pydantic model of the keyword arguments, built from the signature.
        func: The validating callable; call it with keyword arguments.
    """

    name: str
    description: str
    write: bool
    examples: tuple[str, ...]
    input_model: type[BaseModel]
    func: Callable[..., Any] = field(repr=False, compare=False)

    @property
    def tool_description(self) -> str:
        """The description shown to the model, with the ``Examples:`` line when there are any."""
        if not self.examples:
            return self.description
        return f"{self.description}\nExamples: {' | '.join(self.examples)}"

    def parameters_schema(self) -> dict[str, Any]:
        """JSON schema of the arguments, with ``"x-write": true`` for write tools."""
        schema = self.input_model.model_json_schema()
        if self.write:
            schema["x-write"] = True
        return schema

    def json_schema(self) -> dict[str, Any]:
        """The function schema: ``{"name", "description", "parameters"}``."""
        return {
            "name": self.name,
            "description": self.tool_description,
            "parameters": self.parameters_schema(),
        }

    def invoke(self, arguments: dict[str, Any]) -> Any:
        """Call the tool with a mapping of keyword arguments (as a model emits them)."""
        return self.func(**arguments)


def domain_tool(*, write: bool = False, examples: Sequence[str] = ()) -> Callable[[F], F]:
    """Declare a plain typed function as a domain tool.

    Args:
        write: True when the tool changes state (a write tool).
        examples: Two to four realistic user requests the tool answers; they are
            appended to the description as an ``Examples:`` line.

    Returns:
        A decorator returning the function wrapped with pydantic argument
        validation; the wrapper carries its :class:`ToolSpec` (see :func:`spec_of`).

    Raises:
        ToolDefinitionError: If the function has unannotated, variadic or
            positional-only parameters, no docstring, or ``examples`` is not a
            sequence of non-empty strings.
    """
    if isinstance(examples, str):
        raise ToolDefinitionError(
            tool="(decorator)",
            problem="examples must be a sequence of strings, not a single string; "
            "write examples=('first request', 'second request')",
        )
    example_tuple = tuple(examples)
    for example in example_tuple:
        if not isinstance(example, str) or not example.strip():
            raise ToolDefinitionError(
                tool="(decorator)",
                problem=f"every example must be a non-empty string, got {example!r}",
            )

    def decorate(func: F) -> F:
        name = getattr(func, "__name__", repr(func))
        description = _first_paragraph(func, name)
        input_model = _input_model(func, name)
        validated = pydantic.validate_call(func)
        spec = ToolSpec(
            name=name,
            description=description,
            write=write,
            examples=tuple(e.strip() for e in example_tuple),
            input_model=input_model,
            func=validated,
        )
        setattr(validated, SPEC_ATTRIBUTE, spec)
        return validated

    return decorate


def spec_of(obj: object) -> ToolSpec | None:
    """Return the :class:`ToolSpec` of a decorated function, or None for anything else."""
    spec = getattr(obj, SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, ToolSpec) else None


def collect_tools(module: types.ModuleType) -> list[ToolSpec]:
    """Collect the domain tools defined in (or re-exported by) a module.

    Args:
        module: An imported module, typically a generated project's ``tools``.

    Returns:
        One spec per decorated function, sorted by tool name.

    Raises:
        ToolDefinitionError: If two different tools share a name.
    """
    found: dict[str, ToolSpec] = {}
    for value in vars(module).values():
        spec = spec_of(value)
        if spec is None:
            continue
        previous = found.get(spec.name)
        if previous is not None and previous is not spec:
            raise ToolDefinitionError(
                tool=spec.name,
                problem=f"module {module.__name__} holds two different tools with this name; "
                "rename one of them",
            )
        found[spec.name] = spec
    return [found[name] for name in sorted(found)]


def as_langchain_tools(specs: Iterable[ToolSpec]) -> list[StructuredTool]:
    """Wrap specs as LangChain ``StructuredTool`` objects.

    Each tool's ``args_schema`` is the spec's input model and its description
    includes the examples line. Pydantic results are returned as JSON-ready
    dicts so a ``ToolMessage`` carries JSON rather than a repr.

    Args:
        specs: Tool specs, e.g. from :func:`collect_tools`.

    Returns:
        The LangChain tools, in the order given.
    """
    from langchain_core.tools import StructuredTool  # costly import: only when needed

    return [
        StructuredTool(
            name=spec.name,
            description=spec.tool_description,
            args_schema=spec.input_model,
            func=_json_ready(spec.func),
            # LangChain's schema conversion drops custom keys (x-unit, x-write); the exact
            # schema rides along so chat models that know the key can send it unchanged.
            metadata={
                "write": spec.write,
                "examples": list(spec.examples),
                OPENAI_SCHEMA_KEY: openai_tool_schema(spec),
            },
        )
        for spec in specs
    ]


def openai_tool_schema(spec: ToolSpec) -> dict[str, Any]:
    """The OpenAI ``tools`` entry for a spec: ``{"type": "function", "function": {...}}``."""
    return {"type": "function", "function": spec.json_schema()}


def _json_ready(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        result = func(**kwargs)
        if isinstance(result, BaseModel):
            return result.model_dump(mode="json")
        return result

    call.__name__ = getattr(func, "__name__", "tool")
    call.__doc__ = func.__doc__
    return call


def _first_paragraph(func: Callable[..., Any], name: str) -> str:
    doc = inspect.getdoc(func)
    if not doc or not doc.strip():
        raise ToolDefinitionError(
            tool=name, problem="it has no docstring; its first paragraph becomes the description"
        )
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def _input_model(func: Callable[..., Any], name: str) -> type[BaseModel]:
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except (NameError, TypeError) as exc:
        raise ToolDefinitionError(
            tool=name, problem=f"its annotations cannot be resolved ({exc})"
        ) from exc
    fields: dict[str, Any] = {}
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise ToolDefinitionError(
                tool=name,
                problem=f"parameter {param.name!r} is {param.kind.description}; "
                "tools take named arguments only",
            )
        if param.name not in hints:
            raise ToolDefinitionError(
                tool=name, problem=f"parameter {param.name!r} has no type annotation"
            )
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (hints[param.name], default)
    model: type[BaseModel] = pydantic.create_model(
        name,
        __config__=ConfigDict(extra="forbid", title=name),
        __doc__=_first_paragraph(func, name),
        **fields,
    )
    return model
