"""Limits of every YAML file the toolkit reads: a bomb ends in a clean error naming the file."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.compliance import RuleSet
from toolkit.config import ProjectConfig
from toolkit.errors import ConfigError
from toolkit.evals import EvalSuite
from toolkit.evals.rules import load_rules
from toolkit.retrieval.chunking import parse_front_matter
from toolkit.scaffold import read_answers_file
from toolkit.tokens.pricing import PriceTable
from toolkit.yamlfile import MAX_ALIAS_NODES, MAX_DEPTH, parse_yaml, read_yaml

REPO = Path(__file__).resolve().parent.parent


def _bomb(levels: int) -> str:
    """The classic billion-laughs document: each level repeats the previous one 9 times."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# 9**6 = 531,441 nodes from 376 bytes: walkable before the fix (so the test fails, not hangs),
# far past the limit after it. The 361-byte bomb has 9 levels.
BOMB = _bomb(6)
RECURSIVE = "a: &a [x, *a]\n"
DEEP = "a: " + "[" * 50_000 + "]" * 50_000 + "\n"
ATTACKS = {"alias bomb": BOMB, "recursive alias": RECURSIVE, "deep nesting": DEEP}
EXPECTED = {"alias bomb": "alias", "recursive alias": "refers to itself", "deep nesting": "deeper"}


def test_limits_are_what_the_docs_say() -> None:
    assert MAX_DEPTH == 64
    assert MAX_ALIAS_NODES == 10_000


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_parse_yaml_refuses_each_attack(attack: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_yaml(ATTACKS[attack], source="evil.yaml")
    assert "evil.yaml" in str(info.value)
    assert EXPECTED[attack] in str(info.value)


def test_aliases_that_share_content_are_fine() -> None:
    text = "base: &b {retries: 3, timeout: 5}\n" + "".join(f"e{i}: *b\n" for i in range(200))
    doc = parse_yaml(text, source="ok.yaml")
    assert doc.data["e199"] == {"retries": 3, "timeout": 5}


def test_nesting_just_under_the_limit_is_fine() -> None:
    text = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    assert parse_yaml(text, source="deep.yaml").data is not None


def test_aliases_cannot_stack_nesting_past_the_limit() -> None:
    half = "[" * 40 + "1" + "]" * 40
    text = f"a: &a {half}\nb: {'[' * 30}*a{']' * 30}\n"
    with pytest.raises(ConfigError, match="once its aliases are expanded"):
        parse_yaml(text, source="stack.yaml")


def _toolkit_yaml(tmp: Path, text: str) -> Any:
    (tmp / "toolkit.yaml").write_text(text, encoding="utf-8")
    return ProjectConfig.load(tmp)


def _answers(tmp: Path, text: str) -> Any:
    (tmp / "answers.yaml").write_text(text, encoding="utf-8")
    return read_answers_file(tmp / "answers.yaml")


def _cases(tmp: Path, text: str) -> Any:
    (tmp / "cases.yaml").write_text(text, encoding="utf-8")
    return EvalSuite.load(tmp / "cases.yaml")


def _rules(tmp: Path, text: str) -> Any:
    (tmp / "rules.yaml").write_text(text, encoding="utf-8")
    return RuleSet.load(tmp / "rules.yaml")


def _eval_rules(tmp: Path, text: str) -> Any:
    (tmp / "rules.yaml").write_text(text, encoding="utf-8")
    return load_rules(tmp / "rules.yaml")


def _prices(tmp: Path, text: str) -> Any:
    (tmp / "prices.yaml").write_text(text, encoding="utf-8")
    return PriceTable.from_file(tmp / "prices.yaml")


READERS: dict[str, tuple[str, Callable[[Path, str], Any]]] = {
    "toolkit.yaml": ("toolkit.yaml", _toolkit_yaml),
    "answers file": ("answers.yaml", _answers),
    "evals/cases.yaml": ("cases.yaml", _cases),
    "compliance/rules.yaml": ("rules.yaml", _rules),
    "rules for evals": ("rules.yaml", _eval_rules),
    "price table": ("prices.yaml", _prices),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_refuses_each_attack_naming_the_file(
    reader: str, attack: str, tmp_path: Path
) -> None:
    name, read = READERS[reader]
    with pytest.raises(ConfigError) as info:
        read(tmp_path, ATTACKS[attack])
    assert name in str(info.value)
    assert EXPECTED[attack] in str(info.value)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_knowledge_front_matter_attack_marks_the_document_untrusted(attack: str) -> None:
    text = "---\n" + ATTACKS[attack] + "---\n# Title\n\nBody.\n"
    front, body, warnings = parse_front_matter(text, source="knowledge/evil.md")
    assert front.trust == "untrusted"
    assert body.startswith("# Title")
    assert len(warnings) == 1 and "knowledge/evil.md" in warnings[0]
    assert EXPECTED[attack] in warnings[0]


def test_read_yaml_stops_reading_an_endless_file() -> None:
    with pytest.raises(ConfigError, match="larger than"):
        read_yaml(Path("/dev/zero"))


def _limit_memory() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


@pytest.mark.parametrize("answers", ["/dev/zero", "bomb"])
def test_new_with_hostile_answers_file_is_a_clean_error(answers: str, tmp_path: Path) -> None:
    if answers == "bomb":
        (tmp_path / "bomb.yaml").write_text(_bomb(9), encoding="utf-8")
        answers = str(tmp_path / "bomb.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "new", "finance", "--no-input", "-o", str(tmp_path),
         "--answers-file", answers],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert answers in result.stderr.replace("\n", "")
