import json
import types
from typing import Annotated, Any, Literal

import pydantic
import pytest
from pydantic import BaseModel, Field

import toolkit.tooling as tooling
from toolkit.errors import ToolDefinitionError, ToolkitError
from toolkit.tooling import (
    OPENAI_SCHEMA_KEY,
    ToolSpec,
    as_langchain_tools,
    collect_tools,
    domain_tool,
    openai_tool_schema,
    spec_of,
)


class Quote(BaseModel):
    total: float
    currency: str


@domain_tool(examples=("Price 3 widgets at 2.5 each", "3 个零件每个 2.5 元总价多少"))
def price_quote(
    quantity: Annotated[int, Field(ge=1, le=1000, description="Number of units.")],
    unit_price: Annotated[
        float, Field(gt=0, description="Price per unit.", json_schema_extra={"x-unit": "currency"})
    ],
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")] = "EUR",
) -> Quote:
    """Price a quantity of units.

    This second paragraph is for humans and never reaches the model.
    """
    return Quote(total=quantity * unit_price, currency=currency)


@domain_tool(write=True)
def book_order(
    order_id: Annotated[str, Field(min_length=1, description="Order to book.")],
    mode: Literal["draft", "final"] = "draft",
) -> str:
    """Book an order in the ledger."""
    return f"{order_id}:{mode}"


def _module(**members: Any) -> types.ModuleType:
    module = types.ModuleType("fake_tools")
    for name, value in members.items():
        setattr(module, name, value)
    return module


def test_public_names() -> None:
    assert sorted(tooling.__all__) == [
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


def test_decorated_function_still_works_with_keywords() -> None:
    assert price_quote(quantity=3, unit_price=2.5) == Quote(total=7.5, currency="EUR")
    assert book_order(order_id="A1", mode="final") == "A1:final"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quantity": 0, "unit_price": 1.0}, "quantity"),
        ({"quantity": 1001, "unit_price": 1.0}, "quantity"),
        ({"quantity": 1, "unit_price": 0}, "unit_price"),
        ({"quantity": 1, "unit_price": 1.0, "currency": "euro"}, "currency"),
        ({"quantity": "many", "unit_price": 1.0}, "quantity"),
        ({"unit_price": 1.0}, "quantity"),
        ({"quantity": 1, "unit_price": 1.0, "colour": "red"}, "colour"),
    ],
)
def test_invalid_arguments_raise_validation_error_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        price_quote(**kwargs)
    assert field in str(info.value)
    assert "price_quote" in str(info.value)


def test_spec_records_name_description_examples_and_write_flag() -> None:
    spec = spec_of(price_quote)
    assert isinstance(spec, ToolSpec)
    assert spec.name == "price_quote"
    assert spec.description == "Price a quantity of units."
    assert spec.examples == ("Price 3 widgets at 2.5 each", "3 个零件每个 2.5 元总价多少")
    assert spec.write is False
    assert spec_of(book_order) is not None
    assert spec_of(book_order).write is True  # type: ignore[union-attr]
    assert spec_of(len) is None


def test_json_schema_follows_the_conventions() -> None:
    spec = spec_of(price_quote)
    assert spec is not None
    schema = spec.json_schema()
    assert schema["name"] == "price_quote"
    assert schema["description"] == (
        "Price a quantity of units.\n"
        "Examples: Price 3 widgets at 2.5 each | 3 个零件每个 2.5 元总价多少"
    )
    params = schema["parameters"]
    assert params["type"] == "object"
    assert params["required"] == ["quantity", "unit_price"]
    assert "x-write" not in params
    props = params["properties"]
    assert props["quantity"]["type"] == "integer"
    assert props["quantity"]["minimum"] == 1
    assert props["quantity"]["maximum"] == 1000
    assert props["quantity"]["description"] == "Number of units."
    assert props["unit_price"]["x-unit"] == "currency"
    assert props["unit_price"]["exclusiveMinimum"] == 0
    assert props["currency"]["pattern"] == "^[A-Z]{3}$"
    assert props["currency"]["default"] == "EUR"
    json.dumps(schema)  # serialisable as is


class Reading(BaseModel):
    """One meter reading."""

    kwh: float = Field(
        description="Energy since the last reading.", json_schema_extra={"x-unit": "kWh"}
    )
    note: str | None = Field(default=None, title="Note", description="Free text.")


class Survey(BaseModel):
    """Readings of one site."""

    share_estimated: float = Field(
        description="Readings estimated, not read.", json_schema_extra={"x-unit": "fraction"}
    )
    readings: list[Reading] = Field(description="One row per meter.")


@domain_tool()
def site_survey(site: Annotated[str, Field(description="Site code.")]) -> Survey:
    """Survey the meters of a site."""
    return Survey(share_estimated=0.0, readings=[])


def test_the_result_model_rides_along_as_x_result() -> None:
    spec = spec_of(site_survey)
    assert spec is not None and spec.result_model is Survey
    result = spec.json_schema()["parameters"]["x-result"]
    # $defs inlined; titles and types dropped (values show their types); units kept.
    assert result == {
        "description": "Readings of one site.",
        "properties": {
            "share_estimated": {
                "description": "Readings estimated, not read.",
                "x-unit": "fraction",
            },
            "readings": {
                "description": "One row per meter.",
                "items": {
                    "description": "One meter reading.",
                    "properties": {
                        "kwh": {"description": "Energy since the last reading.", "x-unit": "kWh"},
                        "note": {"description": "Free text."},
                    },
                },
            },
        },
    }
    # Deterministic: the same bytes every time (tool schemas sit in the cached prefix).
    again = spec_of(site_survey)
    assert again is not None
    assert json.dumps(spec.json_schema()) == json.dumps(again.json_schema())
    booking = spec_of(book_order)
    assert booking is not None and "x-result" not in booking.json_schema()["parameters"]


def test_a_long_result_schema_sheds_nested_descriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tooling, "RESULT_SCHEMA_MAX_CHARS", 350)
    result = tooling.compact_result_schema(Survey.model_json_schema())
    assert len(json.dumps(result, separators=(",", ":"))) <= 350
    assert result["properties"]["share_estimated"]["x-unit"] == "fraction"
    assert "description" not in result["properties"]["readings"]["items"]["properties"]["kwh"]


def test_x_result_reaches_the_engine_through_langchain() -> None:
    """`ChatTokenService.bind_tools` sends the exact schema; the engine keeps x-result."""
    import httpx

    from toolkit.engine import LocalEngine, LocalTransport
    from toolkit.tokens.langchain import ChatTokenService

    bodies: list[dict[str, Any]] = []
    local = LocalTransport(LocalEngine())

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.read()))
        return local.handle_request(request)

    model = ChatTokenService(model="m", transport=httpx.MockTransport(handle))
    tools = as_langchain_tools([spec_of(site_survey)])  # type: ignore[list-item]
    model.bind_tools(tools).invoke("Survey site N-1")
    (sent,) = bodies[0]["tools"]
    assert sent["function"]["parameters"]["x-result"] == spec_of(site_survey).result_schema()  # type: ignore[union-attr]


def test_write_tool_schema_carries_x_write_and_no_examples_line() -> None:
    spec = spec_of(book_order)
    assert spec is not None
    schema = spec.json_schema()
    assert schema["description"] == "Book an order in the ledger."
    assert schema["parameters"]["x-write"] is True
    assert schema["parameters"]["properties"]["mode"]["enum"] == ["draft", "final"]


def test_openai_tool_schema_wraps_the_function_schema() -> None:
    spec = spec_of(book_order)
    assert spec is not None
    assert openai_tool_schema(spec) == {"type": "function", "function": spec.json_schema()}


def test_collect_tools_sorted_by_name_and_ignores_other_members() -> None:
    module = _module(
        zeta=price_quote, alpha=book_order, alias=book_order, helper=len, Quote=Quote, n=3
    )
    specs = collect_tools(module)
    assert [s.name for s in specs] == ["book_order", "price_quote"]
    assert collect_tools(_module(helper=len)) == []


def test_collect_tools_rejects_two_tools_with_one_name() -> None:
    @domain_tool()
    def book_order(order_id: str) -> str:
        """Another tool with a clashing name."""
        return order_id

    with pytest.raises(ToolDefinitionError, match="book_order"):
        collect_tools(_module(a=book_order, b=globals()["book_order"]))


def test_spec_invoke_validates_a_mapping() -> None:
    spec = spec_of(price_quote)
    assert spec is not None
    assert spec.invoke({"quantity": 2, "unit_price": 1.25, "currency": "USD"}).total == 2.5
    with pytest.raises(pydantic.ValidationError):
        spec.invoke({"quantity": -2, "unit_price": 1.25})


def test_langchain_tools_use_the_input_model() -> None:
    from langchain_core.tools import StructuredTool
    from langchain_core.utils.function_calling import convert_to_openai_tool

    specs = collect_tools(_module(a=price_quote, b=book_order))
    tools = as_langchain_tools(specs)
    assert [t.name for t in tools] == ["book_order", "price_quote"]
    quote_tool = tools[1]
    assert isinstance(quote_tool, StructuredTool)
    assert quote_tool.args_schema is specs[1].input_model
    assert quote_tool.description.startswith("Price a quantity of units.\nExamples: ")
    assert quote_tool.invoke({"quantity": 4, "unit_price": 2.0}) == {
        "total": 8.0,
        "currency": "EUR",
    }
    metadata = dict(tools[0].metadata or {})
    exact = metadata.pop(OPENAI_SCHEMA_KEY)
    assert metadata == {"write": True, "examples": []}
    assert exact["function"]["parameters"]["x-write"] is True
    openai = convert_to_openai_tool(quote_tool)
    assert openai["function"]["name"] == "price_quote"
    assert set(openai["function"]["parameters"]["properties"]) == {
        "quantity",
        "unit_price",
        "currency",
    }


def test_langchain_tool_call_yields_json_tool_message() -> None:
    (tool,) = as_langchain_tools([spec for spec in [spec_of(price_quote)] if spec])
    message = tool.invoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": "price_quote",
            "args": {"quantity": 2, "unit_price": 3.0},
        }
    )
    assert json.loads(message.content) == {"total": 6.0, "currency": "EUR"}


def test_langchain_tool_rejects_invalid_arguments() -> None:
    (tool,) = as_langchain_tools([spec for spec in [spec_of(price_quote)] if spec])
    with pytest.raises(pydantic.ValidationError):
        tool.invoke({"quantity": 0, "unit_price": 3.0})


def _no_doc(x: int) -> int:
    return x


def _untyped(x) -> int:  # type: ignore[no-untyped-def]
    """Has an unannotated parameter."""
    return int(x)


def _variadic(*values: int) -> int:
    """Takes *args."""
    return sum(values)


def _positional_only(x: int, /) -> int:
    """Takes a positional-only parameter."""
    return x


@pytest.mark.parametrize(
    ("func", "needle"),
    [
        (_no_doc, "no docstring"),
        (_untyped, "no type annotation"),
        (_variadic, "variadic positional"),
        (_positional_only, "positional-only"),
    ],
)
def test_badly_declared_functions_are_rejected(func: Any, needle: str) -> None:
    with pytest.raises(ToolDefinitionError, match=needle) as info:
        domain_tool()(func)
    assert isinstance(info.value, ToolkitError)
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize("examples", ["one string", ("ok", ""), ("ok", 3)])
def test_bad_examples_are_rejected(examples: Any) -> None:
    with pytest.raises(ToolDefinitionError, match="example"):
        domain_tool(examples=examples)
