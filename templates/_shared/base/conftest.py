"""Shared fixtures for {{ cookiecutter.project_slug }}'s tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from toolkit.retrieval import KnowledgeStore

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_dir() -> Path:
    """The project's root folder."""
    return PROJECT_DIR


@pytest.fixture(scope="module")
def store(project_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    """The project's knowledge ingested into a fresh store with the offline embedder."""
    from toolkit.retrieval import KnowledgeStore, OfflineEmbeddings

    path = tmp_path_factory.mktemp("store")
    knowledge = KnowledgeStore(path, collection="knowledge", embeddings=OfflineEmbeddings())
    report = knowledge.ingest(project_dir / "knowledge")
    assert not report.warnings
    assert report.added == len(list((project_dir / "knowledge").glob("*.md")))
    return knowledge
