"""A generated project's knowledge store, as its ``toolkit.yaml`` configures it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import ConfigError
from toolkit.retrieval.embedder import Embedder
from toolkit.retrieval.ingest import IngestReport, ProgressCallback
from toolkit.retrieval.store import KnowledgeStore

__all__ = ["ProjectRetrieval", "ingest_project", "open_project_store"]

_CONFIG_FILE = "toolkit.yaml"


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
    # Stand-in for toolkit.config.ProjectConfig (same keys, same defaults) until it is
    # wired in here: reads only the `retrieval` section of toolkit.yaml.
    path = project_dir / _CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            file=str(path), problem="does not exist; run the command inside a generated project"
        )
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(file=str(path), problem=f"is not valid YAML ({exc})") from exc
    section = data.get("retrieval", {}) if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(file=str(path), key="retrieval", problem="must be a mapping")
    defaults = ProjectRetrieval(Path("knowledge"), Path(".toolkit/chroma"))

    def text(key: str, default: str | None) -> str | None:
        value = section.get(key, default)
        if value is not None and not isinstance(value, str):
            raise ConfigError(file=str(path), key=f"retrieval.{key}", problem="must be a string")
        return value

    def number(key: str, default: int, low: int, high: int) -> int:
        value = section.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                file=str(path),
                key=f"retrieval.{key}",
                problem=f"must be a whole number from {low} to {high}, got {value!r}",
            )
        return value

    def inside(key: str, default: Path) -> Path:
        value = text(key, str(default)) or str(default)
        relative = Path(value)
        if relative.is_absolute() or ".." in relative.parts:
            raise ConfigError(
                file=str(path),
                key=f"retrieval.{key}",
                problem=f"{value!r} must be a relative path inside the project folder",
            )
        return project_dir / relative

    chunk_size = number("chunk_size", defaults.chunk_size, 100, 8000)
    chunk_overlap = number("chunk_overlap", defaults.chunk_overlap, 0, 2000)
    if chunk_overlap >= chunk_size:
        raise ConfigError(
            file=str(path), key="retrieval.chunk_overlap", problem="must be less than chunk_size"
        )
    embeddings = text("embeddings", defaults.embeddings) or defaults.embeddings
    if embeddings not in ("offline", "endpoint", "hashing"):
        raise ConfigError(
            file=str(path),
            key="retrieval.embeddings",
            problem=f"must be offline, endpoint or hashing, got {embeddings!r}",
        )
    return ProjectRetrieval(
        knowledge_dir=inside("knowledge_dir", defaults.knowledge_dir),
        store_path=inside("store_path", defaults.store_path),
        url=text("url", None),
        collection=text("collection", defaults.collection) or defaults.collection,
        embeddings=embeddings,
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
    )


def _embedder(settings: ProjectRetrieval, project_dir: Path) -> Embedder:
    if settings.embeddings == "hashing":
        from toolkit.retrieval.hashing import HashingEmbeddings

        return HashingEmbeddings()
    if settings.embeddings == "endpoint":
        raise ConfigError(
            file=str(project_dir / _CONFIG_FILE),
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
