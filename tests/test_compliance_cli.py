"""`toolkit audit verify` and `toolkit rules check` as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from toolkit.compliance import AuditLog

DATA = Path(__file__).parent / "data" / "compliance"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd),
             "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip


def test_audit_verify_ok_and_tampered(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    for i in range(5):
        log.append({"i": i})
    ok = run("audit", "verify", str(path), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "5 records" in ok.stdout and "intact" in ok.stdout
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    bad = run("audit", "verify", str(path), cwd=tmp_path)
    assert bad.returncode == 1
    assert "record 2" in bad.stderr and "NOT intact" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_rules_check_prints_rules_by_stage(tmp_path: Path) -> None:
    (tmp_path / "compliance").mkdir()
    shutil.copy(DATA / "finance_rules.yaml", tmp_path / "compliance" / "rules.yaml")
    result = run("rules", "check", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for rule_id in ("F-C1", "F-C2", "F-C3", "F-C4", "F-C5", "F-C6", "X0"):
        assert rule_id in result.stdout
    for stage in ("input", "retrieval", "tool_call", "output"):
        assert stage in result.stdout


def test_rules_check_defaults_to_current_folder_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "compliance").mkdir()
    (tmp_path / "compliance" / "rules.yaml").write_text(
        "rules:\n  - id: A\n    title: t\n    regulation: r\n    stages: [output]\n"
        "    kind: nonsense\n    action: flag\n    severity: low\n",
        encoding="utf-8",
    )
    result = run("rules", "check", cwd=tmp_path)
    assert result.returncode == 1
    assert "rules.yaml:6" in result.stderr and "unknown kind 'nonsense'" in result.stderr
    assert "pii" in result.stderr and "Traceback" not in result.stderr


def test_rules_check_missing_file(tmp_path: Path) -> None:
    result = run("rules", "check", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1 and "file not found" in result.stderr
