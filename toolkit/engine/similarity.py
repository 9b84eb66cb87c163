"""Bag-of-terms similarity for picking tools, in English and Chinese.

Terms are lower-cased English words (snake_case and camelCase split, a light plural
stemmer, stop words dropped) and Chinese character bigrams. A small glossary adds the
English term for common Chinese domain words, so a Chinese request can match an English
tool description. Scores are TF-IDF cosines with IDF over the request's own tools.
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
_GLOSSARY_TEXT = """
贷款 loan
借款 loan
按揭 mortgage
房贷 mortgage loan
月供 monthly payment
每月 monthly
还款 payment repayment
利率 rate interest
年利率 annual rate
利息 interest
本金 principal
期限 term
收入 income
债务 debt
负债 debt
负债收入比 dti debt income ratio
资本 capital
违约 default
概率 probability
敞口 exposure
风险 risk
权重 weight
企业 corporate
公司 corporate
零售 retail
住房 mortgage
信用卡 card revolving
账户 account
账号 account
卡号 card number
银行卡 card
校验 validate check
验证 validate verify
交易 transaction
存款 deposit
现金 cash
拆分 structuring split
申报 report
审批 approval
人工 human
批准 approve
阶段 stage
逾期 past due days
减值 impaired impairment
计算 calculate
摊销 amortization
变压器 transformer
负荷 load
发电 generation dispatch
调度 dispatch
电网 grid
温度 temperature
油中 oil
气体 gas
溶解 dissolved
故障 fault
功率 power
电压 voltage
电流 current
安全 safety
等级 level
严重 severity
暴露 exposure
可控 controllability
现有 existing
已有 existing
新增 new
最大 max
上限 max limit
额度 limit credit
提高 raise increase
客户 customer
存入 deposit
收益 return yield
基金 fund
回报 return
材料 documents
文件 documents
质量 quality
控制 control
限值 limit
控制限 control limit
缺陷 defect
生产 production
设备 equipment
维护 maintenance
效率 efficiency
能耗 energy consumption
电池 battery
车辆 vehicle
汽车 vehicle car
召回 recall
里程 mileage
成本 cost
价格 price
总价 total price
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
