"""`toolkit serve --backend llama-cpp` in a subprocess, on the stand-in executable."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import UsageError


def test_serve_replicas_until_sigterm(llama_stand_in: Path, tmp_path: Path) -> None:
    binary = llama_stand_in
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLKIT_")}
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "toolkit", "serve", "--backend", "llama-cpp"),
            *("--llama-server", str(binary), "--model", str(model)),
            *("--replicas", "2", "--port", "0"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("serving"):
                break
        output = "".join(lines)
        assert "serving" in output, output
        urls = re.findall(r"replica \d: (http://127\.0\.0\.1:\d+/v1) \(pid (\d+)", output)
        assert len(urls) == 2
        for url, _ in urls:
            assert httpx.get(url.removesuffix("/v1") + "/health").status_code == 200
        assert "dialect: llamacpp" in output and "model: tiny" in output
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "stopped every llama-server replica" in rest
    for _, pid in urls:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            continue
        # A zombie is gone for good once its parent (the CLI) has exited.
        status = Path(f"/proc/{pid}/status").read_text()
        assert "zombie" in status


def test_serve_llama_without_a_binary_says_how_to_build(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "serve", "--backend", "llama-cpp", "--model", str(model)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "TOOLKIT_CACHE_DIR": str(tmp_path / "empty")},
    )
    assert result.returncode == 1
    assert "make llama" in result.stderr and "Traceback" not in result.stderr
    assert str(tmp_path / "empty" / "llama") in result.stderr


def test_serve_rejects_an_unknown_backend() -> None:
    result = CliRunner().invoke(app, ["serve", "--backend", "vllm"])
    assert isinstance(result.exception, UsageError)
    assert "choose embedded or llama-cpp" in str(result.exception)
