from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.config import ProjectConfig
from toolkit.errors import ConfigError
from toolkit.scaffold import create_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cfg")
    return create_project("finance", output_dir=out, provided={}).project_dir


def _write(project: Path, tmp_path: Path, edit: str, new: str) -> Path:
    text = (project / "toolkit.yaml").read_text(encoding="utf-8")
    assert edit in text
    target = tmp_path / "p"
    target.mkdir(exist_ok=True)
    (target / "toolkit.yaml").write_text(text.replace(edit, new), encoding="utf-8")
    return target


def test_generated_config_is_valid(project: Path) -> None:
    config = ProjectConfig.load(project, environ={})
    assert config.project.industry == "finance"
    assert config.token_service.endpoints[0].url == "local"
    assert config.compliance.default_role == "customer_service"


def test_unknown_key_names_file_key_and_line(project: Path, tmp_path: Path) -> None:
    target = _write(project, tmp_path, "  top_k: 4", "  top_k: 4\n  topk: 5")
    with pytest.raises(ConfigError) as info:
        ProjectConfig.load(target, environ={})
    message = str(info.value)
    assert "toolkit.yaml:" in message
    assert "retrieval.topk" in message
    line = (target / "toolkit.yaml").read_text(encoding="utf-8").splitlines().index("  topk: 5") + 1
    assert info.value.line == line


@pytest.mark.parametrize(
    ("edit", "new", "key"),
    [
        ("  store_path: .toolkit/chroma", "  store_path: ../../etc", "retrieval.store_path"),
        ("  store_path: .toolkit/chroma", "  store_path: /var/tmp/x", "retrieval.store_path"),
        ("  top_k: 4", "  top_k: 0", "retrieval.top_k"),
        ("      dialect: openai", "      dialect: telepathy", "token_service.endpoints.0.dialect"),
        (
            "      dialect: openai",
            "      dialect: openai\n      api_key_env: sk-live-123",
            "token_service.endpoints.0.api_key_env",
        ),
        ("    pass_rate: 1.0", "    pass_rate: 1.5", "evaluation.thresholds.pass_rate"),
    ],
)
def test_invalid_values_are_reported(
    project: Path, tmp_path: Path, edit: str, new: str, key: str
) -> None:
    target = _write(project, tmp_path, edit, new)
    with pytest.raises(ConfigError) as info:
        ProjectConfig.load(target, environ={})
    assert info.value.key == key
    assert "sk-live-123" not in str(info.value)


def test_yaml_syntax_error_has_line(project: Path, tmp_path: Path) -> None:
    target = _write(project, tmp_path, "  top_k: 4", "  top_k: [4")
    with pytest.raises(ConfigError, match=r"toolkit.yaml:\d+"):
        ProjectConfig.load(target, environ={})


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="inside a generated project"):
        ProjectConfig.load(tmp_path, environ={})


def test_environment_overrides(project: Path) -> None:
    config = ProjectConfig.load(
        project,
        environ={
            "TOOLKIT_TOKEN_SERVICE_URL": "http://127.0.0.1:8000/v1",
            "TOOLKIT_MODEL": "qwen-plus",
            "TOOLKIT_API_KEY": "sk-should-never-be-stored",
        },
    )
    (endpoint,) = config.token_service.endpoints
    assert endpoint.url == "http://127.0.0.1:8000/v1"
    assert endpoint.model == "qwen-plus"
    assert endpoint.api_key_env == "TOOLKIT_API_KEY"
    assert "sk-should-never-be-stored" not in config.model_dump_json()


def test_bad_environment_override_names_the_variable(project: Path) -> None:
    with pytest.raises(ConfigError, match="TOOLKIT_TOKEN_SERVICE_URL"):
        ProjectConfig.load(project, environ={"TOOLKIT_TOKEN_SERVICE_URL": "ftp://x"})


def test_prices_and_compliance_context_are_validated(project: Path, tmp_path: Path) -> None:
    target = _write(
        project,
        tmp_path,
        "  prices: {}",
        "  prices:\n    qwen-plus: {input: 0.8, cached_input: 0.16, output: 2.0}",
    )
    text = (target / "toolkit.yaml").read_text(encoding="utf-8")
    text = text.replace("  context: {}", "  context: {endpoint_region: cn}")
    (target / "toolkit.yaml").write_text(text, encoding="utf-8")
    config = ProjectConfig.load(target, environ={})
    assert config.token_service.prices["qwen-plus"].cached_input == 0.16
    assert config.compliance.context == {"endpoint_region": "cn"}
    bad = text.replace("cached_input: 0.16", "cached_input: -1")
    (target / "toolkit.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        ProjectConfig.load(target, environ={})
    assert info.value.key == "token_service.prices.qwen-plus.cached_input"


def test_a_repeated_key_is_refused_with_its_line(project: Path, tmp_path: Path) -> None:
    target = _write(project, tmp_path, "  top_k: 4", "  top_k: 4\n  top_k: 8")
    with pytest.raises(ConfigError, match="appears twice") as info:
        ProjectConfig.load(target, environ={})
    assert info.value.key == "retrieval.top_k"
    line = (target / "toolkit.yaml").read_text(encoding="utf-8").splitlines().index("  top_k: 8")
    assert info.value.line == line + 1


def test_endpoint_limits_are_optional_and_positive() -> None:
    from pydantic import ValidationError

    from toolkit.config import EndpointConfig

    assert EndpointConfig(model="m").deadline is None
    limited = EndpointConfig(model="m", max_response_bytes=1_000_000, deadline=30)
    assert (limited.max_response_bytes, limited.deadline) == (1_000_000, 30)
    for bad in ({"deadline": 0}, {"max_response_bytes": -1}):
        with pytest.raises(ValidationError):
            EndpointConfig(model="m", **bad)
