"""Hatch build hook: every industry template gets the shared partials in the wheel.

In a checkout each ``templates/<industry>/templates`` is a symlink to ``../_shared``, the
folder cookiecutter's loader searches for ``{% include "base/..." %}``. A wheel cannot hold
symlinks, so this hook gives every template folder that has a ``cookiecutter.json`` a real
copy under ``toolkit/_templates/<industry>/templates``. A new industry needs no line in
``pyproject.toml``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SharedPartialsHook(BuildHookInterface):  # type: ignore[misc]
    """Copy ``templates/_shared`` under each industry template of the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Stage one copy of the shared partials per industry and force-include it."""
        templates = Path(self.root) / "templates"
        shared = templates / "_shared"
        if not shared.is_dir():
            return
        self._staging = Path(tempfile.mkdtemp(prefix="toolkit-shared-"))
        for config in sorted(templates.glob("*/cookiecutter.json")):
            industry = config.parent.name
            # One staged copy per industry: force_include maps each source path once.
            staged = self._staging / industry
            shutil.copytree(shared, staged)
            build_data["force_include"][str(staged)] = f"toolkit/_templates/{industry}/templates"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the staged copies."""
        staging = getattr(self, "_staging", None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
