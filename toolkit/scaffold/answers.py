"""Answers for `toolkit new`: gathered, derived and validated before anything is written.

User-supplied values are data. They are checked and then handed to the
renderer as plain strings; they are never rendered as Jinja themselves. Only
the template's own default expressions (e.g. ``{{ cookiecutter.project_name
| slugify }}``) are rendered, exactly as stock cookiecutter renders them, so
both tools derive the same defaults.

Validation is against what the generated project needs: the slug is the Chroma
collection name (3-63 characters), the package name must import as the
project's own (not shadow the standard library or an installed distribution),
and the endpoint URL must be one httpx and every OpenAI-compatible server read
the same way. Free text is written through the escaping filters of
`toolkit.scaffold.inert`, so it stays text in every file type.
"""

from __future__ import annotations

import functools
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
)

from toolkit.errors import AnswerError, TemplateError
from toolkit.scaffold.catalog import TemplateInfo

__all__ = ["Answers", "Prompter", "answers_model", "resolve_answers"]

MAX_TEXT = 100
MAX_URL = 2048
#: Chroma's collection-name limits; the slug is the project's collection name.
SLUG_LENGTH = (3, 63)
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\{#|%\}|\}\}|#\}")
_SLUG = re.compile(r"[a-z][a-z0-9-]*")
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")
_RESERVED_PACKAGES = frozenset({"toolkit", "tests", "test", "src"})
# RFC 3986 never allows these in a URL; a parser that "fixes" them may read another host.
_URL_FORBIDDEN = frozenset('"<>\\^`{|}')

#: ``(name, default, choices)`` -> the answer the user gives; ``choices`` is empty for free text.
Prompter = Callable[[str, str, list[str]], str]


def _check_text(value: str, *, limit: int) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in value):
        raise ValueError("contains control or invisible formatting characters")
    if _TEMPLATE_SYNTAX.search(value):
        raise ValueError("contains template syntax ({{ }}, {% %} or {# #}); it is never evaluated")
    if len(value) > limit:
        raise ValueError(f"is {len(value)} characters long; the limit is {limit}")
    return value


class Answers(BaseModel):
    """The answers every industry template takes (cookiecutter's conventions)."""

    model_config = ConfigDict(extra="forbid")

    project_name: str
    project_slug: str
    package_name: str
    author: str
    token_service_url: str = "local"
    model: str

    @field_validator("project_name", "author")
    @classmethod
    def _free_text(cls, value: str) -> str:
        value = _check_text(value, limit=MAX_TEXT).strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("project_slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        low, high = SLUG_LENGTH
        _check_text(value, limit=high)
        if not _SLUG.fullmatch(value) or value.endswith("-"):
            raise ValueError(
                "must start with a lowercase letter and use only a-z, 0-9 and '-' "
                "(it becomes the project folder name, so no '/', '..' or spaces)"
            )
        if len(value) < low:
            raise ValueError(
                f"{value!r} is {len(value)} character(s); it names the project's Chroma "
                f"collection, which needs {low} to {high}"
            )
        return value

    @field_validator("package_name")
    @classmethod
    def _package(cls, value: str, info: ValidationInfo) -> str:
        _check_text(value, limit=SLUG_LENGTH[1])
        if not _PACKAGE.fullmatch(value):
            raise ValueError("must be a lowercase Python identifier (a-z, 0-9, '_')")
        if keyword.iskeyword(value) or keyword.issoftkeyword(value):
            raise ValueError("is a Python keyword")
        if value in sys.stdlib_module_names or value in _RESERVED_PACKAGES:
            raise ValueError("would shadow a standard-library or toolkit module")
        owners = _installed_modules().get(value, ())
        slug = _normalise(str(info.data.get("project_slug", "")))
        if owners and slug not in {_normalise(o) for o in owners}:
            raise ValueError(
                f"would shadow the installed package {owners[0]!r} (import {value}); "
                "choose another package_name"
            )
        return value

    @field_validator("token_service_url")
    @classmethod
    def _url(cls, value: str) -> str:
        _check_text(value, limit=MAX_URL)
        if value == "local":
            return value
        return _check_url(value)

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        _check_text(value, limit=200)
        if not _MODEL.fullmatch(value):
            raise ValueError("must be a model id such as qwen2.5-7b-instruct")
        return value


def _normalise(name: str) -> str:
    """A distribution name in PEP 503 normal form (``Acme_Desk`` and ``acme-desk`` agree)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _installed_modules() -> dict[str, tuple[str, ...]]:
    """Top-level import names of the installed distributions, with their owners."""
    from importlib.metadata import packages_distributions

    return {name: tuple(owners) for name, owners in packages_distributions().items()}


def _check_url(value: str) -> str:
    """An absolute http(s) URL every client parses the same way, or ``ValueError``."""
    example = "must be 'local' or an http(s) URL such as http://127.0.0.1:8000/v1"
    if any(ch.isspace() for ch in value):
        raise ValueError("contains whitespace; " + example)
    if not value.isascii() or any(ch in _URL_FORBIDDEN for ch in value):
        raise ValueError(
            "contains characters a URL cannot hold (non-ASCII, quotes, '<>\\^`{|}'); "
            "write an international host name in its xn-- form"
        )
    scheme, sep, _ = value.partition("://")
    if not sep or scheme not in {"http", "https"}:
        # urlsplit would lower-case "HTTP"; a server or proxy may not, so insist on the form.
        raise ValueError(f"{example} (the scheme in lower case)")
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - parsing the port validates it
    except ValueError:
        raise ValueError("has an invalid port; " + example) from None
    if not parts.hostname:
        raise ValueError("has no host; " + example)
    if parts.username or parts.password:
        raise ValueError(
            "must not carry credentials; put the API key in an environment variable "
            "and name it in toolkit.yaml (api_key_env)"
        )
    return value


def _free_text(value: str) -> str:
    return _check_text(value, limit=MAX_TEXT)


def _extra_field(name: str, default: Any) -> tuple[Any, Any]:
    if isinstance(default, bool):
        return (bool, default)
    if isinstance(default, list) and default and all(isinstance(c, str) for c in default):
        return (Literal[tuple(default)], default[0])
    if isinstance(default, str):
        return (Annotated[str, AfterValidator(_free_text)], default)
    raise TemplateError(
        template="?", problem=f"variable {name!r} has an unsupported default {default!r}"
    )


def answers_model(template: TemplateInfo) -> type[Answers]:
    """Build the pydantic model for one template: the common answers plus its own."""
    extras = {
        name: _extra_field(name, default)
        for name, default in template.variables.items()
        if name not in Answers.model_fields
    }
    missing = set(Answers.model_fields) - set(template.variables)
    if missing:
        raise TemplateError(
            template=template.name, problem=f"cookiecutter.json lacks {sorted(missing)}"
        )
    model = create_model(  # type: ignore[call-overload]
        f"{template.name.title()}Answers", __base__=Answers, **extras
    )
    return cast(type[Answers], model)


def _render_default(template: TemplateInfo, raw: Any, so_far: Mapping[str, Any]) -> str:
    """Render one of the template's own default expressions, as cookiecutter does."""
    if not isinstance(raw, str):
        return str(raw)
    if "{" not in raw:
        return raw
    from cookiecutter.environment import StrictEnvironment

    env = StrictEnvironment(context={"cookiecutter": template.context})
    try:
        return str(env.from_string(raw).render(cookiecutter=dict(so_far)))
    except Exception as exc:  # a broken template expression is the template's fault
        raise TemplateError(
            template=template.name, problem=f"default {raw!r} fails to render: {exc}"
        ) from exc


def _as_answer(name: str, value: object) -> object:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise AnswerError(field=name, problem=f"expected text, got {type(value).__name__}")


def resolve_answers(
    template: TemplateInfo,
    provided: Mapping[str, object],
    *,
    prompter: Prompter | None = None,
) -> Answers:
    """Merge provided answers, prompts and derived defaults, then validate them all.

    Args:
        template: the template being rendered.
        provided: answers from ``--set`` and ``--answers-file`` (never rendered).
        prompter: asks the user for each unanswered variable; ``None`` takes defaults.

    Raises:
        AnswerError: an unknown key or an invalid value; the message names the field.
    """
    variables = template.variables
    unknown = sorted(set(provided) - set(variables))
    if unknown:
        raise AnswerError(
            field=unknown[0],
            problem="is not a question this template asks",
            hint=f"Known answers: {', '.join(variables)}.",
        )
    model = answers_model(template)
    values: dict[str, Any] = {}
    for name, raw_default in variables.items():
        if name in provided:
            value = _as_answer(name, provided[name])
        else:
            choices = [str(c) for c in raw_default] if isinstance(raw_default, list) else []
            default = choices[0] if choices else _render_default(template, raw_default, values)
            value = default if prompter is None else prompter(name, default, choices)
            if isinstance(raw_default, bool) and isinstance(value, str):
                value = value.strip().lower() in {"1", "true", "yes", "y"}
        values[name] = value
        derived = name not in provided and isinstance(raw_default, str) and "{{" in raw_default
        try:
            _validate_one(model, name, values)
        except AnswerError as exc:
            if not derived:
                raise
            raise AnswerError(
                field=exc.field,
                problem=exc.problem,
                hint=f"It was derived from {raw_default!r}; set {name} yourself "
                f"(--set {name}=...) or change the answer it comes from.",
            ) from exc
    try:
        return model(**values)
    except ValidationError as exc:
        raise _answer_error(exc) from exc


def _validate_one(model: type[Answers], name: str, values: dict[str, Any]) -> None:
    """Fail on the first bad answer before asking the next question."""
    validator = model.__pydantic_validator__
    try:
        validator.validate_assignment(model.model_construct(**values), name, values[name])
    except ValidationError as exc:
        raise _answer_error(exc) from exc


def _answer_error(exc: ValidationError) -> AnswerError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "answers"
    message = str(first["msg"]).removeprefix("Value error, ")
    return AnswerError(field=field, problem=message)
