"""Jinja filters that keep a user's answer inert in every file type it is written into.

Answers are validated at answer time (`toolkit.scaffold.answers`), but validation
alone cannot know every place a value lands. Templates therefore write free text
through a filter chosen for the context:

- ``quoted``: a double-quoted string literal that means the same text, and nothing
  else, in Python, TOML (basic string), YAML (double-quoted scalar) and JSON.
- ``md``: Markdown inline text with every character that could start markup, HTML,
  a link or an image backslash-escaped (CommonMark allows escaping any ASCII
  punctuation), so the value renders as itself.

The templates name the extension in ``_extensions`` of their ``cookiecutter.json``,
so stock ``cookiecutter`` renders them the same way.
"""

from __future__ import annotations

import json
import unicodedata

from jinja2 import Environment
from jinja2.ext import Extension

__all__ = ["InertExtension", "markdown_text", "quoted"]

_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# What can start emphasis, code, links, images, raw HTML, entities, tables or headings.
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>!&|~#")


def quoted(value: object) -> str:
    r"""``value`` as a double-quoted literal valid in Python, TOML, YAML and JSON.

    Control, format and separator characters are written as ``\uXXXX`` escapes
    (YAML reads U+0085, U+2028 and U+2029 as line breaks; TOML forbids raw DEL).

    Raises:
        ValueError: an invisible character outside the Basic Multilingual Plane, which
            has no escape all four languages share (answer validation refuses them first).
    """
    out = []
    for ch in json.dumps(str(value), ensure_ascii=False):
        if unicodedata.category(ch) in _INVISIBLE:
            if ord(ch) > 0xFFFF:
                raise ValueError(f"character U+{ord(ch):X} cannot be written as text")
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def markdown_text(value: object) -> str:
    """``value`` as Markdown inline text that renders as exactly itself.

    Line breaks become spaces: an answer is one line of text.
    """
    text = " ".join(str(value).splitlines())
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in text)


class InertExtension(Extension):
    """Registers the ``quoted`` and ``md`` filters (see the module docstring)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["quoted"] = quoted
        environment.filters["md"] = markdown_text
