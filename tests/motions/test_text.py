"""A motion's printed lines, amendments and word diffs (motions/text.py): examples
and Hypothesis properties. Pure functions: no app, except where English is checked."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from motions.text import (
    Amendment,
    InvalidLineRange,
    LinesGone,
    OverlappingAmendments,
    apply,
    blocks,
    canonical,
    conflicts,
    diff,
    diff_html,
    diff_plain,
    excerpt,
    merge,
    number_lines,
)

MOTION = """# Verkehrswende jetzt

Der Ortsverein möge beschließen: Wir fordern den Ausbau des öffentlichen
Nahverkehrs in allen Stadtteilen, insbesondere in den Außenbezirken, wo die
Anbindung bisher unzureichend ist.

- Takt von zehn Minuten
- ein Sozialticket für alle Menschen mit geringem Einkommen
"""


# --- examples ----------------------------------------------------------------------


def test_lines_are_numbered_through_headings_paragraphs_and_items():
    lines = number_lines(MOTION, width=40)
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    assert lines[0].printed == "# Verkehrswende jetzt"
    assert lines[0].kind == "heading" and lines[0].first
    assert lines[1].printed == "Der Ortsverein möge beschließen: Wir"
    assert lines[2].printed == "fordern den Ausbau des öffentlichen"
    assert not lines[2].first and lines[2].block == lines[1].block
    items = [line for line in lines if line.kind == "item"]
    assert items[0].printed == "- Takt von zehn Minuten"
    assert items[1].printed == "- ein Sozialticket für alle Menschen mit"
    assert items[2].printed == "  geringem Einkommen"  # hanging indent
    assert not items[2].first and items[2].marker == ""


def test_a_word_longer_than_the_width_stands_alone_and_is_not_split():
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    lines = number_lines(f"Die {word} ist weg", width=20)
    assert [line.text for line in lines] == ["Die", word, "ist weg"]


def test_blank_lines_get_no_number():
    assert [line.text for line in number_lines("eins\n\n\n\nzwei\n")] == [
        "eins",
        "zwei",
    ]
    assert number_lines("   \n\n") == []


def test_amendment_replaces_exactly_its_lines():
    lines = number_lines(MOTION, width=40)
    assert lines[2].text == "fordern den Ausbau des öffentlichen"
    changed = apply(
        MOTION, Amendment(3, 3, "fordern den Ausbau der Straßenbahn"), width=40
    )
    assert "Wir fordern den Ausbau der Straßenbahn Nahverkehrs in allen" in changed
    assert changed.startswith("# Verkehrswende jetzt\n\nDer Ortsverein")


def test_excerpt_is_what_the_form_shows_and_putting_it_back_changes_nothing():
    part = excerpt(MOTION, 4, 7, width=40)
    assert part.startswith("Nahverkehrs in allen Stadtteilen,")
    assert "\n\n- Takt von zehn Minuten" in part
    assert apply(MOTION, Amendment(4, 7, part), width=40) == canonical(MOTION)


def test_a_new_marker_replaces_the_old_one_at_the_start_of_a_block():
    lines = number_lines(MOTION, width=80)
    item = next(line for line in lines if line.kind == "item")
    changed = apply(MOTION, Amendment(item.number, item.number, "1. Takt von fünf"))
    assert "\n1. Takt von fünf\n- ein Sozialticket" in changed
    # without a marker the item keeps its own
    kept = apply(MOTION, Amendment(item.number, item.number, "Takt von fünf"))
    assert "\n- Takt von fünf\n- ein Sozialticket" in kept


def test_amendment_to_lines_that_no_longer_exist_is_refused_clearly():
    count = len(number_lines(MOTION))
    with pytest.raises(LinesGone) as caught:
        apply(MOTION, Amendment(count, count + 2, "neu", label="Ä3"))
    message = caught.value.message
    assert "Ä3" in message and f"{count}–{count + 2}" in message
    assert f"nur {count} Zeilen" in message
    assert caught.value.code == "amendment_lines_gone"


@pytest.mark.parametrize(("first", "last"), [(0, 2), (5, 4), (-1, -1)])
def test_line_range_must_run_forwards_from_line_one(first, last):
    with pytest.raises(InvalidLineRange) as caught:
        apply(MOTION, Amendment(first, last, "x"))
    assert f"{first}–{last}" in caught.value.message


def test_overlapping_amendments_are_flagged_and_refused_in_a_merge():
    one, two, three = (
        Amendment(2, 4, "a", "Ä1"),
        Amendment(4, 5, "b", "Ä2"),
        Amendment(6, 6, "c", "Ä3"),
    )
    assert conflicts([three, two, one]) == [(one, two)]
    with pytest.raises(OverlappingAmendments) as caught:
        merge(MOTION, [three, two, one])
    assert "Ä1" in caught.value.message and "Ä2" in caught.value.message


def test_diff_marks_words_for_eyes_and_for_screen_readers():
    html = str(diff_html("Wir fordern mehr Busse.", "Wir fordern mehr Bahnen."))
    assert '<p class="diff__lines"><strong>Zeile 1</strong></p>' in html
    assert (
        '<del><span class="visually-hidden">gestrichen: </span>Busse.</del> '
        '<ins><span class="visually-hidden">eingefügt: </span>Bahnen.</ins>'
    ) in html
    assert diff_plain("Wir fordern mehr Busse.", "Wir fordern mehr Bahnen.") == (
        "Zeile 1: Wir fordern mehr [gestrichen: Busse.] [eingefügt: Bahnen.]"
    )
    assert "Keine Änderungen" in str(diff_html("a b", "a\nb"))


def test_diff_names_the_line_range_of_the_old_text():
    new = apply(MOTION, Amendment(3, 4, "x y"), width=40)
    hunks = diff(MOTION, new, width=40)
    assert [(h.first, h.last) for h in hunks] == [(3, 4)]
    assert "Zeilen 3–4:" in diff_plain(MOTION, new, width=40)


def test_diff_html_escapes_the_words():
    html = str(diff_html("a <b>", 'a <script>alert("x")</script>'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html


def test_diff_words_are_english_in_english(app):
    with app.test_request_context(), force_locale("en"):
        html = str(diff_html("alt", "neu"))
        plain = diff_plain("alt", "neu")
    assert "inserted:" in html and "deleted:" in html
    assert plain == "Line 1: [deleted: alt] [inserted: neu]"


# --- properties --------------------------------------------------------------------

# Words as typed: letters first (a word opening a source line must not read as a
# list marker), some punctuation, now and then one longer than any line.
_VOCABULARY = (
    "der die das und oder nicht wir fordern den Ausbau des öffentlichen "
    "Nahverkehrs in allen Stadtteilen, insbesondere Außenbezirken. (Takt) "
    "Sozialticket für 29-Euro Menschen mit geringem Einkommen! ob? zu a b"
).split()
_LONG = (
    "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhersteller",
    "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
)
words = st.one_of(st.sampled_from(_VOCABULARY), st.sampled_from(_LONG))
kinds = st.sampled_from(["paragraph", "heading", "item", "numbered", "quote"])


@st.composite
def motions(draw, vocabulary=words, distinct=False):
    """(source, expected blocks as (kind, words)): blocks written as a person
    would, with their source lines broken anywhere and blank lines between.
    `distinct`: every word once (numbered)."""
    structure = draw(
        st.lists(
            st.tuples(kinds, st.lists(vocabulary, min_size=1, max_size=30)),
            max_size=8,
        )
    )
    source: list[str] = []
    expected: list[tuple[str, list[str]]] = []
    previous = ""
    for number, (kind, block_words) in enumerate(structure):
        if distinct:
            block_words = [f"{w}{number}x{i}" for i, w in enumerate(block_words)]
        cuts = sorted(draw(st.sets(st.integers(1, len(block_words)), max_size=4)))
        chunks = [
            " ".join(block_words[a:b])
            for a, b in zip([0, *cuts], [*cuts, len(block_words)], strict=True)
            if a < b
        ]
        if kind == "heading":
            chunks = ["## " + " ".join(block_words)]
        elif kind == "item":
            chunks[0] = "- " + chunks[0]
        elif kind == "numbered":
            chunks[0] = "3. " + chunks[0]
        elif kind == "quote":
            chunks = ["> " + chunk for chunk in chunks]
        # a heading or an item starts a block on the next line; a paragraph (or a
        # quote after a quote) needs a blank line first
        alone = kind in ("heading", "item", "numbered") or (kind == "quote" != previous)
        blank = "\n" * draw(st.integers(1 if alone else 2, 3))
        previous = kind
        source.append(blank + "\n".join(chunks))
        expected.append(("item" if kind == "numbered" else kind, block_words))
    return "".join(source), expected


widths = st.integers(min_value=20, max_value=100)


@settings(max_examples=150, deadline=None)
@given(motions(), widths)
def test_every_word_is_printed_once_in_order_and_no_line_is_too_wide(motion, width):
    source, expected = motion
    lines = number_lines(source, width)
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    printed = [word for line in lines for word in line.text.split()]
    assert printed == [word for _kind, block in expected for word in block]
    for line in lines:
        assert len(line.printed) <= width or len(line.text.split()) == 1
    # each block starts a line of its own, of its kind
    by_block: dict[int, list[str]] = {}
    for line in lines:
        by_block.setdefault(line.block, []).extend(line.text.split())
        assert line.first == (
            line.number == 1 or lines[line.number - 2].block != line.block
        )
        assert (line.marker != "") == (line.first and line.kind != "paragraph")
    assert [(lines_kind(lines, b), w) for b, w in by_block.items()] == expected
    # lines are filled: the next line's first word did not fit on this one
    for line, following in zip(lines, lines[1:], strict=False):
        if following.block == line.block:
            first_word = following.text.split()[0]
            assert len(line.printed) + 1 + len(first_word) > width


def lines_kind(lines, block):
    return next(line.kind for line in lines if line.block == block)


@settings(max_examples=100, deadline=None)
@given(motions(), widths)
def test_the_canonical_form_prints_the_same_lines(motion, width):
    source, _expected = motion
    once = canonical(source)
    assert canonical(once) == once
    assert number_lines(once, width) == number_lines(source, width)
    assert blocks(once) == blocks(source)


@st.composite
def amended(draw, new_words=words, distinct=False):
    """A motion, a width, and non-overlapping amendments to its lines."""
    source, _expected = draw(motions(distinct=distinct))
    width = draw(widths)
    count = len(number_lines(source, width))
    if count == 0:
        return source, width, []
    # ranges [b0, b1 - 1], [b2, b3 - 1], ...: never sharing a line
    bounds = sorted(draw(st.sets(st.integers(1, count + 1), max_size=10)))
    amendments = []
    for index in range(0, len(bounds) - 1, 2):
        separator = draw(st.sampled_from([" ", "\n\n"]))
        text = separator.join(draw(st.lists(new_words, max_size=8)))
        amendments.append(
            Amendment(bounds[index], bounds[index + 1] - 1, text, f"Ä{index}")
        )
    return source, width, amendments


@settings(max_examples=150, deadline=None)
@given(amended(), st.randoms(use_true_random=False))
def test_non_overlapping_amendments_merge_to_one_text_in_any_order(case, rnd):
    source, width, amendments = case
    assert conflicts(amendments) == []
    merged = merge(source, amendments, width)
    shuffled = list(amendments)
    rnd.shuffle(shuffled)
    assert merge(source, shuffled, width) == merged
    if len(amendments) == 1:
        assert apply(source, amendments[0], width) == merged
    if not amendments:
        assert merged == canonical(source)


# Distinct words in the motion and other words in the amendments: then which
# words an amendment removed and added is not a matter of alignment.
_new_vocabulary = st.sampled_from([w.upper() for w in _VOCABULARY])


@settings(max_examples=150, deadline=None)
@given(amended(_new_vocabulary, distinct=True))
def test_the_diff_of_a_merge_shows_exactly_the_amendments(case):
    source, width, amendments = case
    lines = number_lines(source, width)
    merged = merge(source, amendments, width)
    hunks = diff(source, merged, width)
    ordered = sorted(amendments, key=lambda a: a.first)
    deleted = [
        w
        for part in (p for h in hunks for p in h.parts)
        if part.op == "delete"
        for w in part.text.split()
    ]
    inserted = [
        w
        for part in (p for h in hunks for p in h.parts)
        if part.op == "insert"
        for w in part.text.split()
    ]
    assert deleted == [
        w
        for a in ordered
        for line in lines[a.first - 1 : a.last]
        for w in line.text.split()
    ]
    assert inserted == [w for a in ordered for w in a.text.split()]
    amended_lines = {n for a in amendments for n in range(a.first, a.last + 1)}
    for hunk in hunks:
        assert set(range(hunk.first, hunk.last + 1)) <= amended_lines
    for a in amendments:
        assert any(h.first <= a.first and a.last <= h.last for h in hunks)


@settings(max_examples=150, deadline=None)
@given(motions(), motions(), widths)
def test_a_diff_loses_no_word_of_either_text(one, other, width):
    old, new = one[0], other[0]
    lines = number_lines(old, width)
    hunks = diff(old, new, width)
    rebuilt: list[str] = []
    number = 1
    for hunk in hunks:
        for line in lines[number - 1 : hunk.first - 1]:
            rebuilt.extend(line.text.split())
        kept = [p for p in hunk.parts if p.op != "insert"]
        assert [w for p in kept for w in p.text.split()] == [
            w for line in lines[hunk.first - 1 : hunk.last] for w in line.text.split()
        ]
        rebuilt.extend(
            w for p in hunk.parts if p.op != "delete" for w in p.text.split()
        )
        number = hunk.last + 1
    for line in lines[number - 1 :]:
        rebuilt.extend(line.text.split())
    assert rebuilt == [w for block in blocks(new) for w in block.words]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 30), st.integers(0, 5)).map(
            lambda t: Amendment(t[0], t[0] + t[1], "")
        ),
        max_size=8,
    )
)
def test_conflicts_are_exactly_the_pairs_sharing_a_line(amendments):
    found = {frozenset((id(a), id(b))) for a, b in conflicts(amendments)}
    expected = {
        frozenset((id(a), id(b)))
        for i, a in enumerate(amendments)
        for b in amendments[i + 1 :]
        if a.first <= b.last and b.first <= a.last
    }
    assert found == expected
