"""One `llama-server` process: its command line (pure), start, readiness, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from toolkit.errors import LlamaServerError

__all__ = ["LlamaServerProcess", "LlamaServerSpec", "command_line"]

_LOG_TAIL_CHARS = 1500


@dataclass(frozen=True)
class LlamaServerSpec:
    """How to run each `llama-server` process.

    Attributes:
        binary: The ``llama-server`` executable.
        model: The GGUF model file.
        ctx_size: Context length of each slot in tokens (the process gets ``ctx_size * slots``).
        slots: Parallel slots (``-np``): requests served at once, each with its own prompt cache.
        threads: CPU threads per process (None: the cores divided among the replicas).
        host: Address to bind; loopback unless told otherwise.
        alias: Model name the server reports (None: the model file's stem).
        extra_args: Further ``llama-server`` arguments, passed as given.
    """

    binary: Path
    model: Path
    ctx_size: int = 8192
    slots: int = 1
    threads: int | None = None
    host: str = "127.0.0.1"
    alias: str | None = None
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model_name(self) -> str:
        """The model name requests should carry and responses report."""
        return self.alias or self.model.stem


def command_line(spec: LlamaServerSpec, port: int, *, threads: int) -> list[str]:
    """The argv that starts one process on ``port``; pure.

    ``--jinja`` applies the model's own chat template (and llama.cpp's tool-call formats, so
    requests may carry ``tools``); ``--metrics`` and ``--slots`` expose ``/metrics`` and
    ``/slots``. Prompt caching (``cache_prompt``) and the RAM prompt cache keep llama.cpp's
    defaults.
    """
    return [
        str(spec.binary),
        "--model",
        str(spec.model),
        "--host",
        spec.host,
        "--port",
        str(port),
        "--ctx-size",
        str(spec.ctx_size * spec.slots),
        "--parallel",
        str(spec.slots),
        "--threads",
        str(threads),
        "--alias",
        spec.model_name,
        "--jinja",
        "--metrics",
        "--slots",
        "--no-webui",
        *spec.extra_args,
    ]


class LlamaServerProcess:
    """A supervised `llama-server` child process.

    Args:
        spec: How to run it.
        port: TCP port on ``spec.host``.
        name: Label for messages (``replica 1``).
        log_path: File that receives the process's output.
        threads: CPU threads for this process.
    """

    def __init__(
        self, spec: LlamaServerSpec, port: int, *, name: str, log_path: Path, threads: int
    ) -> None:
        self.spec = spec
        self.port = port
        self.name = name
        self.log_path = log_path
        self.threads = threads
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://127.0.0.1:PORT/v1``)."""
        return f"http://{self.spec.host}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """The server's root, where ``/health``, ``/slots`` and ``/metrics`` live."""
        return f"http://{self.spec.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self._popen.pid if self._popen is not None else None

    def running(self) -> bool:
        """Whether the process was started and has not exited."""
        return self._popen is not None and self._popen.poll() is None

    def exit_code(self) -> int | None:
        """The exit status once the process has ended, else None."""
        return None if self._popen is None else self._popen.poll()

    def start(self) -> None:
        """Start the process (output appended to ``log_path``); returns at once."""
        if self.running():
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._close_log()
        self._log = self.log_path.open("ab")
        try:
            self._popen = subprocess.Popen(
                command_line(self.spec, self.port, threads=self.threads),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                # Its own process group: a Ctrl+C in the terminal reaches the supervisor,
                # which then stops every replica in order.
                start_new_session=True,
            )
        except OSError as exc:
            self._close_log()
            raise LlamaServerError(
                replica=self.name, problem=f"cannot run {self.spec.binary} ({exc.strerror or exc})"
            ) from exc

    def wait_ready(self, timeout: float = 120.0, *, poll: float = 0.2) -> None:
        """Block until ``/health`` answers 200 (the model is loaded).

        Raises:
            LlamaServerError: The process exited, or was not ready within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                code = self.exit_code()
                if code is not None:
                    raise self._failure(f"exited with status {code} while starting")
                try:
                    if client.get(f"{self.root_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    self.stop()
                    raise self._failure(f"not ready after {timeout:.0f} s")
                time.sleep(poll)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the process: SIGTERM, then SIGKILL after ``timeout`` seconds.

        Returns:
            The exit status, or None if it was never started.
        """
        popen = self._popen
        if popen is None:
            return None
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)
            try:
                popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
        self._close_log()
        return popen.returncode

    def log_tail(self) -> str:
        """The end of the process's output, for error messages."""
        try:
            data = self.log_path.read_bytes()[-_LOG_TAIL_CHARS:]
        except OSError:
            return ""
        return data.decode("utf-8", "replace").strip()

    def _failure(self, problem: str) -> LlamaServerError:
        tail = self.log_tail().splitlines()[-3:]
        detail = f"{problem}; last output: {' | '.join(tail)}" if tail else problem
        return LlamaServerError(replica=self.name, problem=detail, log=str(self.log_path))

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
