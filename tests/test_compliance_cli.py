"""`toolkit audit verify` and `toolkit rules check` as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.compliance import AuditLog

DATA = Path(__file__).parent / "data" / "compliance"


def run(
    *args: str, cwd: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd),
             "PYTHONPATH": str(Path(__file__).parent.parent), **(extra_env or {})},
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


def _signed_project(tmp_path: Path, rendered_template: Callable[[str], Path]) -> Path:
    """A project folder whose toolkit.yaml declares an HMAC-signed audit log."""
    project = tmp_path / "proj"
    project.mkdir()
    text = (rendered_template("finance") / "toolkit.yaml").read_text(encoding="utf-8")
    anchor = "  audit_log: .toolkit/audit.jsonl\n"
    assert anchor in text
    text = text.replace(anchor, anchor + "  audit_key_env: PROJECT_AUDIT_KEY\n")
    (project / "toolkit.yaml").write_text(text, encoding="utf-8")
    return project


def test_verify_reads_audit_key_env_and_catches_a_downgrade(
    tmp_path: Path, rendered_template: Callable[[str], Path]
) -> None:
    project = _signed_project(tmp_path, rendered_template)
    log = project / ".toolkit" / "audit.jsonl"
    plain = AuditLog(log)  # the signed log rewritten with plain sha256: no key needed
    for i in range(3):
        plain.append({"i": i})
    for target in (str(log), "."):
        result = run("audit", "verify", target, cwd=project)
        assert result.returncode == 1, result.stdout
        assert "downgraded" in result.stderr and "PROJECT_AUDIT_KEY" in result.stderr
        assert "Traceback" not in result.stderr


def test_verify_accepts_the_signed_log_with_the_project_key(
    tmp_path: Path, rendered_template: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _signed_project(tmp_path, rendered_template)
    log = project / ".toolkit" / "audit.jsonl"
    monkeypatch.setenv("PROJECT_AUDIT_KEY", "k3y")
    signed = AuditLog(log, key_env="PROJECT_AUDIT_KEY")
    for i in range(3):
        signed.append({"i": i})
    env = {"PROJECT_AUDIT_KEY": "k3y"}
    ok = run("audit", "verify", ".", cwd=project, extra_env=env)
    assert ok.returncode == 0, ok.stderr
    assert "3 records" in ok.stdout and "HMAC-signed ($PROJECT_AUDIT_KEY)" in ok.stdout
    assert "k3y" not in ok.stdout + ok.stderr
    missing = run("audit", "verify", str(log), cwd=project)
    assert missing.returncode == 1 and "PROJECT_AUDIT_KEY" in missing.stderr


def test_verify_names_a_broken_project_config(tmp_path: Path) -> None:
    (tmp_path / "toolkit.yaml").write_text("project: [\n", encoding="utf-8")
    log = tmp_path / ".toolkit" / "audit.jsonl"
    AuditLog(log).append({"i": 1})
    result = run("audit", "verify", str(log), cwd=tmp_path)
    assert result.returncode == 1
    assert "toolkit.yaml" in result.stderr and "Traceback" not in result.stderr


def test_verify_of_a_deeply_nested_line_is_a_clean_failure(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).append({"i": 1})
    with path.open("a", encoding="utf-8") as fh:
        fh.write("[" * 100_000 + "]" * 100_000 + "\n")
    result = run("audit", "verify", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "record 2" in result.stderr and "Traceback" not in result.stderr
