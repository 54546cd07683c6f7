"""The gender quota in multi-seat counts (SPD: at least 40 % of each gender),
worked through as a statute's examples would be. No app, no database."""

from __future__ import annotations

from fractions import Fraction

import pytest

from elections.count import Candidate, GenderQuota, approval, block

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
