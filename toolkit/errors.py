"""The toolkit's error hierarchy.

Every error the toolkit raises on purpose derives from one root, so the CLI can
map it to exit status 1 with a readable message and no traceback. Leaves also
subclass the matching builtin, so callers can catch them either way::

    ToolkitError
    ├── UsageError(ValueError)            bad command-line usage the parser cannot see
    ├── TemplateNotFoundError(LookupError) unknown industry / template
    ├── TemplateError(RuntimeError)        a template that is itself broken
    ├── AnswerError(ValueError)            an answer for `toolkit new` is invalid
    ├── TargetExistsError(FileExistsError) the project folder already exists
    ├── RenderError(RuntimeError)          rendering failed; nothing was left behind
    ├── ConfigError(ValueError)            a project file (toolkit.yaml, answers file) is invalid
    │   └── RulePackError                  compliance/rules.yaml is invalid (line, rule, field)
    ├── ToolDefinitionError(TypeError)     a domain tool is declared wrongly (toolkit.tooling)
    ├── PredicateError(ValueError)         a rule predicate expression does not parse
    ├── AuditLogError(RuntimeError)        the audit log cannot be appended to safely
    └── AuditVerifyError(ValueError)       `toolkit audit verify` found a broken chain

Messages are built from keyword arguments and always say what to do next.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "AuditLogError",
    "AuditVerifyError",
    "ConfigError",
    "PredicateError",
    "RenderError",
    "RulePackError",
    "TargetExistsError",
    "TemplateError",
    "TemplateNotFoundError",
    "ToolDefinitionError",
    "ToolkitError",
    "UsageError",
]


class ToolkitError(Exception):
    """Root of every error the toolkit raises on purpose."""


class UsageError(ToolkitError, ValueError):
    """A command was called in a way the argument parser cannot detect."""


class TemplateNotFoundError(ToolkitError, LookupError):
    """No template exists under the requested name."""

    def __init__(self, *, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        listing = ", ".join(available) if available else "(none installed)"
        super().__init__(
            f"No template named {name!r}. Available templates: {listing}. "
            "Run `toolkit list` to see each one with its description."
        )


class TemplateError(ToolkitError, RuntimeError):
    """A template on disk is malformed (a toolkit bug or a broken custom template)."""

    def __init__(self, *, template: str, problem: str) -> None:
        self.template = template
        super().__init__(
            f"Template {template!r} is broken: {problem}. "
            "Reinstall the toolkit or fix the template folder."
        )


class AnswerError(ToolkitError, ValueError):
    """An answer given to `toolkit new` failed validation; nothing was written."""

    def __init__(self, *, field: str, problem: str, hint: str = "") -> None:
        self.field = field
        self.problem = problem
        message = f"Invalid answer for {field!r}: {problem}."
        if hint:
            message += f" {hint}"
        message += " Nothing was written."
        super().__init__(message)


class TargetExistsError(ToolkitError, FileExistsError):
    """The project folder exists and `--force` was not given."""

    def __init__(self, *, path: str) -> None:
        self.path = path
        super().__init__(
            f"The folder {path} already exists. Choose another output folder with -o, "
            "another project_slug, or pass --force to update the template's files in place "
            "(files you created are kept; files you changed are backed up first)."
        )


class RenderError(ToolkitError, RuntimeError):
    """Rendering a template failed; the partial output was removed."""

    def __init__(self, *, template: str, problem: str) -> None:
        self.template = template
        super().__init__(
            f"Rendering template {template!r} failed: {problem}. "
            "No files were left behind; fix the cause and run the command again."
        )


class ConfigError(ToolkitError, ValueError):
    """A project file is invalid: names the file, the key and, when known, the line."""

    def __init__(self, *, file: str, problem: str, key: str = "", line: int | None = None) -> None:
        self.file = file
        self.key = key
        self.line = line
        where = file
        if line is not None:
            where += f":{line}"
        if key:
            where += f" (key {key!r})"
        super().__init__(f"{where}: {problem}. Edit the file and run the command again.")


class ToolDefinitionError(ToolkitError, TypeError):
    """A function decorated with ``@domain_tool`` cannot be offered as a tool."""

    def __init__(self, *, tool: str, problem: str) -> None:
        self.tool = tool
        super().__init__(
            f"Domain tool {tool!r} is declared wrongly: {problem}. "
            "Fix the function in the project's tools.py."
        )


class RulePackError(ConfigError):
    """A compliance rule pack is invalid: names the file, line, rule id and field."""

    def __init__(
        self, *, file: str, problem: str, rule: str = "", field: str = "", line: int | None = None
    ) -> None:
        self.rule = rule
        self.field = field
        key = ""
        if rule:
            key = f"rule {rule}"
        if field:
            key = f"{key}, field {field}" if key else f"field {field}"
        super().__init__(file=file, problem=problem, key=key, line=line)


class PredicateError(ToolkitError, ValueError):
    """A predicate expression in a rule does not parse."""

    def __init__(self, *, expression: str, problem: str) -> None:
        self.expression = expression
        self.problem = problem
        super().__init__(
            f"Invalid predicate {expression!r}: {problem}. "
            "Predicates use names, numbers, 'strings', and/or/not, comparisons, in, "
            "and the functions abs, len, lower, upper, min, max, exists."
        )


class AuditLogError(ToolkitError, RuntimeError):
    """The audit log cannot be appended to without breaking its chain."""

    def __init__(self, *, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"Audit log {path}: {problem}. "
            "Run `toolkit audit verify` on it and keep a copy before any repair."
        )


class AuditVerifyError(ToolkitError, ValueError):
    """`toolkit audit verify` found the log altered or damaged."""

    def __init__(self, *, path: str, record: int | None, reason: str) -> None:
        self.path = path
        self.record = record
        where = f"record {record}" if record is not None else "the log"
        super().__init__(
            f"Audit log {path} is NOT intact: {where}: {reason}. "
            "Preserve the file as evidence and compare it with your backup or anchor hash."
        )
