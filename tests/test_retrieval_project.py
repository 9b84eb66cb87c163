import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import ConfigError
from toolkit.retrieval import HashingEmbeddings, KnowledgeStore, ingest_project
from toolkit.retrieval.project import ProjectRetrieval, _project_settings

KNOWLEDGE = Path(__file__).parent / "data" / "retrieval_knowledge"


BASE = """\
project:
  name: Acme
  package: acme
  industry: finance
token_service:
  endpoints:
    - url: local
      model: toolkit-local
compliance:
  default_role: analyst
"""


def _project(tmp_path: Path, retrieval: str) -> Path:
    project = tmp_path / "acme"
    shutil.copytree(KNOWLEDGE, project / "knowledge")
    (project / "toolkit.yaml").write_text(BASE + retrieval)
    return project


def test_settings_defaults(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    assert _project_settings(project) == ProjectRetrieval(
        knowledge_dir=project / "knowledge", store_path=project / ".toolkit" / "chroma"
    )


def test_settings_read_the_retrieval_section(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "retrieval:\n  knowledge_dir: docs\n  store_path: var/db\n  collection: acme-kb\n"
        "  embeddings: hashing\n  chunk_size: 400\n  chunk_overlap: 40\n  top_k: 4\n",
    )
    assert _project_settings(project) == ProjectRetrieval(
        knowledge_dir=project / "docs",
        store_path=project / "var" / "db",
        collection="acme-kb",
        embeddings="hashing",
        chunk_size=400,
        chunk_overlap=40,
    )


@pytest.mark.parametrize(
    ("retrieval", "key"),
    [
        ("retrieval: [1]\n", "retrieval"),
        ("retrieval:\n  chunk_size: 10\n", "retrieval.chunk_size"),
        ("retrieval:\n  chunk_size: 200\n  chunk_overlap: 200\n", "retrieval.chunk_overlap"),
        ("retrieval:\n  store_path: ../elsewhere\n", "retrieval.store_path"),
        ("retrieval:\n  knowledge_dir: /etc\n", "retrieval.knowledge_dir"),
        ("retrieval:\n  embeddings: magic\n", "retrieval.embeddings"),
        ("retrieval:\n  collection: a b\n", "retrieval.collection"),
    ],
)
def test_bad_settings_name_file_and_key(tmp_path: Path, retrieval: str, key: str) -> None:
    project = _project(tmp_path, retrieval)
    with pytest.raises(ConfigError) as caught:
        _project_settings(project)
    assert str(project / "toolkit.yaml") in str(caught.value)
    assert f"(key {key!r})" in str(caught.value)


def test_missing_toolkit_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        _project_settings(tmp_path)


def test_ingest_project_uses_the_configured_store(tmp_path: Path) -> None:
    project = _project(tmp_path, "retrieval:\n  collection: acme-kb\n  embeddings: hashing\n")
    report = ingest_project(project)
    assert (report.added, report.documents) == (9, 9)
    store = KnowledgeStore(
        project / ".toolkit" / "chroma", collection="acme-kb", embeddings=HashingEmbeddings()
    )
    with store:
        assert store.count() == report.chunks


def test_endpoint_embeddings_are_not_configurable_yet(tmp_path: Path) -> None:
    project = _project(tmp_path, "retrieval:\n  embeddings: endpoint\n")
    with pytest.raises(ConfigError, match="endpoint"):
        ingest_project(project)


def test_cli_ingest_prints_warnings_and_a_summary(tmp_path: Path) -> None:
    project = _project(tmp_path, "retrieval:\n  collection: acme-kb\n")
    (project / "knowledge" / "scan.pdf").write_bytes(b"%PDF-1.7")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(project)])
    assert first.exit_code == 0, first.output
    assert f"warning: skipped {project / 'knowledge' / 'scan.pdf'}" in first.output
    assert "9 documents, " in first.output and "9 added" in first.output
    second = runner.invoke(app, ["ingest", str(project)])
    assert "9 unchanged; 0 chunks embedded" in second.output
    (project / "toolkit.yaml").write_text(
        BASE + "retrieval:\n  collection: acme-kb\n  embeddings: hashing\n"
    )
    refused = runner.invoke(app, ["ingest", str(project)])
    assert refused.exit_code == 1
    assert "toolkit ingest --rebuild" in str(refused.exception)
    rebuilt = runner.invoke(app, ["ingest", str(project), "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "9 added" in rebuilt.output


def test_cli_ingest_empty_knowledge_folder(tmp_path: Path) -> None:
    project = _project(tmp_path, "retrieval:\n  embeddings: hashing\n")
    shutil.rmtree(project / "knowledge")
    (project / "knowledge").mkdir()
    result = CliRunner().invoke(app, ["ingest", str(project)])
    assert result.exit_code == 0
    assert "No documents found in" in result.output
