"""`toolkit.yaml`, the generated project's configuration, as a validated pydantic model.

Paths in the file are relative to the project folder and must stay inside it:
the toolkit writes caches, ledgers, stores, audit logs and reports there and
nowhere else. API keys never appear in the file: an endpoint names the
environment variable that holds its key.

Environment overrides (applied after validation of the file itself):

- ``TOOLKIT_TOKEN_SERVICE_URL``: use this one endpoint URL instead of the file's list;
- ``TOOLKIT_MODEL``: the model id for every endpoint;
- ``TOOLKIT_API_KEY``: when set, endpoints without ``api_key_env`` read their key from it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from toolkit.errors import ConfigError, UsageError
from toolkit.yamlfile import config_error, read_yaml

__all__ = [
    "CONFIG_FILE",
    "PACK_CONTRACT",
    "BudgetConfig",
    "ComplianceConfig",
    "EndpointConfig",
    "EvaluationConfig",
    "PackConfig",
    "PriceConfig",
    "ProjectConfig",
    "ProjectInfo",
    "RetrievalConfig",
    "Thresholds",
    "TokenServiceConfig",
    "resolve_endpoint",
]

CONFIG_FILE = "toolkit.yaml"
PACK_CONTRACT = 1
"""The version of the pack contract (``pack.contract``) this toolkit reads."""
Dialect = Literal[
    "openai", "vllm", "sglang", "llamacpp", "dashscope", "deepseek", "qianfan", "anthropic"
]
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
_ENV_KEYS = {"url": "TOOLKIT_TOKEN_SERVICE_URL", "model": "TOOLKIT_MODEL"}


def _inside_project(value: str) -> str:
    path = PurePosixPath(value.replace("\\", "/"))
    if not value or path.is_absolute() or ".." in path.parts or "\x00" in value or ":" in value:
        raise ValueError(
            f"{value!r} must be a relative path inside the project folder "
            "(no '..', no drive or root)"
        )
    return value


ProjectPath = Annotated[str, AfterValidator(_inside_project)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectInfo(_Strict):
    """Who the project is."""

    name: str = Field(min_length=1, max_length=100)
    package: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    industry: str


class EndpointConfig(_Strict):
    """One OpenAI-compatible endpoint, or ``local`` for the embedded engine."""

    url: str = "local"
    model: str = Field(min_length=1, max_length=200)
    dialect: Dialect = "openai"
    api_key_env: str | None = None
    weight: float = Field(default=1.0, gt=0)
    # Limits on one answer (toolkit.tokens.limits): None keeps the client's defaults.
    max_response_bytes: int | None = Field(default=None, gt=0)
    deadline: float | None = Field(default=None, gt=0)
    slots: int | None = Field(default=None, ge=1, le=4096)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value != "local" and not re.match(r"^https?://[^\s/@]+(/\S*)?$", value):
            raise ValueError("must be 'local' or an http(s) URL without credentials")
        return value

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            # Never echo the value: a pasted key must not end up in an error message.
            raise ValueError(
                "must be the NAME of an environment variable (e.g. DASHSCOPE_API_KEY), "
                "not the key itself"
            )
        return value


class BudgetConfig(_Strict):
    """Daily spending limits enforced before each call."""

    daily_tokens: int | None = Field(default=None, ge=0)
    daily_cost: float | None = Field(default=None, ge=0)


class PriceConfig(_Strict):
    """A model's prices per million tokens (cached input and cache writes default to input)."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


class TokenServiceConfig(_Strict):
    """The token service the project's agent talks to."""

    endpoints: list[EndpointConfig] = Field(min_length=1)
    prices: dict[str, PriceConfig] = Field(default_factory=dict)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    tenant: str | None = None
    response_cache: ProjectPath | None = ".toolkit/response-cache.sqlite"
    ledger: ProjectPath | None = ".toolkit/ledger.sqlite"
    budget: BudgetConfig = BudgetConfig()


class RetrievalConfig(_Strict):
    """Where the knowledge documents and the vector store live."""

    knowledge_dir: ProjectPath = "knowledge"
    store_path: ProjectPath = ".toolkit/chroma"
    url: str | None = None
    collection: str = Field(default="knowledge", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}$")
    embeddings: Literal["offline", "endpoint", "hashing"] = "offline"
    chunk_size: int = Field(default=800, ge=100, le=8000)
    chunk_overlap: int = Field(default=100, ge=0, le=2000)
    top_k: int = Field(default=4, ge=1, le=50)


class ComplianceConfig(_Strict):
    """The rule pack and the audit log."""

    rules: ProjectPath = "compliance/rules.yaml"
    default_role: str = Field(min_length=1)
    audit_log: ProjectPath = ".toolkit/audit.jsonl"
    audit_key_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    context: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Deployment facts rules can test as ``ctx.<name>`` (e.g. ``endpoint_region: cn``)."""


class Thresholds(_Strict):
    """Evaluation gates; `toolkit eval` exits 1 when one fails."""

    pass_rate: float = Field(default=1.0, ge=0, le=1)
    max_violations: int = Field(default=0, ge=0)
    min_cache_efficiency: float = Field(default=0.0, ge=0, le=1)


class EvaluationConfig(_Strict):
    """The evaluation suite."""

    cases: ProjectPath = "evals/cases.yaml"
    report_dir: ProjectPath = "reports"
    thresholds: Thresholds = Thresholds()


_NAME = r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$"
_LEGACY_PROMPT = "prompts/system.md"


def _unique(values: list[str]) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once")
    return values


class PackConfig(_Strict):
    """What the industry pack provides and where it lives (see ``docs/pack-contract.md``).

    Rules, cases and knowledge stay where their own sections declare them
    (``compliance.rules``, ``evaluation.cases``, ``retrieval.knowledge_dir``).
    """

    contract: Literal[1]
    """Version of the pack contract the project was written against."""
    tools: ProjectPath
    """The tools module: every ``@domain_tool`` function in it is offered to the agent."""
    system_prompt: ProjectPath = _LEGACY_PROMPT
    """The static system prompt."""
    roles: Annotated[
        list[Annotated[str, Field(pattern=_NAME)]],
        Field(min_length=1),
        AfterValidator(_unique),
    ]
    """Every role the pack's rules, cases and prompt may name."""
    write_tools: Annotated[list[Annotated[str, Field(pattern=_NAME)]], AfterValidator(_unique)] = (
        Field(default_factory=list)
    )
    """The tools module's write tools (``@domain_tool(write=True)``), listed for reviewers."""
    approval_examples: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list
    )
    """Requests that need the harness's ``request_human_approval`` tool (its Examples line)."""


class ProjectConfig(_Strict):
    """The whole of ``toolkit.yaml``."""

    project: ProjectInfo
    token_service: TokenServiceConfig
    retrieval: RetrievalConfig = RetrievalConfig()
    compliance: ComplianceConfig
    evaluation: EvaluationConfig = EvaluationConfig()
    pack: PackConfig | None = None
    """The pack contract; None for a project generated before it existed (template 0.1.0)."""

    @model_validator(mode="after")
    def _default_role_is_declared(self) -> ProjectConfig:
        if self.pack is not None and self.compliance.default_role not in self.pack.roles:
            raise ValueError(
                f"compliance.default_role {self.compliance.default_role!r} is not one of "
                f"pack.roles ({', '.join(self.pack.roles)}); declare it there or pick one of them"
            )
        return self

    @property
    def tools_module(self) -> str:
        """The tools module's path (``pack.tools``, else ``src/<package>/tools.py``)."""
        if self.pack is not None:
            return self.pack.tools
        return f"src/{self.project.package}/tools.py"

    @property
    def system_prompt(self) -> str:
        """The system prompt's path (``pack.system_prompt``, else ``prompts/system.md``)."""
        return self.pack.system_prompt if self.pack is not None else _LEGACY_PROMPT

    @property
    def approval_examples(self) -> tuple[str, ...]:
        """The approval tool's examples declared by the pack (none without a pack section)."""
        return tuple(self.pack.approval_examples) if self.pack is not None else ()

    @classmethod
    def load(cls, project_dir: Path, *, environ: Mapping[str, str] | None = None) -> ProjectConfig:
        """Read and validate ``<project_dir>/toolkit.yaml``, then apply environment overrides.

        Raises:
            ConfigError: the file is missing or invalid; names the file, key and line.
        """
        path = project_dir / CONFIG_FILE
        if not path.is_file():
            raise ConfigError(
                file=str(path), problem="does not exist; run the command inside a generated project"
            )
        doc = read_yaml(path)
        if not isinstance(doc.data, dict):
            raise ConfigError(file=str(path), problem="must be a YAML mapping")
        try:
            config = cls.model_validate(doc.data)
        except ValidationError as exc:
            # The one whole-model check is default_role against pack.roles: point at the role.
            prefix = () if exc.errors()[0]["loc"] else ("compliance", "default_role")
            raise config_error(doc, exc, prefix=prefix) from exc
        return config.with_overrides(os.environ if environ is None else environ)

    def with_overrides(self, environ: Mapping[str, str]) -> ProjectConfig:
        """Apply ``TOOLKIT_TOKEN_SERVICE_URL``, ``TOOLKIT_MODEL`` and ``TOOLKIT_API_KEY``."""
        endpoints = list(self.token_service.endpoints)
        updates: dict[str, object] = {}
        if url := environ.get("TOOLKIT_TOKEN_SERVICE_URL"):
            updates["url"] = url
            endpoints = endpoints[:1]
        if model := environ.get("TOOLKIT_MODEL"):
            updates["model"] = model
        if not updates and not environ.get("TOOLKIT_API_KEY"):
            return self
        merged = []
        for endpoint in endpoints:
            data = endpoint.model_dump() | updates
            if environ.get("TOOLKIT_API_KEY") and data["api_key_env"] is None:
                data["api_key_env"] = "TOOLKIT_API_KEY"
            try:
                merged.append(EndpointConfig.model_validate(data))
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ConfigError(
                    file="environment",
                    key=_ENV_KEYS.get(str(first["loc"][0]), "TOOLKIT_TOKEN_SERVICE_URL"),
                    problem=str(first["msg"]).removeprefix("Value error, "),
                ) from exc
        service = self.token_service.model_copy(update={"endpoints": merged})
        return self.model_copy(update={"token_service": service})

    def path(self, project_dir: Path, relative: str) -> Path:
        """Resolve one of the file's relative paths against the project folder."""
        return project_dir / relative


def resolve_endpoint(
    config: ProjectConfig, url: str | None, model: str | None
) -> EndpointConfig | None:
    """The endpoint chosen with ``--endpoint``/``--model`` (None: the project's own).

    Raises:
        UsageError: the URL is not ``local`` or an http(s) URL without credentials.
    """
    if url is None and model is None:
        return None
    first = config.token_service.endpoints[0]
    try:
        return EndpointConfig.model_validate(
            {**first.model_dump(), "url": url or first.url, "model": model or first.model}
        )
    except ValidationError as exc:
        problem = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise UsageError(f"--endpoint/--model: {problem}") from exc
