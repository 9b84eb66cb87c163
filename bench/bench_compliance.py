"""Compliance throughput, measured against baselines in the same run.

* Input/output screening of 2 KB texts with a 20-rule pack, in checks per second,
  against a baseline of one bare regex scan for 13-19 digit runs over the same
  texts (the cheapest thing that could claim to look for card numbers).
* Audit appends per second with fsync, against plain unsynced appends of the
  same canonical records.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEXT_BYTES = 2048
N_TEXTS = 200
APPENDS = 300

_R = r"\b"
# (stages, kind, action, params): a 20-rule pack spanning every kind.
PACK: list[tuple[list[str], str, str, dict[str, object]]] = [
    (["input", "output"], "pii", "redact",
     {"entities": ["card_pan", "iban", "cn_resident_id", "vin", "email", "phone"]}),
    (["output"], "phrase", "block",
     {"phrases": ["guaranteed", "risk-free", "保本", "保收益"], "unless": ["hypothetical"]}),
    (["output"], "phrase", "block", {"patterns": [_R + r"will\s+(?:earn|yield)\s+\d+\s*%"]}),
    (["output"], "phrase", "block",
     {"phrases": ["suspicious activity report", "SAR was filed", "we are monitoring"]}),
    (["output"], "phrase", "flag", {"phrases": ["safe to continue", "bypass the protection"]}),
    (["output"], "phrase", "flag", {"phrases": ["no defect", "safe to drive"]}),
    (["input"], "phrase", "block", {"phrases": ["deposit cash unreported", "avoid the CTR"]}),
    (["input"], "injection", "flag", {}),
    (["output"], "disclaimer", "append_disclaimer",
     {"topics": ["structuring alert"], "text": "Routed to the BSA officer."}),
    (["output"], "disclaimer", "append_disclaimer",
     {"topics": ["switching", "field work"], "text": "Hold a job briefing first."}),
    (["output"], "disclaimer", "append_disclaimer", {"topics": ["ASIL"], "text": "Preliminary."}),
    (["output"], "list_limit", "block", {"topics": ["declined"], "max_items": 4}),
    (["output"], "pii", "redact",
     {"entities": [], "custom": [{"name": "ipv4", "pattern": _R + r"\d{1,3}(?:\.\d{1,3}){3}\b"}]}),
    (["output"], "pii", "redact",
     {"entities": [], "custom": [{"name": "rtu", "pattern": _R + r"RTU[-_ ]?\d{1,5}\b"}]}),
    (["input", "output"], "phrase", "flag", {"phrases": ["password", "api key", "密码"]}),
    (["output"], "phrase", "flag", {"patterns": [_R + r"clear\s+(?:the\s+)?airbag\s+light"]}),
    (["tool_call"], "tool_permission", "block", {"allow": {"officer": ["*"]}}),
    (["tool_call"], "approval", "require_approval", {"tools": ["set_limit"], "when": "limit > 5"}),
    (["tool_call"], "bounds", "block", {"tools": ["set_limit"], "args": {"limit": {"min": 0}}}),
    (["retrieval", "tool_call"], "injection", "flag", {}),
]  # fmt: skip


def _pack() -> dict[str, object]:
    return {
        "rules": [
            {"id": f"R{i:02d}", "title": kind, "regulation": "bench", "stages": stages,
             "kind": kind, "action": action, "params": params, "severity": "medium"}
            for i, (stages, kind, action, params) in enumerate(PACK, start=1)
        ]
    }  # fmt: skip


WORDS = (  # noqa: SIM905
    "the customer asked about the loan payment schedule and the annual rate of interest "
    "on a thirty year mortgage with monthly payments order 2024-000123 on 2026-11-26 at 09:30 "
    "total 1,234,567.89 reference 20261126093015 调整 额度 申请 已 受理 ticket 4471"
).split()


def _texts(rng: random.Random) -> list[str]:
    texts = []
    for i in range(N_TEXTS):
        words: list[str] = []
        while len(" ".join(words)) < TEXT_BYTES:
            words.append(rng.choice(WORDS))
            if rng.random() < 0.01:
                words.append(["4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32",
                              "jane.doe@example.com", "+1 415 555 2671"][i % 4])  # fmt: skip
        texts.append(" ".join(words)[:TEXT_BYTES])
    return texts


def _rate(fn: object, items: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    """Print checks/s and appends/s with their baselines and ratios."""
    sys.path.insert(0, str(REPO))
    from toolkit.compliance import AuditLog, ComplianceEngine, RuleSet, canonical_json

    rules = RuleSet.from_dict(_pack())
    assert len(rules) == 20
    engine = ComplianceEngine(rules, role="agent")
    texts = _texts(random.Random(7))
    naive = re.compile(r"\d(?:[ -]?\d){12,18}")

    base = _rate(lambda t: naive.findall(t), texts)
    inp = _rate(engine.check_input, texts)
    out = _rate(engine.check_output, texts)
    print(f"screening 2 KB texts, {len(rules)}-rule pack ({N_TEXTS} texts, best of 3)")
    print(f"  baseline bare digit-run regex : {base:10.0f} texts/s")
    print(
        f"  check_input                   : {inp:10.0f} checks/s  ({base / inp:.1f}x baseline cost)"
    )
    print(
        f"  check_output                  : {out:10.0f} checks/s  ({base / out:.1f}x baseline cost)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        log = AuditLog(Path(tmp) / "audit.jsonl")
        event = {"type": "decision", "stage": "output", "action": "redact", "rules": ["F-C1"]}
        start = time.perf_counter()
        for _ in range(APPENDS):
            log.append(event)
        chained = APPENDS / (time.perf_counter() - start)
        plain_path = Path(tmp) / "plain.jsonl"
        start = time.perf_counter()
        with plain_path.open("a", encoding="utf-8") as fh:
            for i in range(APPENDS):
                fh.write(canonical_json({"seq": i, "event": event}) + "\n")
                fh.flush()
        plain = APPENDS / (time.perf_counter() - start)
        start = time.perf_counter()
        fd = os.open(Path(tmp) / "synced.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        for i in range(APPENDS):
            os.write(fd, (canonical_json({"seq": i, "event": event}) + "\n").encode())
            os.fsync(fd)
        os.close(fd)
        synced = APPENDS / (time.perf_counter() - start)
        verify_start = time.perf_counter()
        assert AuditLog.verify(Path(tmp) / "audit.jsonl").ok
        verify_rate = APPENDS / (time.perf_counter() - verify_start)
    print(f"audit log ({APPENDS} appends)")
    print(f"  baseline plain append, no fsync : {plain:10.0f} appends/s")
    print(f"  baseline append + fsync         : {synced:10.0f} appends/s")
    print(f"  AuditLog.append (lock+chain+fsync): {chained:8.0f} appends/s"
          f"  ({chained / synced:.2f}x fsync baseline)")  # fmt: skip
    print(f"  AuditLog.verify                 : {verify_rate:10.0f} records/s")


if __name__ == "__main__":
    main()
