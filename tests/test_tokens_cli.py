import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import ConfigError, UsageError
from toolkit.tokens import Ledger, LedgerRow
from toolkit.tokens.report import usage_report


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    ledger = Ledger(path)
    for tenant, cached in (("acme", 80), ("acme", 60), ("globex", 0)):
        ledger.record(
            LedgerRow(
                endpoint="m@h",
                model="m",
                status="ok",
                prompt_tokens=100,
                cached_tokens=cached,
                completion_tokens=5,
                cost=0.01,
                tenant=tenant,
            )
        )
    ledger.close()
    return path


def test_report_rows(ledger_file: Path) -> None:
    rows = usage_report(ledger_file, by="tenant")
    assert rows[0] == {
        "tenant": "acme",
        "calls": 2,
        "errors": 0,
        "prompt_tokens": 200,
        "cached_tokens": 140,
        "cache_write_tokens": 0,
        "completion_tokens": 10,
        "cache_hit_rate": 0.7,
        "cost": 0.02,
        "unknown_usage": 0,
    }


def test_report_errors(tmp_path: Path, ledger_file: Path) -> None:
    with pytest.raises(ConfigError, match="no ledger"):
        usage_report(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(UsageError, match="--by"):
        usage_report(ledger_file, by="api_key")


def test_cli_json_and_table(ledger_file: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["tokens", "usage", "--ledger", str(ledger_file), "--json"])
    assert result.exit_code == 0, result.output
    assert [row["tenant"] for row in json.loads(result.output)] == ["acme", "globex"]
    table = runner.invoke(app, ["tokens", "usage", "--ledger", str(ledger_file), "--by", "model"])
    assert table.exit_code == 0 and "Token usage by model" in table.output
