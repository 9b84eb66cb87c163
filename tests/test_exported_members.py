"""Pin each subpackage's public surface."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "toolkit": ["__version__"],
    "toolkit.scaffold": [
        "ANSWERS_FILE",
        "Answers",
        "Problem",
        "Prompter",
        "RenderResult",
        "TemplateInfo",
        "answers_model",
        "build_context",
        "check_pack",
        "check_project",
        "check_template",
        "create_project",
        "get_template",
        "list_templates",
        "parse_set_options",
        "read_answers_file",
        "render_project",
        "resolve_answers",
        "template_at",
        "templates_root",
    ],
    "toolkit.config": [
        "CONFIG_FILE",
        "BudgetConfig",
        "ComplianceConfig",
        "EndpointConfig",
        "EvaluationConfig",
        "PACK_CONTRACT",
        "PackConfig",
        "ProjectConfig",
        "PriceConfig",
        "ProjectInfo",
        "RetrievalConfig",
        "Thresholds",
        "TokenServiceConfig",
        "resolve_endpoint",
    ],
    "toolkit.agent": [
        "AgentResult",
        "DecisionRecord",
        "Project",
        "RecordingTransport",
        "Session",
        "ToolCallRecord",
        "UsageSummary",
        "approval_tool",
        "harness_tools",
        "load_project",
        "request_human_approval",
    ],
    "toolkit.pack": [
        "APPROVAL_TOOL",
        "HARNESS_TOOL_NAMES",
        "load_system_prompt",
        "load_tools",
        "rules_file",
    ],
    "toolkit.tooling": [
        "OPENAI_SCHEMA_KEY",
        "RESULT_SCHEMA_MAX_CHARS",
        "SPEC_ATTRIBUTE",
        "ToolSpec",
        "as_langchain_tools",
        "collect_tools",
        "compact_result_schema",
        "domain_tool",
        "openai_tool_schema",
        "spec_of",
    ],
    "toolkit.errors": [
        "AnswerError",
        "ApiKeyMissingError",
        "AuditLogError",
        "AuditVerifyError",
        "BudgetExceededError",
        "ConfigError",
        "EndpointUnavailableError",
        "EngineRequestError",
        "EvalCaseError",
        "PackContractError",
        "PayloadError",
        "PredicateError",
        "RateLimitedError",
        "RenderError",
        "ReportError",
        "RequestRejectedError",
        "ResponseFormatError",
        "RulePackError",
        "ServerStartError",
        "TargetExistsError",
        "TemplateError",
        "TemplateNotFoundError",
        "TokenServiceError",
        "TokenizerUnavailableError",
        "ToolDefinitionError",
        "ToolkitError",
        "TraceError",
        "UsageError",
        # retrieval
        "EmbedderMismatchError",
        "EmbeddingModelMissingError",
        "EmbeddingServiceError",
        "KnowledgeFolderError",
        "StoreUnavailableError",
        # the real engine (llama.cpp)
        "LlamaEngineMissingError",
        "LlamaServerError",
    ],
    "toolkit.llamacpp": [
        "LLAMA_CPP_PYTHON_VERSION",
        "LlamaReplicas",
        "LlamaServerProcess",
        "LlamaServerSpec",
        "build_spec",
        "cache_root",
        "command_line",
        "endpoints_snippet",
        "find_server_binary",
        "find_small_model",
        "free_port",
        "serve_llama",
        "server_binary_path",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC[module])
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_errors_share_one_root() -> None:
    errors = importlib.import_module("toolkit.errors")
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.ToolkitError)
