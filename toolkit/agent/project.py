"""A generated project loaded from disk: configuration, tools, prompt, rules and store."""

from __future__ import annotations

import importlib.util
import sys
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from toolkit.config import ProjectConfig
from toolkit.errors import ConfigError
from toolkit.tooling import ToolSpec, collect_tools

if TYPE_CHECKING:
    from toolkit.compliance import RuleSet
    from toolkit.retrieval import KnowledgeStore  # type: ignore[import-untyped,unused-ignore]

__all__ = ["Project", "load_project"]

SYSTEM_PROMPT = Path("prompts") / "system.md"
_import_lock = threading.Lock()


def _import_tools(root: Path, package: str) -> ModuleType:
    path = root / "src" / package / "tools.py"
    if not path.is_file():
        raise ConfigError(
            file=str(path), problem="does not exist; every project defines its tools there"
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


@dataclass
class Project:
    """Everything a session needs from one generated project."""

    root: Path
    config: ProjectConfig
    tools: list[ToolSpec]
    system_prompt: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def path(self, relative: str) -> Path:
        """A path from ``toolkit.yaml``, resolved against the project folder."""
        return self.root / relative

    @cached_property
    def rules(self) -> RuleSet:
        """The compliance rule pack (``compliance.rules``)."""
        from toolkit.compliance import RuleSet

        return RuleSet.load(self.path(self.config.compliance.rules))

    @cached_property
    def store(self) -> KnowledgeStore:
        """The project's knowledge store, synced with ``knowledge/`` on first use.

        Ingest is idempotent (unchanged documents cost no embedding call), so a session
        never searches a store that is missing documents or still holds deleted ones.
        """
        from toolkit.retrieval import (  # type: ignore[import-untyped,unused-ignore]
            ingest_project,
            open_project_store,
        )

        with self._lock:
            ingest_project(self.root)
            return open_project_store(self.root)  # type: ignore[no-any-return,unused-ignore]

    @property
    def template_version(self) -> str | None:
        """The template version recorded in ``.toolkit/answers.yaml``, if any."""
        import yaml

        answers = self.root / ".toolkit" / "answers.yaml"
        if not answers.is_file():
            return None
        data: Any = yaml.safe_load(answers.read_text(encoding="utf-8"))
        return str(data.get("template_version")) if isinstance(data, dict) else None


def load_project(path: Path | str = ".") -> Project:
    """Load the generated project at ``path``.

    Raises:
        ConfigError: ``toolkit.yaml``, the tools module or the system prompt is missing or invalid.
    """
    root = Path(path).resolve()
    config = ProjectConfig.load(root)
    tools = collect_tools(_import_tools(root, config.project.package))
    prompt_path = root / SYSTEM_PROMPT
    try:
        system_prompt = prompt_path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            file=str(prompt_path), problem=f"cannot be read ({exc.strerror})"
        ) from exc
    return Project(root=root, config=config, tools=tools, system_prompt=system_prompt)
