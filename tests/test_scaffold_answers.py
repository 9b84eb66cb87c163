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
