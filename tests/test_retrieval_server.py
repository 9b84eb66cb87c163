"""KnowledgeStore against a real Chroma server (`chroma run`), started and stopped here."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from toolkit.errors import EmbedderMismatchError, StoreUnavailableError
from toolkit.retrieval import HashingEmbeddings, KnowledgeStore


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _chroma_cli() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if found is None:
        pytest.fail("the `chroma` command (shipped in the chromadb wheel) is not installed")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [_chroma_cli(), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start on {url}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text("# Alpha\n\n## Limits\n\nfrequency band hertz\n")
    (tmp_path / "b.txt").write_text("voltage band kilovolt\n")
    return tmp_path


def test_ingest_and_search_on_a_chroma_server(server: str, kb: Path) -> None:
    with KnowledgeStore(url=server, collection="served", embeddings=HashingEmbeddings()) as store:
        report = store.ingest(kb)
        assert (report.added, report.chunks) == (2, 2)
        best = store.search("voltage band kilovolt", k=1)[0]
        assert (best.doc_id, best.text) == ("b.txt", "voltage band kilovolt")
    # a second client (another process would be the same) sees the same store
    with KnowledgeStore(url=server, collection="served", embeddings=HashingEmbeddings()) as store:
        assert store.count() == 2
        assert store.ingest(kb).unchanged == 2
    with pytest.raises(EmbedderMismatchError):
        KnowledgeStore(url=server, collection="served", embeddings=HashingEmbeddings(32))


def test_missing_server_is_a_one_line_error_with_the_url() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreUnavailableError) as caught:
        KnowledgeStore(url=url, embeddings=HashingEmbeddings())
    message = str(caught.value)
    assert url in message
    assert "\n" not in message
    assert isinstance(caught.value, ConnectionError)
