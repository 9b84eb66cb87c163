"""Read a YAML project file and turn validation errors into messages with line numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from toolkit.errors import ConfigError

__all__ = ["YamlDocument", "config_error", "read_yaml"]

_MAX_BYTES = 4 * 1024 * 1024


@dataclass
class YamlDocument:
    """Parsed YAML data plus the line (1-based) where each key or item starts."""

    path: Path
    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_for(self, loc: Sequence[str | int]) -> int | None:
        """The line of the deepest known node on ``loc``."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None


def _index(
    node: yaml.Node, loc: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*loc, str(key_node.value))
            out[child] = key_node.start_mark.line + 1
            _index(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*loc, i)
            out[child] = item.start_mark.line + 1
            _index(item, child, out)


def read_yaml(path: Path) -> YamlDocument:
    """Read ``path`` as YAML (safe loader) and index its line numbers.

    Raises:
        ConfigError: unreadable, too large, or not YAML; the message names the file and line.
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
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            file=str(path), line=line, problem=f"is not valid YAML: {problem}"
        ) from exc
    doc = YamlDocument(path=path, data=data)
    if node is not None:
        _index(node, (), doc.lines)
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
