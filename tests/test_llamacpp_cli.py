"""`toolkit serve --backend llama-cpp` on the stand-in executable: replicas, SIGTERM, errors."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from toolkit.cli import app, main
from toolkit.errors import UsageError
from toolkit.llamacpp import build_spec, serve_llama


def test_serve_replicas_until_sigterm(llama_stand_in: Path, tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    spec = build_spec(model=str(model), binary=llama_stand_in, threads=1)
    lines: list[str] = []
    seen: dict[str, int] = {}

    def operator() -> None:
        # Waits for the banner, checks each replica answers, then sends SIGTERM like a
        # service manager would; the handler runs in the main thread, inside serve_llama.
        deadline = time.monotonic() + 60
        while not any(line.startswith("serving") for line in lines):
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        for url, pid in re.findall(
            r"replica \d: (http://127\.0\.0\.1:\d+/v1) \(pid (\d+)", "\n".join(lines)
        ):
            seen[url] = httpx.get(url.removesuffix("/v1") + "/health").status_code
            seen[pid] = 0
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=operator)
    watcher.start()
    serve_llama(spec, replicas=2, log_dir=tmp_path / "logs", echo=lines.append)
    watcher.join()
    output = "\n".join(lines)
    urls = [key for key in seen if key.startswith("http")]
    assert len(urls) == 2 and all(seen[url] == 200 for url in urls), output
    assert "dialect: llamacpp" in output and "model: tiny" in output
    assert lines[-1] == "stopped every llama-server replica"
    for url in urls:  # nothing listens any more (pids are reused too fast to check)
        with pytest.raises(httpx.TransportError):
            httpx.get(url.removesuffix("/v1") + "/health", timeout=2)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_serve_llama_without_a_binary_says_how_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(
        sys, "argv", ["toolkit", "serve", "--backend", "llama-cpp", "--model", str(model)]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "make llama" in err and "Traceback" not in err
    assert str(tmp_path / "empty" / "llama") in err


def test_serve_rejects_an_unknown_backend() -> None:
    result = CliRunner().invoke(app, ["serve", "--backend", "vllm"])
    assert isinstance(result.exception, UsageError)
    assert "choose embedded or llama-cpp" in str(result.exception)
