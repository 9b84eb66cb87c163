from __future__ import annotations

import pytest

from toolkit.errors import AnswerError
from toolkit.scaffold import get_template, resolve_answers


@pytest.fixture
def finance():  # type: ignore[no-untyped-def]
    return get_template("finance")


def test_defaults_are_derived_like_cookiecutter(finance) -> None:  # type: ignore[no-untyped-def]
    answers = resolve_answers(finance, {})
    assert answers.project_slug == "acme-finance-agent"
    assert answers.package_name == "acme_finance_agent"
    assert answers.token_service_url == "local"


def test_derived_values_follow_the_given_name(finance) -> None:  # type: ignore[no-untyped-def]
    answers = resolve_answers(finance, {"project_name": "Nordic Lending Desk"})
    assert answers.project_slug == "nordic-lending-desk"
    assert answers.package_name == "nordic_lending_desk"


def test_explicit_slug_and_package_win(finance) -> None:  # type: ignore[no-untyped-def]
    answers = resolve_answers(
        finance, {"project_name": "招商助手", "project_slug": "cmb-helper", "package_name": "cmb"}
    )
    assert answers.project_name == "招商助手"
    assert (answers.project_slug, answers.package_name) == ("cmb-helper", "cmb")


def test_choice_variable_defaults_to_first_and_is_checked(finance) -> None:  # type: ignore[no-untyped-def]
    assert resolve_answers(finance, {}).model_dump()["default_role"] == "customer_service"
    with pytest.raises(AnswerError, match="default_role"):
        resolve_answers(finance, {"default_role": "root"})


HOSTILE = [
    ("project_slug", "../evil"),
    ("project_slug", "/etc"),
    ("project_slug", "a/b"),
    ("project_slug", "a\\b"),
    ("project_slug", "a\x00b"),
    ("project_slug", "Upper"),
    ("project_slug", "x" * 65),
    ("package_name", "os"),
    ("package_name", "json"),
    ("package_name", "toolkit"),
    ("package_name", "class"),
    ("package_name", "match"),
    ("package_name", "../pkg"),
    ("package_name", "has-dash"),
    ("project_name", "{{ cookiecutter.__class__ }}"),
    ("project_name", "{% for x in y %}{% endfor %}"),
    ("project_name", "{# comment #}"),
    ("project_name", "line\nbreak"),
    ("project_name", "bell\x07"),
    ("project_name", "rtl\u202eoverride"),
    ("project_name", "x" * 10_000),
    ("project_name", "   "),
    ("author", "{{ 7 * 7 }}"),
    ("token_service_url", "file:///etc/passwd"),
    ("token_service_url", "http://user:secret@host/v1"),
    ("token_service_url", "not a url"),
    ("model", "bad model id"),
    ("model", "{{x}}"),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE)
def test_hostile_answers_are_refused_naming_the_field(finance, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerError) as info:
        resolve_answers(finance, {field: value})
    assert info.value.field == field
    assert "Nothing was written" in str(info.value)


def test_credentials_are_not_echoed(finance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerError) as info:
        resolve_answers(finance, {"token_service_url": "https://me:s3cr3t-key@api.example/v1"})
    assert "s3cr3t-key" not in str(info.value)


def test_unknown_key_is_refused(finance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerError, match="not a question this template asks"):
        resolve_answers(finance, {"_copy_without_render": "x"})


def test_non_text_answer_is_refused(finance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnswerError, match="expected text"):
        resolve_answers(finance, {"author": ["a", "b"]})


def test_prompter_is_asked_in_order_with_derived_defaults(finance) -> None:  # type: ignore[no-untyped-def]
    asked: list[tuple[str, str, list[str]]] = []

    def prompter(name: str, default: str, choices: list[str]) -> str:
        asked.append((name, default, choices))
        return "Riverside Credit Union" if name == "project_name" else default

    answers = resolve_answers(finance, {"author": "Ops"}, prompter=prompter)
    names = [name for name, _, _ in asked]
    assert names == [
        "project_name",
        "project_slug",
        "package_name",
        "token_service_url",
        "model",
        "default_role",
    ]
    assert asked[1][1] == "riverside-credit-union"
    assert asked[-1][2] == ["customer_service", "credit_officer", "bsa_officer"]
    assert answers.author == "Ops"


def test_prompted_bad_value_fails_before_later_questions(finance) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def prompter(name: str, default: str, choices: list[str]) -> str:
        asked.append(name)
        return "../../x" if name == "project_slug" else default

    with pytest.raises(AnswerError, match="project_slug"):
        resolve_answers(finance, {}, prompter=prompter)
    assert asked == ["project_name", "project_slug"]


# What the red-team pass found accepted although the generated project breaks on it.
BREAKING_PROJECT = [
    ("project_slug", {"project_slug": "a"}, "Chroma"),
    ("project_slug", {"project_slug": "ab"}, "Chroma"),
    ("project_slug", {"project_name": "é"}, "derived from"),
    ("project_slug", {"project_slug": "a" * 64}, "limit is 63"),
    ("token_service_url", {"token_service_url": "HTTP://H/V1"}, "lower case"),
    ("token_service_url", {"token_service_url": "Https://api.example.com/v1"}, "lower case"),
    ("token_service_url", {"token_service_url": "http://h\xa0ost/v1"}, "whitespace"),
    ("token_service_url", {"token_service_url": "http://host/v1\u3000"}, "whitespace"),
    ("token_service_url", {"token_service_url": "http://host/v1 "}, "whitespace"),
    ("token_service_url", {"token_service_url": "http://h\u043est/v1"}, "non-ASCII"),
    ("token_service_url", {"token_service_url": "http://host\\@evil/v1"}, "cannot hold"),
    ("token_service_url", {"token_service_url": "http://host:99999/v1"}, "port"),
    ("token_service_url", {"token_service_url": "http:///v1"}, "no host"),
    ("token_service_url", {"token_service_url": "local "}, "whitespace"),
    ("package_name", {"package_name": "pydantic"}, "shadow the installed package 'pydantic'"),
    ("package_name", {"package_name": "yaml"}, "'PyYAML'"),
    ("package_name", {"package_name": "chromadb"}, "shadow"),
    ("project_name", {"project_name": "lone \ud800 surrogate"}, "control"),
]


@pytest.mark.parametrize(("field", "provided", "reason"), BREAKING_PROJECT)
def test_answers_that_break_the_project_are_refused(  # type: ignore[no-untyped-def]
    finance, field: str, provided: dict[str, object], reason: str
) -> None:
    with pytest.raises(AnswerError) as info:
        resolve_answers(finance, provided)
    assert info.value.field == field
    assert reason in str(info.value)


@pytest.mark.parametrize(
    "provided",
    [
        {"project_slug": "abd"},
        {"project_slug": "a" * 63},
        {"project_name": "Ops Desk", "token_service_url": "https://api.example.com:8443/v1"},
        {"token_service_url": "http://[::1]:8000/v1"},
        {"project_name": "招商银行 Helper", "project_slug": "cmb-helper"},
    ],
)
def test_boundary_answers_are_accepted(finance, provided: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    answers = resolve_answers(finance, provided)
    for key, value in provided.items():
        assert getattr(answers, key) == value


def test_a_project_may_reuse_its_own_installed_package_name(  # type: ignore[no-untyped-def]
    finance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pip install -e .` of a generated project, then `toolkit new --force` on it again.
    from toolkit.scaffold import answers as answers_module

    installed = {"acme_finance_agent": ("Acme_Finance-Agent",), "pydantic": ("pydantic",)}
    monkeypatch.setattr(answers_module, "_installed_modules", lambda: installed)
    assert resolve_answers(finance, {}).package_name == "acme_finance_agent"
    with pytest.raises(AnswerError, match="Acme_Finance-Agent"):
        resolve_answers(
            finance, {"project_slug": "other-desk", "package_name": "acme_finance_agent"}
        )
