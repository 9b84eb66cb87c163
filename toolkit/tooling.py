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
    "RESULT_SCHEMA_MAX_CHARS",
    "SPEC_ATTRIBUTE",
    "ToolSpec",
    "as_langchain_tools",
    "collect_tools",
    "compact_result_schema",
    "domain_tool",
    "openai_tool_schema",
    "spec_of",
]

OPENAI_SCHEMA_KEY = "openai_tool_schema"
"""Key of a LangChain tool's ``metadata`` holding its exact OpenAI tool schema."""

SPEC_ATTRIBUTE = "__domain_tool__"
"""Attribute under which a decorated function carries its :class:`ToolSpec`."""

RESULT_SCHEMA_MAX_CHARS = 4000
"""Longest ``x-result`` (compact JSON) before nested descriptions are dropped."""

F = TypeVar("F", bound=Callable[..., Any])
# No "type": a result's JSON values show their own types; the schema says what they mean.
_KEPT_KEYS = ("description", "properties", "items", "enum", "const", "format", "anyOf")


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
        result_model: The pydantic model the function returns (its return annotation),
            or None when it returns something else.
    """

    name: str
    description: str
    write: bool
    examples: tuple[str, ...]
    input_model: type[BaseModel]
    func: Callable[..., Any] = field(repr=False, compare=False)
    result_model: type[BaseModel] | None = None

    @property
    def tool_description(self) -> str:
        """The description shown to the model, with the ``Examples:`` line when there are any."""
        if not self.examples:
            return self.description
        return f"{self.description}\nExamples: {' | '.join(self.examples)}"

    def parameters_schema(self) -> dict[str, Any]:
        """JSON schema of the arguments.

        Carries ``"x-write": true`` for write tools and, when the function returns a
        pydantic model, ``"x-result"``: that model's schema with references inlined
        (`result_schema`), so a model reading the tools knows what each result field means.
        Servers ignore unknown keys of a JSON schema.
        """
        schema = self.input_model.model_json_schema()
        if self.write:
            schema["x-write"] = True
        result = self.result_schema()
        if result is not None:
            schema["x-result"] = result
        return schema

    def result_schema(self) -> dict[str, Any] | None:
        """The result model's JSON schema, compact, or None when there is no result model.

        ``$ref``/``$defs`` are inlined (nested rows become readable in place), titles are
        dropped (the property names say the same), and when the result is still longer
        than `RESULT_SCHEMA_MAX_CHARS` the descriptions below the top level go, then all
        but the top level's. The output is a pure function of the model: deterministic.
        """
        if self.result_model is None:
            return None
        return compact_result_schema(self.result_model.model_json_schema())

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
            result_model=_result_model(func),
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


def _result_model(func: Callable[..., Any]) -> type[BaseModel] | None:
    try:
        annotation = typing.get_type_hints(func).get("return")
    except (NameError, TypeError):
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _inline(node: Any, defs: dict[str, Any], depth: int, keep_descriptions: int) -> Any:
    """A schema node with references resolved and only the keys a reader needs."""
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 8:
        target = defs.get(ref.removeprefix("#/$defs/"), {})
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, defs, depth + 1, keep_descriptions)
    options = node.get("anyOf")
    if isinstance(options, list):
        # `X | None` reads as X: a reader only needs to know what a present value means.
        concrete = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if len(concrete) == 1:
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return _inline({**concrete[0], **rest}, defs, depth, keep_descriptions)
    out: dict[str, Any] = {}
    for key in _KEPT_KEYS:
        if key not in node:
            continue
        value = node[key]
        if key == "description" and depth >= keep_descriptions:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {
                name: _inline(item, defs, depth + 1, keep_descriptions)
                for name, item in value.items()
            }
        elif key == "items" or key == "anyOf":
            out[key] = (
                [_inline(item, defs, depth + 1, keep_descriptions) for item in value]
                if isinstance(value, list)
                else _inline(value, defs, depth + 1, keep_descriptions)
            )
        else:
            out[key] = value
    # Annotations (``x-unit`` and any other ``x-`` key a pack adds) ride along unchanged.
    out.update({key: value for key, value in sorted(node.items()) if key.startswith("x-")})
    return out


def compact_result_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A result model's JSON schema made compact for the ``x-result`` annotation.

    Args:
        schema: The output of ``model_json_schema()``.

    Returns:
        The schema with ``$defs`` inlined, titles and other keys dropped, and descriptions
        shed from the deepest levels first while it is longer than `RESULT_SCHEMA_MAX_CHARS`.
    """
    import json

    defs = schema.get("$defs") or {}
    compact: dict[str, Any] = {}
    for keep in (99, 3, 2):
        compact = _inline(schema, defs, 0, keep)
        if len(json.dumps(compact, separators=(",", ":"))) <= RESULT_SCHEMA_MAX_CHARS:
            break
    return compact
