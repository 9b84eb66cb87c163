"""The project's configuration and layout, checked with the toolkit runtime."""

from pathlib import Path

import yaml

from toolkit.config import ProjectConfig


def test_toolkit_yaml_is_valid(project_dir: Path) -> None:
    config = ProjectConfig.load(project_dir, environ={})
    assert config.project.package == "{{ cookiecutter.package_name }}"
    assert config.project.industry == "{{ cookiecutter._industry }}"
    for endpoint in config.token_service.endpoints:
        assert endpoint.api_key_env is None or endpoint.api_key_env.isupper()


def test_declared_paths_exist(project_dir: Path) -> None:
    config = ProjectConfig.load(project_dir, environ={})
    assert (project_dir / config.retrieval.knowledge_dir).is_dir()
    assert (project_dir / config.compliance.rules).is_file()
    assert (project_dir / config.evaluation.cases).is_file()
    assert (project_dir / config.tools_module).is_file()
    assert (project_dir / config.system_prompt).is_file()


def test_system_prompt_is_static(project_dir: Path) -> None:
    # A date or id in the system prompt would defeat prefix caching.
    config = ProjectConfig.load(project_dir, environ={})
    text = (project_dir / config.system_prompt).read_text(encoding="utf-8")
    assert "{" not in text and "}" not in text


def test_yaml_files_parse(project_dir: Path) -> None:
    config = ProjectConfig.load(project_dir, environ={})
    for name in (config.compliance.rules, config.evaluation.cases):
        assert yaml.safe_load((project_dir / name).read_text(encoding="utf-8")) is not None
