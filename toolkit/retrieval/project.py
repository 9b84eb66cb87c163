"""A generated project's knowledge store, as its ``toolkit.yaml`` configures it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.config import CONFIG_FILE, ProjectConfig
from toolkit.errors import ConfigError
from toolkit.retrieval.embedder import Embedder
from toolkit.retrieval.ingest import IngestReport, ProgressCallback
from toolkit.retrieval.store import KnowledgeStore

__all__ = ["ProjectRetrieval", "ingest_project", "open_project_store"]


@dataclass(frozen=True)
class ProjectRetrieval:
    """The ``retrieval`` settings of a project, with paths resolved against it."""

    knowledge_dir: Path
    store_path: Path
    url: str | None = None
    collection: str = "knowledge"
    embeddings: str = "offline"
    chunk_size: int = 800
    chunk_overlap: int = 100


def _project_settings(project_dir: Path) -> ProjectRetrieval:
    """Read the ``retrieval`` section of ``toolkit.yaml`` through ``ProjectConfig``."""
    retrieval = ProjectConfig.load(project_dir).retrieval
    if retrieval.chunk_overlap >= retrieval.chunk_size:
        raise ConfigError(
            file=str(project_dir / CONFIG_FILE),
            key="retrieval.chunk_overlap",
            problem=f"must be less than chunk_size ({retrieval.chunk_size})",
        )
    return ProjectRetrieval(
        knowledge_dir=project_dir / retrieval.knowledge_dir,
        store_path=project_dir / retrieval.store_path,
        url=retrieval.url,
        collection=retrieval.collection,
        embeddings=retrieval.embeddings,
        chunk_size=retrieval.chunk_size,
        chunk_overlap=retrieval.chunk_overlap,
    )


def _embedder(settings: ProjectRetrieval, project_dir: Path) -> Embedder:
    if settings.embeddings == "hashing":
        from toolkit.retrieval.hashing import HashingEmbeddings

        return HashingEmbeddings()
    if settings.embeddings == "endpoint":
        raise ConfigError(
            file=str(project_dir / CONFIG_FILE),
            key="retrieval.embeddings",
            problem="'endpoint' needs an embedding model name and dimension, which toolkit.yaml "
            "cannot carry yet; use 'offline', or build a KnowledgeStore with "
            "EndpointEmbeddings in code",
        )
    from toolkit.retrieval.offline import OfflineEmbeddings

    return OfflineEmbeddings()


def open_project_store(project_dir: Path | str, *, rebuild: bool = False) -> KnowledgeStore:
    """Open the knowledge store a project's ``toolkit.yaml`` describes.

    Args:
        project_dir: The generated project's folder (holding ``toolkit.yaml``).
        rebuild: Drop the collection first (after switching embedders, for example).

    Raises:
        ConfigError: ``toolkit.yaml`` is missing or its ``retrieval`` section is invalid.
        StoreUnavailableError: the configured Chroma server does not answer.
        EmbedderMismatchError: the store was built with another embedder.
    """
    folder = Path(project_dir)
    settings = _project_settings(folder)
    embedder = _embedder(settings, folder)
    if settings.url:
        return KnowledgeStore(
            url=settings.url, collection=settings.collection, embeddings=embedder, rebuild=rebuild
        )
    return KnowledgeStore(
        settings.store_path, collection=settings.collection, embeddings=embedder, rebuild=rebuild
    )


def ingest_project(
    project_dir: Path | str, *, rebuild: bool = False, progress: ProgressCallback | None = None
) -> IngestReport:
    """Ingest a project's knowledge folder into its store.

    Args:
        project_dir: The generated project's folder (holding ``toolkit.yaml``).
        rebuild: Drop the collection first (after switching embedders, for example).
        progress: Called with (chunks embedded so far, chunks to embed).
    """
    folder = Path(project_dir)
    settings = _project_settings(folder)
    with open_project_store(folder, rebuild=rebuild) as store:
        return store.ingest(
            settings.knowledge_dir,
            chunk_size=settings.chunk_size,
            chunk_overlap=settings.chunk_overlap,
            progress=progress,
        )
