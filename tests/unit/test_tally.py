"""Tally: published examples, boundaries and properties (no app, no database)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ortsverein.lot import lot_order
from polls.rules import InvalidBallot, PollDefinition, check_ballot
from polls.tally import schulze, tally

A, B, C, D, E = 1, 2, 3, 4, 5
YES, NO, ABSTAIN = 10, 11, 12


def _expand(groups):
    return [list(order) for count, order in groups for _ in range(count)]


def test_schulze_45_voter_example():
    """Schulze (2011), section 3.1 / Wikipedia's example: E > A > C > B > D."""
    ballots = _expand(
        [
            (5, (A, C, B, E, D)),
            (5, (A, D, E, C, B)),
            (8, (B, E, D, A, C)),
            (3, (C, A, B, E, D)),
            (7, (C, A, E, B, D)),
            (2, (C, B, A, D, E)),
            (7, (D, C, E, B, A)),
            (8, (E, B, A, D, C)),
        ]
    )
    assert len(ballots) == 45
    assert schulze([A, B, C, D, E], ballots) == [[E], [A], [C], [B], [D]]
    result = tally(PollDefinition("ranked", (A, B, C, D, E), 45), ballots)
    assert result.winners == (E,) and result.order == (E, A, C, B, D)
    assert result.pairwise[A][B] == 20 and result.pairwise[B][A] == 25
    assert result.strongest_paths[E][D] == 31 and result.strongest_paths[A][B] == 28


def test_schulze_unlisted_options_tie_below_listed_ones():
    ballots = [[A], [A], [B, C]]
    assert schulze([A, B, C], ballots) == [[A], [B], [C]]
    assert schulze([A, B, C], [[A]]) == [[A], [B, C]]


def test_schulze_tie_for_first_is_a_tie_not_a_sole_winner():
    """Found in review: p[1][3] = p[3][1] = 0, so 1 and 3 both win (then the lot)."""
    ballots = [[3, 4, 2], [2, 1], [4, 3], [1, 2, 3], [3, 1, 2, 4], [4, 1, 3, 2]]
    tiers = schulze([1, 2, 3, 4], ballots)
    assert sorted(tiers[0]) == [1, 3]
    result = tally(PollDefinition("ranked", (1, 2, 3, 4), 6, tie_seed="ff"), ballots)
    assert result.lot_used and set(result.order[:2]) == {1, 3}


def test_schulze_full_tie_is_broken_by_reproducible_lot():
    ballots = [[A, B], [B, A]]
    definition = PollDefinition("ranked", (A, B), 2, tie_seed="ab" * 32)
    result = tally(definition, ballots)
    assert result.ranking == ((A, B),)
    assert result.order == tuple(lot_order([A, B], "ab" * 32))
    assert result.lot_used
    other = tally(PollDefinition("ranked", (A, B), 2, tie_seed="cd" * 32), ballots)
    assert other.ranking == result.ranking  # the lot changes only the order


def test_ranked_poll_of_blank_ballots_elects_nobody():
    """Found in review: with only blank ballots every option ties, and the result
    named a winner by lot (the page showed "Gewählt ist: " and nothing)."""
    result = tally(PollDefinition("ranked", (A, B, C), 5, tie_seed="ab"), [[], []])
    assert result.outcome == "no_majority" and result.winners == ()
    assert not result.lot_used and result.blank == 2


@pytest.mark.parametrize(
    "electorate,ballots,met",
    [(100, 20, True), (100, 19, False), (7, 2, True), (7, 1, False), (0, 0, True)],
)
def test_quorum_exactly_at_the_boundary(electorate, ballots, met):
    definition = PollDefinition(
        "yes_no_abstain", (YES, NO, ABSTAIN), electorate, Fraction(20)
    )
    result = tally(definition, [[YES]] * ballots)
    assert result.quorum_met is met


def test_empty_poll():
    result = tally(PollDefinition("single_choice", (A, B), 10), [])
    assert result.outcome == "empty" and result.ballots == 0
    assert result.counts == {A: 0, B: 0} and result.turnout_percent == 0


@pytest.mark.parametrize(
    "majority,yes,no,abstain,carried",
    [
        ("simple", 5, 4, 10, True),
        ("simple", 4, 4, 0, False),
        ("absolute", 5, 4, 0, True),
        ("absolute", 5, 4, 1, False),
        ("two_thirds", 6, 3, 50, True),
        ("two_thirds", 5, 3, 0, False),
    ],
)
def test_majority_rules(majority, yes, no, abstain, carried):
    ballots = [[YES]] * yes + [[NO]] * no + [[ABSTAIN]] * abstain
    definition = PollDefinition(
        "yes_no_abstain", (YES, NO, ABSTAIN), 100, majority=majority
    )
    assert tally(definition, ballots).outcome == ("accepted" if carried else "rejected")


def test_no_quorum_is_neither_accepted_nor_rejected():
    definition = PollDefinition("yes_no_abstain", (YES, NO, ABSTAIN), 100, Fraction(20))
    assert tally(definition, [[YES]] * 10).outcome == "no_quorum"


def test_single_choice_absolute_majority_and_blank_ballots():
    definition = PollDefinition("single_choice", (A, B, C), 100, majority="absolute")
    result = tally(definition, [[A]] * 4 + [[B]] * 3 + [[C]] * 2 + [[]] * 5)
    assert (result.blank, result.valid, result.outcome) == (5, 9, "no_majority")
    result = tally(definition, [[A]] * 5 + [[B]] * 4)
    assert result.outcome == "decided" and result.winners == (A,)


def test_check_ballot_names_the_rule():
    definition = PollDefinition(
        "multiple_choice", (A, B, C, D), 10, min_choices=2, max_choices=3
    )
    assert check_ballot(definition, [C, A]) == (A, C)
    assert check_ballot(definition, []) == ()  # blank
    for choices, rule in [
        ([A], "too_few"),
        ([A, B, C, D], "too_many"),
        ([A, A], "duplicate_option"),
        ([99], "unknown_option"),
        (["A"], "not_option_ids"),
        ([True], "not_option_ids"),
    ]:
        with pytest.raises(InvalidBallot) as err:
            check_ballot(definition, choices)
        assert err.value.rule == rule
    with pytest.raises(InvalidBallot):
        check_ballot(PollDefinition("single_choice", (A, B), 1), [A, B])


# --- properties ---------------------------------------------------------------------

OPTIONS = (A, B, C, D)
ranked_ballots = st.lists(
    st.permutations(OPTIONS).flatmap(
        lambda p: st.integers(0, 4).map(lambda n: list(p[:n]))
    ),
    max_size=60,
)
choice_ballots = st.lists(st.sampled_from([[A], [B], [C], [D], []]), max_size=80)


@settings(max_examples=150, deadline=None)
@given(choice_ballots, st.randoms(use_true_random=False))
def test_counts_sum_to_ballots_and_order_does_not_matter(ballots, rnd):
    definition = PollDefinition("single_choice", OPTIONS, 100, tie_seed="00")
    result = tally(definition, ballots)
    assert sum(result.counts.values()) + result.blank == result.ballots == len(ballots)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(definition, shuffled) == result


@settings(max_examples=150, deadline=None)
@given(ranked_ballots, st.randoms(use_true_random=False))
def test_schulze_does_not_depend_on_ballot_order(ballots, rnd):
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert schulze(OPTIONS, ballots) == schulze(OPTIONS, shuffled)


@settings(max_examples=200, deadline=None)
@given(ranked_ballots)
def test_condorcet_winner_wins(ballots):
    if not ballots:
        return  # an empty poll has no ranking (see test_empty_poll)
    result = tally(PollDefinition("ranked", OPTIONS, 100), ballots)
    d = result.pairwise
    condorcet = [
        x for x in OPTIONS if all(d[x][y] > d[y][x] for y in OPTIONS if y != x)
    ]
    if condorcet:
        assert result.ranking[0] == (condorcet[0],)


@settings(max_examples=300, deadline=None)
@given(ranked_ballots)
def test_schulze_tiers_cover_every_option_once_and_follow_p(ballots):
    tiers = schulze(OPTIONS, ballots)
    assert sorted(o for t in tiers for o in t) == sorted(OPTIONS)
    if not ballots:
        return
    p = tally(PollDefinition("ranked", OPTIONS, 100), ballots).strongest_paths
    for i, tier in enumerate(tiers):
        later = [y for t in tiers[i + 1 :] for y in t]
        for x in tier:
            # nothing in or below its tier beats it; it beats or ties each one below
            assert not any(p[y][x] > p[x][y] for y in tier + later if y != x)
        for y in later:
            assert any(p[x][y] > p[y][x] for x in tier)
