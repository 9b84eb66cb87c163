import json
import struct
from pathlib import Path

import numpy as np
import pytest

from toolkit.retrieval.bert_onnx import BertShape, read_safetensors


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blob = b""
    codes = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {
            "dtype": codes[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [len(blob), len(blob) + len(data)],
        }
        blob += data
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + blob)


def test_read_safetensors_round_trips(tmp_path: Path) -> None:
    tensors: dict[str, np.ndarray] = {
        "w": np.arange(6, dtype=np.float32).reshape(2, 3),
        "ids": np.array([[7, 8]], dtype=np.int64),
    }
    _write_safetensors(tmp_path / "m.safetensors", tensors)
    read = read_safetensors(tmp_path / "m.safetensors")
    assert set(read) == {"w", "ids"}
    for name, array in tensors.items():
        assert read[name].dtype == array.dtype
        assert np.array_equal(read[name], array)


def test_unsupported_dtype_is_named(tmp_path: Path) -> None:
    header = {"x": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}
    encoded = json.dumps(header).encode()
    (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"\0\0")
    with pytest.raises(ValueError, match=r"'x'.*BF16"):
        read_safetensors(tmp_path / "m.safetensors")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {
                "hidden_size": 384,
                "num_attention_heads": 12,
                "num_hidden_layers": 6,
                "intermediate_size": 1536,
            },
            BertShape(384, 12, 6, 1536, 1e-12),
        ),
        (
            {
                "hidden_size": 768,
                "num_attention_heads": 12,
                "num_hidden_layers": 12,
                "intermediate_size": 3072,
                "layer_norm_eps": 1e-5,
            },
            BertShape(768, 12, 12, 3072, 1e-5),
        ),
    ],
)
def test_shape_from_config(config: dict[str, object], expected: BertShape) -> None:
    assert BertShape.from_config(config) == expected


def test_other_activations_are_refused() -> None:
    with pytest.raises(ValueError, match="relu"):
        BertShape.from_config(
            {
                "hidden_size": 8,
                "num_attention_heads": 2,
                "num_hidden_layers": 1,
                "intermediate_size": 16,
                "hidden_act": "relu",
            }
        )
