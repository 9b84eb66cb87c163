from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toolkit.update.merge import MergeInput, is_binary, merge_many
from toolkit.update.survival import customer_lines, lost_lines

_LINES = st.lists(st.sampled_from(["a", "b", "c", "d", "", "x = 1", "  indented"]), max_size=12)


@st.composite
def _edited(draw: st.DrawFn, base: list[str]) -> list[str]:
    lines = list(base)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        new = draw(st.sampled_from(["a", "NEW", "e", "x = 2", ""]))
        if kind == "insert":
            lines.insert(at, new)
        elif lines:
            at = min(at, len(lines) - 1)
            if kind == "delete":
                del lines[at]
            else:
                lines[at] = new
    return lines


def _text(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


@given(st.data())
def test_no_line_the_customer_added_is_ever_lost(data: st.DataObject) -> None:
    base = data.draw(_LINES)
    ours, theirs = data.draw(_edited(base)), data.draw(_edited(base))
    b, o, t = _text(base), _text(ours), _text(theirs)
    result = merge_many({"f": MergeInput(b, o, t)})["f"]
    assert lost_lines(b, o, result.content) == []
    if o == b:
        assert result.content == t and result.conflicts == 0
    if t == b:
        assert result.content == o and result.conflicts == 0


def test_changes_far_apart_merge_cleanly() -> None:
    base = b"1\n2\n3\n4\n5\n6\n"
    result = merge_many(
        {"f": MergeInput(base, b"1\nours\n3\n4\n5\n6\n", b"1\n2\n3\n4\n5\ntheirs\n")}
    )
    assert result["f"].content == b"1\nours\n3\n4\n5\ntheirs\n" and result["f"].conflicts == 0


def test_a_conflict_shows_yours_base_and_the_template_s() -> None:
    result = merge_many(
        {"f": MergeInput(b"a\nb\nc\n", b"a\nmine\nc\n", b"a\nnew\nc\n")},
        base_label="base (template 1.0)",
        theirs_label="template 2.0",
    )["f"]
    assert result.conflicts == 1
    assert result.content == (
        b"a\n<<<<<<< yours\nmine\n||||||| base (template 1.0)\nb\n=======\nnew\n"
        b">>>>>>> template 2.0\nc\n"
    )


def test_both_added_without_a_base_conflicts_whole() -> None:
    result = merge_many({"f": MergeInput(None, b"mine\n", b"theirs\n")})["f"]
    assert result.conflicts == 1 and b"mine" in result.content and b"theirs" in result.content


def test_many_files_merge_in_one_pass() -> None:
    inputs = {
        f"file{i}": MergeInput(b"x\ny\nz\n", f"x{i}\ny\nz\n".encode(), b"x\ny\nz2\n")
        for i in range(50)
    }
    results = merge_many(inputs)
    assert all(results[f"file{i}"].content == f"x{i}\ny\nz2\n".encode() for i in range(50))


def test_binary_detection() -> None:
    assert is_binary(b"\x89PNG\x00\x01")
    assert is_binary("é".encode("latin-1"))
    assert not is_binary("配置 = 1\n".encode())


def test_customer_lines_are_the_inserted_and_replaced_ones() -> None:
    assert customer_lines(b"a\nb\n", b"a\nB\nc\n") == {b"B": 1, b"c": 1}
    assert lost_lines(b"a\n", b"a\nmine\n", b"a\n") == ["mine"]
