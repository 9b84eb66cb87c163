"""Audit log: chaining, tampering found at the right record, crash tails, concurrency, HMAC."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from toolkit.compliance.audit import GENESIS, AuditLog, canonical_json
from toolkit.errors import AuditLogError


def _write_log(path: Path, n: int = 6, key_env: str | None = None) -> list[str]:
    log = AuditLog(path, key_env=key_env)
    for i in range(n):
        log.append({"type": "decision", "i": i, "text": "naïve \u2013 中文"})
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _save(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def test_records_are_canonical_and_chained(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 3)
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[0]["prev"] == GENESIS
    assert records[1]["prev"] == records[0]["hash"] and records[2]["prev"] == records[1]["hash"]
    assert all(canonical_json(r) + "\n" == line for r, line in zip(records, lines, strict=True))
    result = AuditLog.verify(path)
    assert result.ok and result.records == 3 and result.head == records[2]["hash"]


def _edit(lines: list[str]) -> tuple[list[str], int]:
    record = json.loads(lines[2])
    record["event"]["i"] = 99
    lines[2] = canonical_json(record) + "\n"
    return lines, 3


def _edit_and_rehash_one(lines: list[str]) -> tuple[list[str], int]:
    # An attacker who recomputes the edited record's own hash still breaks the next link.
    import hashlib

    record = json.loads(lines[2])
    record["event"]["i"] = 99
    body = {k: v for k, v in record.items() if k != "hash"}
    record["hash"] = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    lines[2] = canonical_json(record) + "\n"
    return lines, 4


def _delete(lines: list[str]) -> tuple[list[str], int]:
    del lines[2]
    return lines, 3


def _insert(lines: list[str]) -> tuple[list[str], int]:
    lines.insert(2, lines[1])
    return lines, 3


def _reorder(lines: list[str]) -> tuple[list[str], int]:
    lines[2], lines[3] = lines[3], lines[2]
    return lines, 3


def _truncate_middle(lines: list[str]) -> tuple[list[str], int]:
    lines[3] = lines[3][: len(lines[3]) // 2] + "\n"
    return lines, 4


def _whitespace(lines: list[str]) -> tuple[list[str], int]:
    lines[1] = lines[1].replace(",", ", ", 1)
    return lines, 2


@pytest.mark.parametrize(
    "tamper",
    [_edit, _edit_and_rehash_one, _delete, _insert, _reorder, _truncate_middle, _whitespace],
    ids=lambda f: f.__name__.strip("_"),
)
def test_tampering_is_found_at_the_right_record(tmp_path: Path, tamper: object) -> None:
    path = tmp_path / "audit.jsonl"
    lines, expected_bad = tamper(_write_log(path))  # type: ignore[operator]
    _save(path, lines)
    result = AuditLog.verify(path)
    assert not result.ok
    assert result.first_bad == expected_bad
    assert result.records == expected_bad - 1
    assert result.reason and not result.partial_tail


def test_first_record_deleted(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path)
    _save(path, lines[1:])
    result = AuditLog.verify(path)
    assert (result.ok, result.first_bad) == (False, 1)
    assert "link" in (result.reason or "")


def test_dropping_the_newest_records_needs_an_anchor(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path)
    head = AuditLog.verify(path).head
    _save(path, lines[:-2])
    assert AuditLog.verify(path).ok  # the chain alone cannot see a clean cut at the end
    result = AuditLog.verify(path, expected_head=head)
    assert not result.ok and "truncated" in (result.reason or "")


@pytest.mark.parametrize("cut", [1, 10, -2])
def test_partial_final_line_is_reported_as_such(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 4)
    last = lines[-1]
    lines[-1] = last[:cut]  # no newline: a crash mid-append
    _save(path, lines)
    result = AuditLog.verify(path)
    assert not result.ok and result.partial_tail
    assert result.first_bad == 4 and result.records == 3
    assert "partial final record" in (result.reason or "")


def test_append_after_a_crash_sets_the_partial_line_aside_and_chains_on(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 3)
    partial = lines[-1][:25]
    _save(path, [*lines[:-1], partial])
    AuditLog(path).append({"type": "after-crash"})
    result = AuditLog.verify(path)
    assert result.ok and result.records == 4
    records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert records[2]["event"] == {"type": "recovered_partial_record"}
    assert records[3]["event"] == {"type": "after-crash"}
    assert (tmp_path / "audit.jsonl.partial-1").read_text(encoding="utf-8") == partial


def test_append_refuses_to_extend_a_damaged_tail(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 2)
    _save(path, [lines[0], "garbage that is not json\n"])
    with pytest.raises(AuditLogError, match=r"audit\.jsonl"):
        AuditLog(path).append({"type": "x"})
    assert path.read_text(encoding="utf-8").endswith("garbage that is not json\n")


def test_hmac_key_is_required_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3cr3t-audit-key-value"
    monkeypatch.setenv("AUDIT_KEY", secret)
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 3, key_env="AUDIT_KEY")
    assert secret not in path.read_text(encoding="utf-8")
    assert secret not in repr(AuditLog(path, key_env="AUDIT_KEY"))
    assert json.loads(lines[0])["alg"] == "hmac-sha256"
    assert AuditLog.verify(path, key_env="AUDIT_KEY").ok
    missing = AuditLog.verify(path)
    assert not missing.ok and missing.first_bad == 1 and "HMAC" in (missing.reason or "")
    monkeypatch.setenv("AUDIT_KEY", "another-key")
    wrong = AuditLog.verify(path, key_env="AUDIT_KEY")
    assert not wrong.ok and wrong.first_bad == 1


def test_plain_records_are_refused_when_a_key_is_expected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.jsonl"
    _write_log(path, 2)  # unkeyed: a forger without the key could write these
    monkeypatch.setenv("AUDIT_KEY", "k")
    result = AuditLog.verify(path, key_env="AUDIT_KEY")
    assert not result.ok and result.first_bad == 1 and "downgraded" in (result.reason or "")


def test_missing_file(tmp_path: Path) -> None:
    result = AuditLog.verify(tmp_path / "nope.jsonl")
    assert not result.ok and "cannot read" in (result.reason or "")


def test_empty_file_is_an_intact_empty_log(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"")
    result = AuditLog.verify(path)
    assert result.ok and result.records == 0


def test_long_records_chain_across_tail_reads(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    for i in range(3):
        log.append({"blob": "x" * 150_000, "i": i})
    assert AuditLog.verify(path).records == 3


def _worker(path: str, worker: int, count: int) -> None:
    log = AuditLog(path)
    for i in range(count):
        log.append({"worker": worker, "i": i})


def test_several_processes_append_one_valid_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(str(path), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    result = AuditLog.verify(path)
    assert result.ok, result.reason
    assert result.records == 160
    events = [json.loads(x)["event"] for x in path.read_text(encoding="utf-8").splitlines()]
    for w in range(4):
        assert [e["i"] for e in events if e["worker"] == w] == list(range(40))


def test_declared_key_refuses_plain_records_even_without_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.jsonl"
    _write_log(path, 3)  # a signed log rewritten as plain sha256 by someone without the key
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    result = AuditLog.verify(path, key_env="AUDIT_KEY")
    assert not result.ok and result.first_bad == 1
    assert "downgraded" in (result.reason or "") and "$AUDIT_KEY" in (result.reason or "")


def test_append_with_a_declared_but_unset_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    path = tmp_path / "audit.jsonl"
    with pytest.raises(AuditLogError, match=r"\$AUDIT_KEY"):
        AuditLog(path, key_env="AUDIT_KEY").append({"type": "x"})
    assert not path.exists() or path.read_bytes() == b""


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deeply_nested_line_is_a_bad_record_not_a_crash(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "audit.jsonl"
    lines = _write_log(path, 2)
    _save(path, [lines[0], "[" * depth + "]" * depth + "\n", lines[1]])
    result = AuditLog.verify(path)
    assert not result.ok and result.first_bad == 2
    assert "JSON" in (result.reason or "")


def test_append_after_a_deeply_nested_tail_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(AuditLogError, match="not a valid audit record"):
        AuditLog(path).append({"type": "x"})
