"""A generated project loaded from disk: configuration, tools, prompt, rules and store."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.config import ProjectConfig
from toolkit.pack import load_system_prompt, load_tools
from toolkit.tooling import ToolSpec

if TYPE_CHECKING:
    from toolkit.compliance import RuleSet
    from toolkit.retrieval import KnowledgeStore  # type: ignore[import-untyped,unused-ignore]

__all__ = ["Project", "load_project"]


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
        from toolkit.yamlfile import load_yaml_text, read_text_capped

        answers = self.root / ".toolkit" / "answers.yaml"
        if not answers.is_file():
            return None
        data: Any = load_yaml_text(read_text_capped(answers), source=str(answers))
        return str(data.get("template_version")) if isinstance(data, dict) else None


def load_project(path: Path | str = ".") -> Project:
    """Load the generated project at ``path``.

    Raises:
        ConfigError: ``toolkit.yaml``, the tools module or the system prompt is missing or invalid.
    """
    root = Path(path).resolve()
    config = ProjectConfig.load(root)
    return Project(
        root=root,
        config=config,
        tools=load_tools(root, config),
        system_prompt=load_system_prompt(root, config),
    )
