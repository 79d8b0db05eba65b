"""Two versions compared clause by clause (pure functions, no database)."""

from __future__ import annotations

from dataclasses import dataclass

from agreements.compare import Change, changed_fields, compare, counts


@dataclass(frozen=True)
class C:
    key: str
    number: str = ""
    heading: str = ""
    text: str = ""
    points: frozenset[int] = frozenset()


def _points(clause: C) -> frozenset[int]:
    return clause.points


def _kinds(lines: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(line.change.value, line.clause.key) for line in lines]


def test_clauses_are_paired_by_key_not_by_number_or_heading() -> None:
    old = [C("a", "1", "Formål", "<p>x</p>"), C("b", "2", "Innleggelse", "<p>y</p>")]
    new = [C("b", "1", "Innleggelse", "<p>y</p>"), C("a", "2", "Formål", "<p>x</p>")]
    lines = compare(old, new)
    assert _kinds(lines) == [("changed", "b"), ("changed", "a")]
    assert lines[0].fields == ("number",)
    assert lines[0].old is old[1] and lines[0].new is new[0]


def test_added_removed_changed_and_unchanged() -> None:
    old = [C("a", "1", "A", "<p>a</p>"), C("b", "2", "B", "<p>b</p>"), C("c", "3", "C", "<p>c</p>")]
    new = [C("a", "1", "A", "<p>a</p>"), C("c", "2", "C", "<p>c – ny</p>"), C("d", "3", "D")]
    lines = compare(old, new)
    assert _kinds(lines) == [
        ("unchanged", "a"),
        ("removed", "b"),
        ("changed", "c"),
        ("added", "d"),
    ]
    assert lines[1].old is old[1] and lines[1].new is None
    assert lines[3].old is None and lines[3].new is new[2]
    assert lines[2].fields == ("number", "text")
    assert counts(lines) == {
        Change.ADDED: 1,
        Change.REMOVED: 1,
        Change.CHANGED: 1,
        Change.UNCHANGED: 1,
    }


def test_a_removed_clause_stays_where_it_was() -> None:
    old = [C("x"), C("a"), C("y"), C("b"), C("z")]
    new = [C("b"), C("new"), C("a")]
    assert _kinds(compare(old, new)) == [
        ("removed", "x"),
        ("unchanged", "b"),
        ("removed", "z"),
        ("added", "new"),
        ("unchanged", "a"),
        ("removed", "y"),
    ]


def test_everything_added_or_removed() -> None:
    assert _kinds(compare([], [C("a"), C("b")])) == [("added", "a"), ("added", "b")]
    assert _kinds(compare([C("a"), C("b")], [])) == [("removed", "a"), ("removed", "b")]
    assert compare([], []) == []


def test_the_points_covered_count_when_asked() -> None:
    old = C("a", "1", "A", "<p>a</p>", frozenset({1, 2}))
    new = C("a", "1", "A", "<p>a</p>", frozenset({1, 2, 5}))
    assert changed_fields(old, new) == ()
    assert changed_fields(old, new, _points) == ("points",)
    assert compare([old], [new], _points)[0].change == Change.CHANGED


def test_markup_written_differently_is_no_change() -> None:
    old = C("a", " 1", "Formål ", "Partene samarbeider.")
    new = C("a", "1", "Formål", "<p>Partene samarbeider.</p>")
    assert changed_fields(old, new) == ()
    assert changed_fields(
        old, C("a", "1", "Formål", "<p>Partene <em>samarbeider</em> ikke.</p>")
    ) == ("text",)


def test_emphasis_and_link_addresses_are_changes() -> None:
    old = C("a", text='<p>Se <a href="https://a.example/">rutinen</a>.</p>')
    moved = C("a", text='<p>Se <a href="https://b.example/">rutinen</a>.</p>')
    bold = C("a", text='<p>Se <a href="https://a.example/"><strong>rutinen</strong></a>.</p>')
    assert compare([old], [moved])[0].fields == ("text",)
    assert compare([old], [bold])[0].fields == ("text",)
