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
    │   └── EvalCaseError                  one case of evals/cases.yaml is invalid
    └── ReportError(ValueError)            an evaluation report (e.g. for --compare) is unreadable

Messages are built from keyword arguments and always say what to do next.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "ConfigError",
    "EvalCaseError",
    "RenderError",
    "ReportError",
    "TargetExistsError",
    "TemplateError",
    "TemplateNotFoundError",
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


class EvalCaseError(ConfigError):
    """A case in ``evals/cases.yaml`` is invalid: names the file, line, case id and field."""

    def __init__(
        self, *, file: str, case_id: str, field: str, problem: str, line: int | None = None
    ) -> None:
        self.case_id = case_id
        self.field = field
        super().__init__(file=file, line=line, key=field, problem=f"case {case_id!r}: {problem}")


class ReportError(ToolkitError, ValueError):
    """An evaluation report file cannot be read (e.g. the one given to ``--compare``)."""

    def __init__(self, *, file: str, problem: str) -> None:
        self.file = file
        super().__init__(
            f"{file}: {problem}. Pass a report.json written by `toolkit eval` (schema_version 1)."
        )
