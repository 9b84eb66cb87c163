"""Several `llama-server` processes on 127.0.0.1 ports: start together, supervise, stop cleanly."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.errors import LlamaServerError, ServerStartError
from toolkit.llamacpp.process import LlamaServerProcess, LlamaServerSpec

__all__ = ["LlamaReplicas", "free_port"]

logger = logging.getLogger("toolkit.llamacpp")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port the OS reports free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _check_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServerStartError(host=host, port=port, problem=exc.strerror or str(exc)) from exc


class LlamaReplicas:
    """One or several `llama-server` processes serving the same model.

    Use as a context manager: entering starts every replica and waits until each has
    loaded the model; leaving stops them all, whatever happened in between.

    Args:
        spec: How to run each process.
        replicas: How many processes.
        base_port: First port (replica i gets ``base_port + i``); None picks free ports.
        log_dir: Folder for each replica's output (None: a new temporary folder).
        ready_timeout: Seconds each replica may take to load the model.
        max_restarts: Restarts allowed per replica while supervised before giving up.
    """

    def __init__(
        self,
        spec: LlamaServerSpec,
        *,
        replicas: int = 1,
        base_port: int | None = None,
        log_dir: str | Path | None = None,
        ready_timeout: float = 120.0,
        max_restarts: int = 3,
    ) -> None:
        if replicas < 1:
            raise ValueError("replicas must be at least 1")
        self.spec = spec
        self.count = replicas
        self.base_port = base_port
        self.ready_timeout = ready_timeout
        self.max_restarts = max_restarts
        self.log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="toolkit-llama-"))
        self.processes: list[LlamaServerProcess] = []
        self.restarts: list[int] = []

    @property
    def base_urls(self) -> list[str]:
        """Each replica's OpenAI-compatible base URL, in replica order."""
        return [process.base_url for process in self.processes]

    def _threads(self) -> int:
        if self.spec.threads is not None:
            return self.spec.threads
        return max(1, (os.cpu_count() or 1) // self.count)

    def start(self) -> list[str]:
        """Start every replica and wait until each is ready.

        Returns:
            The base URLs.

        Raises:
            ServerStartError: A chosen port is taken.
            LlamaServerError: A replica did not start (all are stopped again).
        """
        if self.processes:
            return self.base_urls
        host = self.spec.host
        if self.base_port is not None:
            ports = [self.base_port + i for i in range(self.count)]
            for port in ports:
                _check_free(host, port)
        else:
            ports = []
            while len(ports) < self.count:
                port = free_port(host)
                if port not in ports:
                    ports.append(port)
        threads = self._threads()
        self.processes = [
            LlamaServerProcess(
                self.spec,
                port,
                name=f"replica {i + 1} (port {port})",
                log_path=self.log_dir / f"replica-{i + 1}.log",
                threads=threads,
            )
            for i, port in enumerate(ports)
        ]
        self.restarts = [0] * self.count
        try:
            # All load their model at once; waiting in turn then costs one load, not N.
            for process in self.processes:
                process.start()
            for process in self.processes:
                process.wait_ready(self.ready_timeout)
        except BaseException:
            self.stop()
            raise
        return self.base_urls

    def stop(self) -> None:
        """Stop every replica (SIGTERM, then SIGKILL for one that does not exit)."""
        for process in self.processes:
            process.stop()

    def check(self) -> list[str]:
        """One supervision pass: restart each replica that exited.

        Returns:
            A message per restart.

        Raises:
            LlamaServerError: A replica exited more than ``max_restarts`` times, or its
                restart did not become ready (every replica is stopped first).
        """
        events: list[str] = []
        for index, process in enumerate(self.processes):
            code = process.exit_code()
            if code is None:
                continue
            if self.restarts[index] >= self.max_restarts:
                self.stop()
                raise LlamaServerError(
                    replica=process.name,
                    problem=f"exited with status {code} after {self.max_restarts} restarts",
                    log=str(process.log_path),
                )
            self.restarts[index] += 1
            logger.warning("%s exited with status %s; restarting", process.name, code)
            process.start()
            try:
                process.wait_ready(self.ready_timeout)
            except LlamaServerError:
                self.stop()
                raise
            events.append(f"{process.name} exited with status {code}; restarted")
        return events

    def supervise(
        self,
        *,
        stop: threading.Event | None = None,
        poll: float = 0.5,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        """Restart replicas that exit, until ``stop`` is set (or KeyboardInterrupt).

        Args:
            stop: Set it from another thread or a signal handler to return.
            poll: Seconds between checks.
            on_event: Called with each restart message.
        """
        stop = stop or threading.Event()
        while not stop.is_set():
            for message in self.check():
                if on_event is not None:
                    on_event(message)
            stop.wait(poll)

    def __enter__(self) -> LlamaReplicas:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_all_stopped(self, timeout: float = 10.0) -> bool:
        """Whether every replica has exited within ``timeout`` seconds (after `stop`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(process.running() for process in self.processes):
                return True
            time.sleep(0.05)
        return not any(process.running() for process in self.processes)
