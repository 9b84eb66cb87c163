"""Scaffolding: the template catalog, answer validation and rendering."""

from __future__ import annotations

from toolkit.scaffold.answers import Answers, Prompter, answers_model, resolve_answers
from toolkit.scaffold.catalog import (
    TemplateInfo,
    get_template,
    list_templates,
    template_at,
    templates_root,
)
from toolkit.scaffold.contract import Problem, check_pack, check_project, check_template
from toolkit.scaffold.create import (
    create_project,
    parse_set_options,
    read_answers_file,
)
from toolkit.scaffold.render import ANSWERS_FILE, RenderResult, build_context, render_project

__all__ = [
    "ANSWERS_FILE",
    "Answers",
    "Problem",
    "Prompter",
    "RenderResult",
    "TemplateInfo",
    "answers_model",
    "build_context",
    "check_pack",
    "check_project",
    "check_template",
    "create_project",
    "get_template",
    "list_templates",
    "parse_set_options",
    "read_answers_file",
    "render_project",
    "resolve_answers",
    "template_at",
    "templates_root",
]
