"""A small, safe expression language for rule predicates (never ``eval``).

Grammar (lowest precedence first)::

    expr    := or_expr
    or_expr := and_expr ("or" and_expr)*
    and_expr:= not_expr ("and" not_expr)*
    not_expr:= "not" not_expr | compare
    compare := sum [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum]
    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/" | "%") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | STRING | true | false | null | "[" [expr ("," expr)*] "]"
             | NAME ("." NAME)* | FUNC "(" [expr ("," expr)*] ")" | "(" expr ")"

Functions: ``abs``, ``len``, ``lower``, ``upper``, ``min``, ``max``, ``exists``.
Names are looked up in the mapping given to :meth:`Predicate.evaluate`; a
missing name is ``null``. Ordering comparisons need two numbers or two strings;
anything else raises :class:`PredicateEvalError`, whose message names the
operation and the types but never the values (they may be personal data).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.errors import PredicateError

__all__ = ["Predicate", "PredicateEvalError", "parse_predicate"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|%|\(|\)|\[|\]|,|\.)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null", "True", "False", "None"}


class PredicateEvalError(Exception):
    """A predicate could not be evaluated on the given values (types, missing data)."""


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _exists(v: Any) -> bool:
    return v is not None


def _len(v: Any) -> int:
    if isinstance(v, str | list | tuple | dict):
        return len(v)
    raise PredicateEvalError(f"len() needs a string or list, got {type(v).__name__}")


def _abs(v: Any) -> Any:
    if _num(v):
        return abs(v)
    raise PredicateEvalError(f"abs() needs a number, got {type(v).__name__}")


def _lower(v: Any) -> str:
    if isinstance(v, str):
        return v.lower()
    raise PredicateEvalError(f"lower() needs a string, got {type(v).__name__}")


def _upper(v: Any) -> str:
    if isinstance(v, str):
        return v.upper()
    raise PredicateEvalError(f"upper() needs a string, got {type(v).__name__}")


def _minmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*vs: Any) -> Any:
        if vs and all(_num(v) for v in vs):
            return fn(vs)
        raise PredicateEvalError(f"{fn.__name__}() needs numbers")

    return call


_FUNCS: dict[str, tuple[int | None, Callable[..., Any]]] = {
    "abs": (1, _abs),
    "len": (1, _len),
    "lower": (1, _lower),
    "upper": (1, _upper),
    "min": (None, _minmax(min)),
    "max": (None, _minmax(max)),
    "exists": (1, _exists),
}

Node = tuple[Any, ...]


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op in ("in", "not in"):
        if (isinstance(b, str) and isinstance(a, str)) or isinstance(b, list | tuple | dict):
            found = a in b
        else:
            raise PredicateEvalError(
                f"'{op}' needs a list or string on the right, got {type(b).__name__}"
            )
        return found if op == "in" else not found
    if not ((_num(a) and _num(b)) or (isinstance(a, str) and isinstance(b, str))):
        raise PredicateEvalError(
            f"cannot order {type(a).__name__} and {type(b).__name__} with '{op}'"
        )
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _arith(op: str, a: Any, b: Any) -> Any:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_num(a) and _num(b)):
        raise PredicateEvalError(
            f"cannot apply '{op}' to {type(a).__name__} and {type(b).__name__}"
        )
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise PredicateEvalError(f"division by zero in '{op}'")
    return a / b if op == "/" else a % b


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(source):
            if source[pos:].strip() == "":
                break
            m = _TOKEN.match(source, pos)
            if m is None or m.end() == pos:
                col = len(source[pos:]) - len(source[pos:].lstrip()) + pos
                raise PredicateError(
                    expression=source, problem=f"unexpected character at column {col + 1}"
                )
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def accept(self, value: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[1] == value and tok[0] in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        if not self.accept(value):
            self.fail(f"expected '{value}'")

    def fail(self, problem: str) -> None:
        tok = self.peek()
        where = f"at column {tok[2] + 1} ({tok[1]!r})" if tok else "at the end"
        raise PredicateError(expression=self.source, problem=f"{problem} {where}")

    def parse(self) -> Node:
        if not self.tokens:
            raise PredicateError(expression=self.source, problem="the expression is empty")
        node = self.or_expr()
        if self.peek() is not None:
            self.fail("unexpected token")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.accept("or"):
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.accept("and"):
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.accept("not"):
            return ("not", self.not_expr())
        return self.compare()

    def compare(self) -> Node:
        left = self.sum()
        tok = self.peek()
        if tok is None:
            return left
        if tok[1] in ("==", "!=", "<", "<=", ">", ">=") and tok[0] == "op":
            self.i += 1
            return ("cmp", tok[1], left, self.sum())
        if tok[1] == "in" and tok[0] == "name":
            self.i += 1
            return ("cmp", "in", left, self.sum())
        if tok[1] == "not" and tok[0] == "name":
            nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if nxt is not None and nxt[1] == "in":
                self.i += 2
                return ("cmp", "not in", left, self.sum())
        return left

    def sum(self) -> Node:
        node = self.term()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in "+-":
            self.i += 1
            node = ("arith", tok[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in ("*", "/", "%"):
            self.i += 1
            node = ("arith", tok[1], node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok is None:
            self.fail("expected a value")
            raise AssertionError  # unreachable: fail() raises
        kind, text, _ = tok
        self.i += 1
        if kind == "num":
            clean = text.replace("_", "")
            return ("lit", float(clean) if any(c in clean for c in ".eE") else int(clean))
        if kind == "str":
            return ("lit", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "op" and text == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if kind == "op" and text == "[":
            items: list[Node] = []
            if not self.accept("]"):
                items.append(self.or_expr())
                while self.accept(","):
                    items.append(self.or_expr())
                self.expect("]")
            return ("list", tuple(items))
        if kind == "name":
            if text in ("true", "True"):
                return ("lit", True)
            if text in ("false", "False"):
                return ("lit", False)
            if text in ("null", "None"):
                return ("lit", None)
            if text in _KEYWORDS:
                self.i -= 1
                self.fail("expected a value")
            if self.accept("("):
                if text not in _FUNCS:
                    self.i -= 2
                    self.fail(f"unknown function (known: {', '.join(sorted(_FUNCS))})")
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.or_expr())
                    while self.accept(","):
                        args.append(self.or_expr())
                    self.expect(")")
                arity = _FUNCS[text][0]
                if arity is not None and len(args) != arity:
                    raise PredicateError(
                        expression=self.source, problem=f"{text}() takes {arity} argument(s)"
                    )
                return ("call", text, tuple(args))
            path = [text]
            while self.accept("."):
                nxt = self.peek()
                if nxt is None or nxt[0] != "name":
                    self.fail("expected a name after '.'")
                    raise AssertionError
                path.append(nxt[1])
                self.i += 1
            return ("name", tuple(path))
        self.i -= 1
        self.fail("expected a value")
        raise AssertionError


def _eval(node: Node, env: Mapping[str, Any]) -> Any:
    tag = node[0]
    if tag == "lit":
        return node[1]
    if tag == "name":
        value: Any = env
        for part in node[1]:
            value = value.get(part) if isinstance(value, Mapping) else None
        return value
    if tag == "list":
        return [_eval(n, env) for n in node[1]]
    if tag == "or":
        return bool(_eval(node[1], env)) or bool(_eval(node[2], env))
    if tag == "and":
        return bool(_eval(node[1], env)) and bool(_eval(node[2], env))
    if tag == "not":
        return not _eval(node[1], env)
    if tag == "cmp":
        return _compare(node[1], _eval(node[2], env), _eval(node[3], env))
    if tag == "arith":
        return _arith(node[1], _eval(node[2], env), _eval(node[3], env))
    if tag == "neg":
        v = _eval(node[1], env)
        if not _num(v):
            raise PredicateEvalError(f"cannot negate {type(v).__name__}")
        return -v
    fn = _FUNCS[node[1]][1]
    return fn(*[_eval(n, env) for n in node[2]])


def _names(node: Node) -> set[str]:
    if node[0] == "name":
        return {".".join(node[1])}
    out: set[str] = set()
    for part in node[1:]:
        if (
            isinstance(part, tuple)
            and part
            and isinstance(part[0], str)
            and part[0]
            in ("lit", "name", "list", "or", "and", "not", "cmp", "arith", "neg", "call")
        ):
            out |= _names(part)
        elif isinstance(part, tuple):
            for sub in part:
                if isinstance(sub, tuple):
                    out |= _names(sub)
    return out


@dataclass(frozen=True)
class Predicate:
    """A parsed predicate; evaluate it against a mapping of names to values.

    Attributes:
        source: The expression as written in the rule pack.
    """

    source: str
    _tree: Node

    @property
    def names(self) -> frozenset[str]:
        """The (dotted) names the expression reads."""
        return frozenset(_names(self._tree))

    def evaluate(self, env: Mapping[str, Any]) -> bool:
        """Return the truth value of the predicate for ``env``.

        Raises:
            PredicateEvalError: the values have types the expression cannot use.
        """
        return bool(_eval(self._tree, env))


def parse_predicate(source: str) -> Predicate:
    """Parse ``source`` into a :class:`Predicate`.

    Raises:
        PredicateError: the text is not a valid expression; the message gives the column.
    """
    return Predicate(source, _Parser(source).parse())
