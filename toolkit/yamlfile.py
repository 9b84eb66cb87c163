"""Read a YAML project file and turn validation errors into messages with line numbers.

Every YAML file the toolkit reads (toolkit.yaml, answers files, cases, rules, knowledge
front matter, price tables) goes through `parse_yaml`, which bounds what a hostile file
can cost: `MAX_BYTES` of text, `MAX_DEPTH` levels of nesting, and aliases that may
repeat content but not multiply it (`MAX_ALIAS_NODES`). A file past a limit is refused
with a `ConfigError` naming it; no RecursionError or runaway memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from toolkit.errors import ConfigError

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "YamlDocument",
    "config_error",
    "line_for",
    "load_yaml_text",
    "parse_yaml",
    "read_text_capped",
    "read_yaml",
]

#: Largest YAML file read, in bytes.
MAX_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and sequences (aliases included) in one document.
MAX_DEPTH = 64
#: Nodes that aliases may add on top of the document's own (beyond that it is an alias bomb).
MAX_ALIAS_NODES = 10_000


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


class _LimitedLoader(yaml.SafeLoader):
    """The safe loader with a nesting limit checked while composing (before any recursion)."""

    def __init__(self, stream: str, *, source: str) -> None:
        super().__init__(stream)
        self._source = source
        self._depth = 0

    def fetch_flow_collection_start(self, token_class: type[yaml.Token]) -> None:
        # The scanner looks ahead across every open bracket, quadratically: cut it off here,
        # before 50,000 brackets cost minutes.
        if self.flow_level >= MAX_DEPTH:
            raise ConfigError(
                file=self._source,
                line=self.get_mark().line + 1,
                problem=f"nests deeper than {MAX_DEPTH} levels",
            )
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ConfigError(
                    file=self._source,
                    line=mark.line + 1,
                    problem=f"nests deeper than {MAX_DEPTH} levels",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse recursive aliases, aliases nested past `MAX_DEPTH`, and alias bombs.

    Aliases share nodes, so the document is a graph; ``expanded`` counts the nodes of
    the tree it stands for (what every consumer walks), memoised so the check itself
    stays linear in the graph.
    """
    expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (tree size, tree depth)
    distinct = 0
    # Iterative post-order walk: a hostile graph must not be able to exhaust the stack.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    in_progress: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            size = 1 + sum(expanded[id(c)][0] for c in children)
            depth = 1 + max((expanded[id(c)][1] for c in children), default=0)
            in_progress.discard(key)
            expanded[key] = (size, depth)
            if depth > MAX_DEPTH:
                raise ConfigError(
                    file=source,
                    line=node.start_mark.line + 1,
                    problem=f"nests deeper than {MAX_DEPTH} levels once its aliases are expanded",
                )
            continue
        if key in expanded:
            continue
        if key in in_progress:
            raise ConfigError(
                file=source,
                line=node.start_mark.line + 1,
                problem="contains an alias that refers to itself (a recursive structure)",
            )
        in_progress.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)
    total = expanded[id(root)][0]
    if total - distinct > MAX_ALIAS_NODES:
        raise ConfigError(
            file=source,
            problem=(
                f"uses aliases (*name) that expand to {total} nodes from {distinct}; "
                f"at most {MAX_ALIAS_NODES} nodes may come from aliases (an alias bomb?)"
            ),
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _compose(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """Compose and construct one document within the limits; (node, data)."""
    loader = _LimitedLoader(text, source=source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node, source)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, source: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return ConfigError(file=source, line=line, problem=f"is not valid YAML: {problem}")


def load_yaml_text(text: str, *, source: str) -> Any:
    """Parse YAML text (safe loader) within the toolkit's limits; the data only.

    Raises:
        ConfigError: not YAML, too large, too deep, or an alias bomb; names ``source``.
    """
    if len(text) > MAX_BYTES:
        raise ConfigError(file=source, problem=f"is larger than {MAX_BYTES} bytes")
    try:
        return _compose(text, source)[1]
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from exc


def parse_yaml(text: str, *, source: str) -> YamlDocument:
    """Parse YAML text (safe loader), index its line numbers and refuse duplicate keys.

    Raises:
        ConfigError: not YAML, a key repeated in one mapping, or past a limit (size,
            nesting, aliases); names the source and line.
    """
    if len(text) > MAX_BYTES:
        raise ConfigError(file=source, problem=f"is larger than {MAX_BYTES} bytes")
    try:
        node, data = _compose(text, source)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from exc
    doc = YamlDocument(path=Path(source), data=None)
    if node is not None:
        _index(node, (), doc.lines, source)
        doc.data = data
    return doc


def read_text_capped(path: Path, *, limit: int = MAX_BYTES) -> str:
    """Read at most ``limit`` bytes of UTF-8 text from ``path`` (``/dev/zero`` cannot hang it).

    Raises:
        ConfigError: unreadable, larger than ``limit``, or not UTF-8; names the file.
    """
    try:
        with path.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(file=str(path), problem=f"cannot be read ({exc.strerror})") from exc
    if len(raw) > limit:
        raise ConfigError(file=str(path), problem=f"is larger than {limit} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(file=str(path), problem="is not UTF-8 text") from exc


def read_yaml(path: Path) -> YamlDocument:
    """Read ``path`` as YAML (safe loader, within the limits) and index its line numbers.

    Raises:
        ConfigError: unreadable, too large, not YAML, past a limit, or a key repeated;
            names the file and line.
    """
    doc = parse_yaml(read_text_capped(path), source=str(path))
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
