"""A project's pack, read through the contract: its tools module and its system prompt.

The ``pack:`` section of ``toolkit.yaml`` (`toolkit.config.PackConfig`) says where each
piece lives; a project generated before the contract existed falls back to
``src/<package>/tools.py`` and ``prompts/system.md``. Every layer that needs a pack's
tools or prompt reads them here, so no other module names a path.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

from toolkit.config import CONFIG_FILE, ComplianceConfig, ProjectConfig
from toolkit.errors import ConfigError
from toolkit.tooling import ToolSpec, collect_tools

__all__ = [
    "APPROVAL_TOOL",
    "HARNESS_TOOL_NAMES",
    "load_system_prompt",
    "load_tools",
    "rules_file",
]

APPROVAL_TOOL = "request_human_approval"
"""The harness's human-approval tool, offered to every pack's agent."""

HARNESS_TOOL_NAMES: tuple[str, ...] = (APPROVAL_TOOL,)
"""Tools the harness adds to every pack; cases and rules may name them."""

_import_lock = threading.Lock()


def _import_module(path: Path, package: str) -> ModuleType:
    if not path.is_file():
        raise ConfigError(
            file=str(path),
            problem="does not exist; pack.tools in toolkit.yaml names the tools module",
        )
    name = f"_toolkit_project_{package}_tools"
    with _import_lock:
        if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ConfigError(file=str(path), problem="cannot be imported as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise ConfigError(
                file=str(path), problem=f"failed to import: {type(exc).__name__}: {exc}"
            ) from exc
        return module


def load_tools(root: Path, config: ProjectConfig) -> list[ToolSpec]:
    """Import the project's tools module and collect its domain tools, sorted by name.

    Raises:
        ConfigError: the module is missing or fails to import.
        ToolDefinitionError: two different tools share a name.
    """
    return collect_tools(_import_module(root / config.tools_module, config.project.package))


def load_system_prompt(root: Path, config: ProjectConfig) -> str:
    """The project's static system prompt, stripped.

    Raises:
        ConfigError: the file cannot be read.
    """
    path = root / config.system_prompt
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(file=str(path), problem=f"cannot be read ({exc.strerror})") from exc


def rules_file(project_dir: Path) -> Path:
    """The rule pack ``compliance.rules`` of ``toolkit.yaml``; the default place without one.

    A folder holding only a rule pack (no ``toolkit.yaml``) keeps it at
    ``compliance/rules.yaml``.

    Raises:
        ConfigError: ``toolkit.yaml`` exists but is invalid.
    """
    if (project_dir / CONFIG_FILE).is_file():
        return project_dir / ProjectConfig.load(project_dir).compliance.rules
    default: str = ComplianceConfig.model_fields["rules"].default
    return project_dir / default
