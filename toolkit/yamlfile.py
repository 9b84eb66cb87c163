"""Read a YAML project file and turn validation errors into messages with line numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from toolkit.errors import ConfigError

__all__ = ["YamlDocument", "config_error", "line_for", "parse_yaml", "read_yaml"]

_MAX_BYTES = 4 * 1024 * 1024


@dataclass
class YamlDocument:
    """Parsed YAML data plus the line (1-based) where each key or item starts."""

    path: Path
    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_for(self, loc: Sequence[str | int]) -> int | None:
        """The line of the deepest known node on ``loc``."""
        return line_for(self.lines, loc)


def line_for(lines: Mapping[tuple[Any, ...], int], loc: Sequence[Any]) -> int | None:
    """The line of the deepest node of ``loc`` found in ``lines`` (the document's, at worst)."""
    key = tuple(loc)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return lines.get(())


def _index(
    node: yaml.Node, loc: tuple[str | int, ...], out: dict[tuple[str | int, ...], int], source: str
) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*loc, str(key_node.value))
            if child in out:
                # PyYAML keeps the last of two equal keys, silently dropping a setting.
                raise ConfigError(
                    file=source,
                    key=".".join(str(p) for p in child),
                    line=key_node.start_mark.line + 1,
                    problem=f"key {key_node.value!r} appears twice in the same mapping",
                )
            out[child] = key_node.start_mark.line + 1
            _index(value_node, child, out, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*loc, i)
            out[child] = item.start_mark.line + 1
            _index(item, child, out, source)


def parse_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse YAML text (safe loader), index its line numbers and refuse duplicate keys.

    Raises:
        ConfigError: not YAML, or a key repeated in one mapping; names the source and line.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(file=source, line=line, problem=f"is not valid YAML: {problem}") from exc
    doc = YamlDocument(path=Path(source), data=None)
    if node is not None:
        _index(node, (), doc.lines, source)
        doc.data = yaml.safe_load(text)
    return doc


def read_yaml(path: Path) -> YamlDocument:
    """Read ``path`` as YAML (safe loader) and index its line numbers.

    Raises:
        ConfigError: unreadable, too large, not YAML, or a key repeated; names the file and line.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(file=str(path), problem=f"cannot be read ({exc.strerror})") from exc
    if len(raw) > _MAX_BYTES:
        raise ConfigError(file=str(path), problem=f"is larger than {_MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(file=str(path), problem="is not UTF-8 text") from exc
    doc = parse_yaml(text, source=str(path))
    doc.path = path
    return doc


def config_error(
    doc: YamlDocument, exc: ValidationError, *, prefix: Sequence[str | int] = ()
) -> ConfigError:
    """Describe the first pydantic error of ``exc`` with its key path and line."""
    first = exc.errors()[0]
    loc = (*prefix, *first["loc"])
    key = ".".join(str(p) for p in loc)
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "is not a known key (check its spelling and indentation)"
    elif first["type"] == "missing":
        message = "is required but missing"
    return ConfigError(file=str(doc.path), key=key, line=doc.line_for(loc), problem=message)
