"""Bag-of-terms similarity for picking tools, in English and Chinese.

Terms are lower-cased English words (snake_case and camelCase split, a light plural
stemmer, stop words dropped) and Chinese character bigrams. A small glossary of general
words (asking, computing, quantity names) adds their English term, so a Chinese request
can match an English tool description; domain words come only from the tools' own texts.
Scores are TF-IDF cosines with IDF over the request's own tools.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["TermIndex", "terms"]

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "how",
        "much",
        "many",
        "me",
        "my",
        "i",
        "you",
        "your",
        "we",
        "our",
        "can",
        "could",
        "would",
        "should",
        "do",
        "does",
        "did",
        "please",
        "tell",
        "show",
        "give",
        "get",
        "from",
        "as",
        "into",
        "over",
        "under",
        "per",
        "each",
        "any",
        "all",
        "some",
        "than",
        "then",
        "there",
        "their",
        "if",
        "when",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "not",
        "no",
        "yes",
        "am",
        "has",
        "have",
        "had",
        "out",
        "up",
        "about",
        "what's",
        "whats",
        "is",
        "it",
    ]
)
# General Chinese words any bilingual model knows: verbs of asking and computing, quantity
# names of SI units, money and time. Domain terms (a pack's tools, parameters, jargon) are
# never listed here: a pack teaches them through its own tool and parameter descriptions.
_GLOSSARY_TEXT = """
计算 calculate
算一下 calculate
是否 whether
检查 check
校验 validate check
验证 validate verify
核对 check verify
判断 determine
确定 determine
评估 assess
分析 analyze
预测 forecast predict
列出 list
查询 look up
最大 max maximum
最小 min minimum
上限 max limit
下限 min limit
现有 existing
已有 existing
新增 new
总计 total
合计 total
总价 total price
成本 cost
价格 price
费用 cost fee
金额 amount
数量 quantity count
比例 ratio share
比率 ratio
百分比 percent
平均 average mean
每月 monthly
每年 annual yearly
每天 daily
每小时 hourly
时间 time
日期 date
温度 temperature
功率 power
电压 voltage
电流 current
速度 speed
距离 distance
重量 weight
面积 area
体积 volume
压力 pressure
频率 frequency
"""
_GLOSSARY = {
    line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in _GLOSSARY_TEXT.strip().splitlines()
}
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CJK = re.compile(r"[\u3400-\u9fff]+")


_IRREGULAR = {"monthly": "month", "yearly": "year", "annually": "annual", "daily": "day"}


def _stem(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The text's terms in order of position (duplicates kept; glossary terms in place)."""
    spaced = _CAMEL.sub(" ", text).replace("_", " ").lower()
    positioned: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(spaced):
        word = match.group(0)
        if word not in _STOP and not word.replace(".", "").isdigit():
            positioned.append((match.start(), 0, _stem(word)))
    for match in _CJK.finditer(text):
        run, base = match.group(0), match.start()
        if len(run) == 1:
            positioned.append((base, 0, run))
        positioned.extend((base + i, 0, run[i : i + 2]) for i in range(len(run) - 1))
        for chinese, english in _GLOSSARY.items():
            at = run.find(chinese)
            while at >= 0:
                positioned.extend(
                    (base + at, 1 + k, _stem(word)) for k, word in enumerate(english.split())
                )
                at = run.find(chinese, at + 1)
    positioned.sort()
    return [term for _, _, term in positioned]


class TermIndex:
    """TF-IDF vectors over a small set of documents (a request's tools)."""

    def __init__(self, documents: Sequence[Iterable[str]]) -> None:
        counts = [Counter(doc) for doc in documents]
        document_frequency: Counter[str] = Counter()
        for count in counts:
            document_frequency.update(count.keys())
        total = len(counts)
        self._idf = {
            term: math.log((total + 1) / (df + 0.5)) + 1.0
            for term, df in sorted(document_frequency.items())
        }
        self._default_idf = math.log((total + 1) / 0.5) + 1.0

    def idf(self, term: str) -> float:
        """The term's inverse document frequency (the highest for a term no document has)."""
        return self._idf.get(term, self._default_idf)

    def vector(self, words: Iterable[str]) -> dict[str, float]:
        """Sub-linear TF times IDF; unknown terms get the highest IDF (they dilute)."""
        count = Counter(words)
        return {
            term: (1.0 + math.log(n)) * self._idf.get(term, self._default_idf)
            for term, n in sorted(count.items())
        }

    @staticmethod
    def cosine(left: dict[str, float], right: dict[str, float]) -> float:
        """Cosine similarity of two sparse vectors (0 when either is empty)."""
        if not left or not right:
            return 0.0
        small, large = (left, right) if len(left) <= len(right) else (right, left)
        dot = sum(value * large.get(term, 0.0) for term, value in sorted(small.items()))
        norm = math.sqrt(sum(v * v for v in left.values())) * math.sqrt(
            sum(v * v for v in right.values())
        )
        return dot / norm if norm else 0.0
