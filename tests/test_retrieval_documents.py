from pathlib import Path

import pytest

from toolkit.errors import KnowledgeFolderError
from toolkit.retrieval.documents import read_folder


def _read(folder: Path) -> tuple[list[str], list[str]]:
    docs, warnings = read_folder(folder, chunk_size=500, chunk_overlap=50)
    return [d.doc_id for d in docs], warnings


def test_reads_markdown_and_text_in_subfolders_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("---\ntrust: untrusted\ntags: [x]\n---\n# A\n\ntext\n")
    (tmp_path / "sub" / "b.txt").write_text("plain\n")
    (tmp_path / "sub" / "c.MARKDOWN").write_text("## Only\n\nsection\n")
    (tmp_path / ".git" / "d.md").write_text("hidden")
    (tmp_path / ".hidden.md").write_text("hidden")
    docs, warnings = read_folder(tmp_path, chunk_size=500, chunk_overlap=50)
    assert [d.doc_id for d in docs] == ["a.md", "sub/b.txt", "sub/c.MARKDOWN"]
    assert warnings == []
    assert (docs[0].title, docs[0].trust, docs[0].tags) == ("A", "untrusted", ("x",))
    assert docs[1].trust == "trusted"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("image.png", b"\x89PNG\r\n", "not a Markdown (.md) or text (.txt) file"),
        ("blob.md", b"abc\x00def", "binary content"),
        ("latin1.txt", "café".encode("latin-1"), "not UTF-8 text"),
        ("empty.md", b"---\ntitle: x\n---\n\n  \n", "no text"),
    ],
)
def test_bad_files_are_skipped_with_a_warning_naming_them(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / "good.md").write_text("fine\n")
    (tmp_path / name).write_bytes(content)
    ids, warnings = _read(tmp_path)
    assert ids == ["good.md"]
    assert len(warnings) == 1
    assert str(tmp_path / name) in warnings[0]
    assert reason in warnings[0]


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked.md").write_text("secret")
    (tmp_path / "ok.md").write_text("fine")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    ids, warnings = _read(tmp_path)
    assert ids == ["ok.md"]
    assert warnings == [f"skipped {tmp_path / 'locked.md'}: unreadable (Permission denied)"]


def test_content_hash_tracks_bytes_and_chunk_settings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("text one\n")
    first = read_folder(tmp_path, chunk_size=500, chunk_overlap=50)[0][0].content_hash
    again = read_folder(tmp_path, chunk_size=500, chunk_overlap=50)[0][0].content_hash
    resized = read_folder(tmp_path, chunk_size=400, chunk_overlap=50)[0][0].content_hash
    (tmp_path / "a.md").write_text("text two\n")
    edited = read_folder(tmp_path, chunk_size=500, chunk_overlap=50)[0][0].content_hash
    assert first == again
    assert len({first, resized, edited}) == 3


def test_crlf_and_bom_are_normalised(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\n## S\r\n\r\nx\r\n")
    docs, _ = read_folder(tmp_path, chunk_size=500, chunk_overlap=50)
    assert (docs[0].title, docs[0].chunks[0].section, docs[0].chunks[0].text) == ("T", "S", "x")


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: p / "file.md"])
def test_missing_folder_is_a_clear_error(tmp_path: Path, make: object) -> None:
    (tmp_path / "file.md").write_text("x")
    target = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(KnowledgeFolderError, match="does not exist or is not a folder"):
        read_folder(target, chunk_size=500, chunk_overlap=50)
