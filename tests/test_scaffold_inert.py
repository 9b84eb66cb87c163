"""Every answer stays inert in every file type it reaches (hypothesis, all templates).

The fuzz test renders the template files that take answers straight through the
Jinja environment cookiecutter uses (same loader, same extensions), once with
fuzzed answers and once with placeholders, and requires each file to parse to the
same structure: only string values may differ, and they must equal the answer.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader
from markdown_it import MarkdownIt

from toolkit.errors import AnswerError
from toolkit.scaffold import Answers, build_context, get_template, list_templates
from toolkit.scaffold.answers import resolve_answers
from toolkit.scaffold.inert import markdown_text, quoted

#: Characters and fragments that break out of one file type or another.
BREAKING = [
    '"', "'", '"""', "'''", "\\", "`", "$", "$(id)", "${HOME}", ";", "&", "|", "<", ">",
    "<script>alert(1)</script>", "{", "}", "{{", "}}", "{%", "%}", "{#", "#}", "[", "]", "(",
    ")", "*", "_", "~", "!", "#", "%", "\n", "\r", "\t", "\x00", "\x1b[31m", "\x7f", "\x85",
    "\u2028", "\u2029", "\ufeff", "\u202e", "\u200b", "\ud800", " ", "\xa0", "é", "中文", "🏦",
    ":", "- ", "---", "...", "&amp;", "\\n", "\\u0041", "__import__('os')",
    'x"""; __import__("os").system("id > /tmp/p"); """', "[x](javascript:alert(1))", "# ",
    "= ", "[tool]", "\\\n", "\\", "@", "%(x)s", "../", "\x08", "\x0c",
]  # fmt: skip
FREE_TEXT = st.lists(
    st.sampled_from(BREAKING) | st.text(string.ascii_letters + string.digits, min_size=1),
    min_size=1,
    max_size=8,
).map("".join)
INDUSTRIES = [t.name for t in list_templates()]
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def test_every_template_is_fuzzed() -> None:
    assert {"finance", "energy", "auto", "manufacturing"} <= set(INDUSTRIES)


@cache
def _template_files(industry: str) -> tuple[Path, tuple[str, ...]]:
    """The template's project folder and the files in it that take answers."""
    template = get_template(industry)
    (project,) = [p for p in template.path.iterdir() if p.name.startswith("{{")]
    files = tuple(
        sorted(
            str(p.relative_to(project))
            for p in project.rglob("*")
            if p.is_file() and re.search(r"\{\{|\{%", p.read_text(encoding="utf-8"))
        )
    )
    return project, files


@cache
def _environment(industry: str) -> Environment:
    """Cookiecutter's environment for the template (its extensions, its loader paths)."""
    from cookiecutter.environment import StrictEnvironment

    template = get_template(industry)
    project, _ = _template_files(industry)
    env: Environment = StrictEnvironment(
        context={"cookiecutter": template.context}, keep_trailing_newline=True
    )
    env.loader = FileSystemLoader([str(project), str(project.parent / "templates")])
    return env


def _render(industry: str, answers: Answers) -> dict[str, str]:
    context = build_context(get_template(industry), answers)
    env = _environment(industry)
    return {name: env.get_template(name).render(**context) for name in _template_files(industry)[1]}


def _blank_strings(value: Any) -> Any:
    if isinstance(value, str):
        return ""
    if isinstance(value, dict):
        return {k: _blank_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_strings(v) for v in value]
    return value


def _python_shape(text: str) -> str:
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def _markdown_shape(text: str) -> list[Any]:
    shape: list[Any] = []
    for token in MD.parse(text):
        if token.type == "fence" and token.info.strip() in ("bash", "sh", "shell"):
            # A shell command must keep its words: the same number of shell tokens.
            shape.append(("fence", len(shlex.split(token.content, comments=True))))
            continue
        kids = [c.type for c in token.children or []]
        merged = [k for i, k in enumerate(kids) if k != "text" or not i or kids[i - 1] != "text"]
        shape.append((token.type, token.tag, token.info, merged))
    return shape


def _markdown_texts(text: str) -> list[str]:
    return [
        "".join(c.content for c in token.children or [] if c.type == "text")
        for token in MD.parse(text)
        if token.type == "inline"
    ]


def _check_file(name: str, fuzzed: str, placeholder: str, answers: Answers) -> None:
    suffix = Path(name).suffix
    if suffix == ".py":
        assert _python_shape(fuzzed) == _python_shape(placeholder), name
        if name.endswith("__init__.py"):
            doc = ast.get_docstring(ast.parse(fuzzed), clean=False)
            assert doc == f"{answers.project_name}: domain tools and agent configuration."
    elif suffix == ".toml":
        data = tomllib.loads(fuzzed)
        assert _blank_strings(data) == _blank_strings(tomllib.loads(placeholder)), name
        assert data["project"]["description"].startswith(answers.project_name)
        assert data["project"]["authors"] == [{"name": answers.author}]
    elif suffix in (".yaml", ".yml"):
        data = yaml.safe_load(fuzzed)
        assert _blank_strings(data) == _blank_strings(yaml.safe_load(placeholder)), name
        if name == "toolkit.yaml":
            assert data["project"]["name"] == answers.project_name
            assert data["token_service"]["endpoints"][0]["url"] == answers.token_service_url
    elif suffix == ".md":
        assert _markdown_shape(fuzzed) == _markdown_shape(placeholder), name
        texts = _markdown_texts(fuzzed)
        assert texts[0] == answers.project_name
        assert any(f"Author: {answers.author}." in t for t in texts)
    else:
        # Makefile, .gitignore, ...: no free text reaches them at all.
        assert fuzzed == placeholder, f"{name}: an answer reached a file with no escaping policy"


def _accepted(industry: str, provided: dict[str, object]) -> Answers | None:
    try:
        return resolve_answers(get_template(industry), provided)
    except AnswerError as exc:
        assert exc.field in provided or exc.field in ("project_slug", "package_name")
        assert "Nothing was written" in str(exc)
        return None


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    industry=st.sampled_from(INDUSTRIES),
    name=FREE_TEXT,
    author=FREE_TEXT,
    url=st.sampled_from(["local", "http://127.0.0.1:8000/v1", "https://api.example.com/v1"])
    | FREE_TEXT.map(lambda tail: f"https://api.example.com/{tail}"),
)
@example(
    industry="finance",
    name='x"""; __import__("os").system("id > /tmp/p"); """',
    author="O'Brien & <Co>",
    url="local",
)
def test_answers_are_inert_in_every_file_type(
    industry: str, name: str, author: str, url: str
) -> None:
    answers = _accepted(
        industry, {"project_name": name, "author": author, "token_service_url": url}
    )
    if answers is None:
        return
    placeholder = answers.model_copy(update={"project_name": "Placeholder", "author": "Someone"})
    fuzzed_files = _render(industry, answers)
    placeholder_files = _render(industry, placeholder)
    for file_name, text in fuzzed_files.items():
        _check_file(file_name, text, placeholder_files[file_name], answers)
    # The record of the answers (.toolkit/answers.yaml) round-trips exactly.
    dumped = yaml.safe_dump(answers.model_dump(), sort_keys=True, allow_unicode=True)
    assert yaml.safe_load(dumped) == answers.model_dump()


def test_the_issue_payload_renders_as_a_docstring_only() -> None:
    payload = 'x"""; __import__("os").system("id > /tmp/p"); """'
    answers = resolve_answers(get_template("finance"), {"project_name": payload})
    (init,) = [v for k, v in _render("finance", answers).items() if k.endswith("__init__.py")]
    tree = ast.parse(init)
    assert (
        ast.get_docstring(tree, clean=False) == f"{payload}: domain tools and agent configuration."
    )
    assert not any(isinstance(n, ast.Call) for n in ast.walk(tree.body[0]))


PRINTABLE = st.text(
    st.characters(blacklist_categories=["Cs"], max_codepoint=0x10FFFF), max_size=40
).filter(lambda s: not any(ord(c) > 0xFFFF and not c.isprintable() for c in s))


@given(PRINTABLE)
def test_quoted_means_the_same_text_in_python_toml_yaml_and_json(value: str) -> None:
    literal = quoted(value)
    assert ast.literal_eval(literal) == value
    assert json.loads(literal) == value
    assert tomllib.loads(f"v = {literal}\n")["v"] == value
    assert yaml.safe_load(f"v: {literal}\n")["v"] == value


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=40))
def test_markdown_text_renders_as_itself(value: str) -> None:
    assert _markdown_texts(f"Before {markdown_text(value)} after.\n") == [f"Before {value} after."]


@pytest.mark.parametrize("value", ["\U000e0001", "\U0001d173"])
def test_quoted_refuses_invisible_characters_it_cannot_escape(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        quoted(value)


def test_importing_the_generated_package_runs_no_answer(tmp_path: Path) -> None:
    import subprocess
    import sys

    from toolkit.scaffold import create_project

    payload = 'x"""; open("PWNED", "w"); """'
    project = create_project(
        "finance", output_dir=tmp_path, provided={"project_name": payload, "project_slug": "pwn"}
    ).project_dir
    result = subprocess.run(
        [sys.executable, "-c", "import pwn; print(pwn.__doc__)"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
             "PYTHONPATH": f"{project / 'src'}:{Path(__file__).resolve().parent.parent}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert payload in result.stdout
    assert not (tmp_path / "PWNED").exists()
