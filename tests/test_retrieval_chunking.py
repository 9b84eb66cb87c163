import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.retrieval.chunking import (
    Chunk,
    FrontMatter,
    chunk_markdown,
    chunk_text,
    parse_front_matter,
    split_text,
)

DOC = """\
# Grid Code

Intro paragraph before any section.

## Frequency

Keep 50 Hz.

### Limits

Between 49.8 and 50.2 Hz.

```
# not a heading, inside a code fence
```

## Voltage

Within 10 percent.
"""


@pytest.mark.parametrize(
    ("text", "front", "body", "warned"),
    [
        ("no front matter\n", FrontMatter(), "no front matter\n", False),
        (
            "---\ntitle: Policy\ntrust: untrusted\ntags: [a, b]\n---\nBody\n",
            FrontMatter("Policy", "untrusted", ("a", "b")),
            "Body\n",
            False,
        ),
        ("---\ntags: a, b\n---\nBody", FrontMatter(None, "trusted", ("a", "b")), "Body", False),
        ("---\ntrust: TRUSTED\n---\n", FrontMatter(None, "trusted", ()), "", False),
        ("---\ntrust: maybe\n---\nBody", FrontMatter(None, "untrusted", ()), "Body", True),
        ("---\ntitle: [unclosed\n---\nBody", FrontMatter(None, "untrusted", ()), "Body", True),
        ("---\n- a list\n---\nBody", FrontMatter(None, "untrusted", ()), "Body", True),
        ("---\ntitle: x\nBody", FrontMatter(None, "untrusted", ()), "---\ntitle: x\nBody", True),
        ("---\ntags: 3\n---\nBody", FrontMatter(None, "trusted", ()), "Body", True),
    ],
)
def test_front_matter(text: str, front: FrontMatter, body: str, warned: bool) -> None:
    got_front, got_body, warnings = parse_front_matter(text, source="kb/doc.md")
    assert (got_front, got_body) == (front, body)
    assert bool(warnings) is warned
    assert all(w.startswith("kb/doc.md: ") for w in warnings)


def test_chunks_follow_headings_and_keep_the_trail() -> None:
    chunks = chunk_markdown("grid.md", DOC, title=None, chunk_size=500, chunk_overlap=50)
    assert [(c.title, c.section) for c in chunks] == [
        ("Grid Code", ""),
        ("Grid Code", "Frequency"),
        ("Grid Code", "Frequency > Limits"),
        ("Grid Code", "Voltage"),
    ]
    assert "# not a heading" in chunks[2].text
    assert [c.index for c in chunks] == [0, 1, 2, 3]


def test_front_matter_title_wins_and_stem_is_the_fallback() -> None:
    titled = chunk_markdown("a.md", DOC, title="Official", chunk_size=500, chunk_overlap=0)
    assert {c.title for c in titled} == {"Official"}
    plain = chunk_markdown(
        "dir/grid-code_v2.md", "## S\n\ntext", title=None, chunk_size=500, chunk_overlap=0
    )
    assert plain[0].title == "grid code v2"
    assert plain[0].section == "S"


def test_plain_text_is_split_by_paragraph() -> None:
    chunks = chunk_text(
        "notes.txt", "one two\n\nthree four\n", title=None, chunk_size=20, chunk_overlap=0
    )
    assert [(c.section, c.text) for c in chunks] == [("", "one two\n\nthree four")]
    assert chunks[0].title == "notes"


def test_ids_are_stable_and_depend_on_path_position_and_content() -> None:
    base = Chunk("a.md", 0, "T", "S", "text")
    assert base.id == Chunk("a.md", 0, "T", "S", "text").id
    assert re.fullmatch(r"[0-9a-f]{32}", base.id)
    variants = [
        Chunk("b.md", 0, "T", "S", "text"),
        Chunk("a.md", 1, "T", "S", "text"),
        Chunk("a.md", 0, "T", "S", "text!"),
        Chunk("a.md", 0, "T", "S2", "text"),
    ]
    assert len({base.id, *(v.id for v in variants)}) == 5


def test_embedding_text_carries_title_and_section() -> None:
    assert Chunk("a.md", 0, "Policy", "Limits", "43 percent").embedding_text == (
        "Policy > Limits\n\n43 percent"
    )


def test_long_sections_overlap() -> None:
    sentences = " ".join(f"Sentence number {i} talks about item {i}." for i in range(30))
    chunks = split_text(sentences, chunk_size=200, chunk_overlap=60)
    assert len(chunks) > 3
    for first, second in itertools.pairwise(chunks):
        assert len(first) <= 200
        # the next chunk starts with words from the end of the previous one
        assert second.split()[0] in first.split()[-12:]


def test_a_word_longer_than_the_bound_is_cut() -> None:
    chunks = split_text("x" * 95, chunk_size=40, chunk_overlap=0)
    assert chunks == ["x" * 40, "x" * 40, "x" * 15]


def test_cjk_sentences_join_without_spaces() -> None:
    text = "贷款利率由报价利率决定。" * 6
    chunks = split_text(text, chunk_size=30, chunk_overlap=0)
    assert all(" " not in c and len(c) <= 30 for c in chunks)
    assert "".join(chunks) == text


@pytest.mark.parametrize(("size", "overlap"), [(10, 0), (100, 100), (100, -1)])
def test_bad_bounds_are_refused(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="chunk_"):
        split_text("text", chunk_size=size, chunk_overlap=overlap)


words = st.text(alphabet="abcdefghij", min_size=1, max_size=30)
paragraphs = st.lists(st.lists(words, min_size=1, max_size=40).map(" ".join), max_size=8)


@settings(max_examples=60, deadline=None)
@given(paragraphs, st.integers(20, 300), st.integers(0, 19))
def test_bound_holds_and_no_word_is_lost(paras: list[str], size: int, overlap: int) -> None:
    text = "\n\n".join(paras)
    chunks = split_text(text, chunk_size=size, chunk_overlap=overlap)
    assert all(0 < len(chunk) <= size for chunk in chunks)
    covered = " ".join(chunks)
    for word in text.split():
        if len(word) <= size:
            assert word in covered


def test_other_scalar_front_matter_keys_ride_along() -> None:
    text = (
        "---\ntitle: T\nregion: cn\nclassification: aml-internal\n"
        "nested: {a: 1}\nBad-Key: x\n---\n# T\nBody.\n"
    )
    front, _body, warnings = parse_front_matter(text, source="doc.md")
    assert dict(front.extra) == {"classification": "aml-internal", "region": "cn"}
    assert warnings == []
