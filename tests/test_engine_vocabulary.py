"""The engine knows no industry: no pack's words in `toolkit/engine/` (STYLE.md 17).

The guard reads each pack's vocabulary from the pack itself (its tool names, and its
parameter and result field names made of several words) and adds the domain terms of
DOMAINS.md that a glossary or a comment would most likely leak.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1] / "toolkit" / "engine"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

DOMAIN_TERMS = [
    # finance
    "loan", "mortgage", "credit", "iban", "dti", "pti", "ltv", "lgd", "amortization",
    "amortizing", "ifrs", "basel", "irb", "structuring", "bsa", "aml", "debt", "贷款", "月供",
    "违约", "按揭", "信用卡", "负债",
    # energy, automotive, manufacturing (issues 12-14)
    "transformer", "dga", "dispatch", "asil", "aql", "recall", "变压器", "调度", "召回",
]  # fmt: skip
_DEF = re.compile(r"^def ([a-z_][a-z0-9_]*)\(", re.MULTILINE)
_FIELD = re.compile(r"^\s+([a-z][a-z0-9]*_[a-z0-9_]+):", re.MULTILINE)


def _pack_words() -> set[str]:
    words: set[str] = set()
    for tools in TEMPLATES.glob("*/*/src/*/tools.py"):
        text = tools.read_text(encoding="utf-8")
        words.update(name for name in _DEF.findall(text) if not name.startswith("_"))
        words.update(_FIELD.findall(text))
    return words


def _engine_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(ENGINE.glob("*.py")))


def test_the_packs_have_vocabulary_to_guard() -> None:
    assert {"loan_amortization", "gross_monthly_income"} <= _pack_words()


@pytest.mark.parametrize("word", sorted(_pack_words() | set(DOMAIN_TERMS)))
def test_no_pack_word_in_the_engine(word: str) -> None:
    pattern = (
        re.escape(word) if not word.isascii() else rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])"
    )
    found = re.search(pattern, _engine_text(), re.IGNORECASE)
    assert found is None, f"toolkit/engine names the pack word {word!r}: move it to the pack"
