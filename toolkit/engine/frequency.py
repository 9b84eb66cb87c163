"""How often something happens, as general language knowledge.

"quarterly", "twice daily", "three times a week", "every 8 hours", 按季, 每月, 每天两次 ...
become a count per period, then a count per the period a property asks for
(``visits_per_year``: quarterly -> 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Frequency", "find_frequencies", "per_period"]

# Occurrences per year of each period (calendar, not seconds: 12 months, 52 weeks).
_PER_YEAR = {
    "years": 1.0, "halfyears": 2.0, "quarters": 4.0, "months": 12.0, "weeks": 52.0,
    "fortnights": 26.0, "days": 365.0, "hours": 8760.0, "minutes": 525_600.0,
}  # fmt: skip
_ADVERBS = {
    "annually": (1, "years"), "yearly": (1, "years"), "per annum": (1, "years"),
    "once a year": (1, "years"), "every year": (1, "years"),
    "semi-annually": (1, "halfyears"), "semiannually": (1, "halfyears"),
    "semi annually": (1, "halfyears"), "half-yearly": (1, "halfyears"),
    "biannually": (1, "halfyears"), "twice a year": (2, "years"),
    "every six months": (1, "halfyears"), "quarterly": (1, "quarters"),
    "every quarter": (1, "quarters"), "every three months": (1, "quarters"),
    "monthly": (1, "months"), "every month": (1, "months"), "once a month": (1, "months"),
    "weekly": (1, "weeks"), "every week": (1, "weeks"), "once a week": (1, "weeks"),
    "fortnightly": (1, "fortnights"), "biweekly": (1, "fortnights"),
    "every two weeks": (1, "fortnights"), "daily": (1, "days"), "every day": (1, "days"),
    "once a day": (1, "days"), "twice daily": (2, "days"), "twice a day": (2, "days"),
    "thrice daily": (3, "days"), "hourly": (1, "hours"), "every hour": (1, "hours"),
    "按年": (1, "years"), "每年": (1, "years"), "一年一次": (1, "years"),
    "每半年": (1, "halfyears"), "半年": (1, "halfyears"), "按季度": (1, "quarters"),
    "按季": (1, "quarters"), "每季度": (1, "quarters"), "每季": (1, "quarters"),
    "季度": (1, "quarters"), "按月": (1, "months"), "每月": (1, "months"),
    "每个月": (1, "months"), "按周": (1, "weeks"), "每周": (1, "weeks"),
    "按日": (1, "days"), "每日": (1, "days"), "每天": (1, "days"), "按天": (1, "days"),
    "每小时": (1, "hours"),
}  # fmt: skip
_PERIOD_WORDS = {
    "year": "years", "month": "months", "quarter": "quarters", "week": "weeks",
    "day": "days", "hour": "hours", "minute": "minutes", "年": "years", "月": "months",
    "季度": "quarters", "周": "weeks", "天": "days", "日": "days", "小时": "hours",
}  # fmt: skip
_TIMES = re.compile(
    r"\b(?:(?P<n>\d+)\s*times|(?P<word>once|twice|thrice))\s+(?:a|an|per|each|every)\s+"
    r"(?P<period>year|month|quarter|week|day|hour)\b"
    r"|(?P<zh_period>每|一)(?P<zh_unit>年|月|季度|周|天|日|小时)(?P<zh_n>\d+)次",
    re.IGNORECASE,
)
_EVERY = re.compile(
    r"\bevery\s+(?P<n>\d+(?:\.\d+)?)\s*(?P<period>year|month|quarter|week|day|hour|minute)s?\b"
    r"|每(?:隔)?(?P<zh_n>\d+)\s*(?:个)?(?P<zh_period>年|月|季度|周|天|日|小时|分钟)",
    re.IGNORECASE,
)
_ADVERB = re.compile(
    r"(?<![a-z-])(?:"
    + "|".join(re.escape(k) for k in sorted(_ADVERBS, key=len, reverse=True))
    + r")(?![a-z])",
    re.IGNORECASE,
)
_ONCE = {"once": 1, "twice": 2, "thrice": 3}


@dataclass(frozen=True)
class Frequency:
    """``count`` events every ``every`` ``period``s, found at ``start:end`` in the text."""

    count: float
    period: str
    start: int
    end: int
    every: float = 1.0


def find_frequencies(text: str) -> list[Frequency]:
    """Frequency phrases in normalized text, in order of appearance (longest first wins)."""
    found: list[Frequency] = []
    taken: list[tuple[int, int]] = []

    def add(item: Frequency) -> None:
        if not any(item.start < end and start < item.end for start, end in taken):
            found.append(item)
            taken.append((item.start, item.end))

    for match in _TIMES.finditer(text):
        if match.group("zh_unit"):
            period = _PERIOD_WORDS[match.group("zh_unit")]
            add(Frequency(float(match.group("zh_n")), period, match.start(), match.end()))
            continue
        count = float(match.group("n")) if match.group("n") else _ONCE[match.group("word").lower()]
        period = _PERIOD_WORDS[match.group("period").lower()]
        add(Frequency(count, period, match.start(), match.end()))
    for match in _EVERY.finditer(text):
        number = match.group("n") or match.group("zh_n")
        word = (match.group("period") or match.group("zh_period")).lower()
        period = _PERIOD_WORDS.get(word, "minutes" if word == "分钟" else word)
        add(Frequency(1.0, period, match.start(), match.end(), every=float(number)))
    for match in _ADVERB.finditer(text):
        count, period = _ADVERBS[match.group(0).lower()]
        add(Frequency(float(count), period, match.start(), match.end()))
    return sorted(found, key=lambda item: item.start)


def per_period(frequency: Frequency, period: str) -> float | None:
    """How many events fall in one `period` (``years``, ``days``, ...), or None."""
    source = _PER_YEAR.get(frequency.period)
    target = _PER_YEAR.get(period)
    if source is None or target is None or frequency.every <= 0:
        return None
    return frequency.count * source / frequency.every / target
