"""The gender quota in multi-seat counts (SPD: at least 40 % of each gender),
worked through as a statute's examples would be. No app, no database."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elections.count import (
    Candidate,
    GenderQuota,
    approval,
    block,
    meek_stv,
    scottish_stv,
)

SEED = "ab" * 32
QUOTA = GenderQuota(Fraction(2, 5))


@pytest.mark.parametrize(
    ("seats", "minimum"), [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (7, 3), (9, 4)]
)
def test_the_minimum_is_forty_percent_rounded_half_up(seats, minimum):
    assert QUOTA.minimum(seats) == minimum


def test_the_quota_changes_who_is_elected_in_an_approval_election():
    """Vorstand, 4 Beisitzer:innen, 40 %: at least 2 women. 30 ballots; yes votes:
    Max 25, Moritz 24, Paul 22, Lena 21, Jan 20, Eva 16 (all above half). Without
    the quota Max, Moritz, Paul and Lena; with it Eva takes the fourth seat by
    quota, passing over Paul? No: seats 1-2 go to Max and Moritz, then both
    remaining seats must go to women: Lena (seat 3) passes over Paul, Eva (seat 4)
    passes over Paul and Jan."""
    people = {1: ("Max", "m", 25), 2: ("Moritz", "m", 24), 3: ("Paul", "m", 22)}
    people |= {4: ("Lena", "f", 21), 5: ("Jan", "m", 20), 6: ("Eva", "f", 16)}
    cands = [Candidate(i, g) for i, (_n, g, _y) in people.items()]
    ballots = [
        {i: ("yes" if k < y else "no") for i, (_n, _g, y) in people.items()}
        for k in range(30)
    ]
    plain = approval(cands, ballots, seats=4, seed=SEED)
    assert plain.elected == (1, 2, 3, 4)
    assert plain.quota_seats == ()
    result = approval(cands, ballots, seats=4, seed=SEED, gender_quota=QUOTA)
    assert result.elected == (1, 2, 4, 6)
    assert [(q.seat, q.candidate, q.passed_over) for q in result.quota_seats] == [
        (3, 4, (3,)),
        (4, 6, (3, 5)),
    ]
    assert result.outcome == "elected"
    names = {i: n for i, (n, _g, _y) in people.items()}
    lines = [s.render(lambda m: m, names.get) for s in result.explanation]
    assert (
        "Sitz 4 geht nach der Quote an Eva (Geschlecht f); übergangen wurden Paul, Jan."
        in lines
    )


def test_a_quota_that_cannot_be_met_leaves_the_seat_open_for_a_further_round():
    """5 delegates, at least 2 of each gender; only one woman stands (and is
    elected), so one seat stays open for a further round; the men fill 3."""
    cands = [Candidate(i, "m") for i in range(1, 6)] + [Candidate(6, "f")]
    ballots = [set(range(1, 7))] * 3 + [{1, 2, 3, 4}] * 2
    result = block(cands, ballots, seats=5, seed=SEED, gender_quota=QUOTA)
    assert 6 in result.elected
    assert sum(1 for c in result.elected if c != 6) == 3
    assert result.open_seats == 1 and result.outcome == "open_seats"
    assert any(
        "bleibt offen" in s.render(lambda m: m) and "f" in s.render(lambda m: m)
        for s in result.explanation
    )


def test_candidates_without_a_stated_gender_take_seats_the_quota_leaves_free():
    cands = [
        Candidate(1, None),
        Candidate(2, "f"),
        Candidate(3, "m"),
        Candidate(4, "d"),
    ]
    ballots = [{1, 4}] * 9 + [{2, 3}] * 5
    result = block(cands, ballots, seats=3, seed=SEED, gender_quota=QUOTA)
    # 3 seats: at least 1 woman and 1 man; the best placed (1) takes seat 1
    assert result.elected[0] in (1, 4)
    assert {2, 3} <= set(result.elected)


def test_scottish_stv_excludes_by_quota_once_the_open_seats_are_all_needed():
    """4 delegates by STV, at least 2 women. The men M1, M2, M3 are strongest on
    first preferences; W1 and W2 trail. After M1 and M2 are elected both open
    seats are needed by women: M3 is excluded by quota and his votes go to W1,
    who then takes seat 3 by quota; W2 fills seat 4."""
    m1, m2, m3, w1, w2 = 1, 2, 3, 4, 5
    cands = [Candidate(m1, "m"), Candidate(m2, "m"), Candidate(m3, "m")]
    cands += [Candidate(w1, "f"), Candidate(w2, "f")]
    ballots = (
        [(m1, m2)] * 30
        + [(m2, m1)] * 25
        + [(m3, w1)] * 22
        + [(w1, w2)] * 12
        + [(w2, w1)] * 11
    )
    plain = scottish_stv(cands, ballots, seats=4, seed=SEED)
    assert set(plain.elected) == {m1, m2, m3, w1}
    result = scottish_stv(cands, ballots, seats=4, seed=SEED, gender_quota=QUOTA)
    assert set(result.elected) == {m1, m2, w1, w2}
    assert [q.passed_over for q in result.quota_seats][0] == (m3,)
    assert result.quota_seats[0].candidate in (w1, w2)
    assert any(
        r.action == "quota_exclusion" and r.excluded == (m3,) for r in result.rounds
    )
    assert result.outcome == "elected"


def test_stv_leaves_seats_open_when_too_few_women_stand():
    cands = [Candidate(i, "m") for i in (1, 2, 3, 4)] + [Candidate(5, "f")]
    ballots = (
        [(1, 2, 3, 4, 5)] * 10 + [(2, 1)] * 9 + [(3,)] * 8 + [(5,)] * 3 + [(4,)] * 2
    )
    for count in (scottish_stv, meek_stv):
        result = count(cands, ballots, seats=4, seed=SEED, gender_quota=QUOTA)
        assert 5 in result.elected
        assert len(result.elected) == 3 and result.open_seats == 1
        assert result.outcome == "open_seats"
        assert any(
            "Offene Sitze: 1." in s.render(lambda m: m) for s in result.explanation
        )


genders = st.lists(st.sampled_from(["f", "m", "d", None]), min_size=3, max_size=7)


@settings(max_examples=150, deadline=None)
@given(genders, st.data())
def test_every_count_meets_the_quota_or_leaves_the_missing_seats_open(gs, data):
    n = len(gs)
    cands = [Candidate(i + 1, g) for i, g in enumerate(gs)]
    seats = data.draw(st.integers(2, n))
    ranked = data.draw(
        st.lists(st.permutations(range(1, n + 1)).map(tuple), min_size=1, max_size=30)
    )
    picks = [set(r[: data.draw(st.integers(0, seats))]) for r in ranked]
    minimum = QUOTA.minimum(seats)
    for result in (
        scottish_stv(cands, ranked, seats=seats, seed=SEED, gender_quota=QUOTA),
        meek_stv(cands, ranked, seats=seats, seed=SEED, gender_quota=QUOTA),
        block(cands, picks, seats=seats, seed=SEED, gender_quota=QUOTA),
    ):
        assert len(result.elected) + result.open_seats == seats
        for g in ("f", "m"):
            have = sum(1 for c in result.elected if gs[c - 1] == g)
            assert have >= minimum or result.open_seats >= minimum - have


def test_an_approval_list_too_short_for_the_quota_says_which_gender_is_missing():
    cands = [Candidate(1, "m"), Candidate(2, "m"), Candidate(3, "f"), Candidate(4, "f")]
    ballots = [{1: "yes", 2: "yes", 3: "yes", 4: "no"}] * 5
    result = approval(cands, ballots, seats=4, seed=SEED, gender_quota=QUOTA)
    assert set(result.elected) == {1, 2, 3} and result.open_seats == 1
    lines = [s.render(lambda m: m) for s in result.explanation]
    assert any("Offene Sitze: 1." in line and " f," in line for line in lines)
