"""STV counts: published worked examples, and on random profiles against a second,
independent implementation (STVPoll's Scottish STV; a deliberately plain Meek
count written here ballot by ballot). No app, no database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stvpoll.scottish_stv import calculate_scottish_stv

from elections.count import Candidate, meek_stv, scottish_stv
from ortsverein.lot import lot_order

ALICE, BOB, CHRIS, DON, ERIC = 1, 2, 3, 4, 5
FIVE = [Candidate(i) for i in (ALICE, BOB, CHRIS, DON, ERIC)]
SEED = "ab" * 32


def opavote_example() -> list[tuple[int, ...]]:
    """OpaVote, "A plain English explanation of Scottish STV" (blog, November 2016),
    also in STVPoll's tests: 60 voters, 3 seats."""
    return (
        [(ALICE, BOB, CHRIS)] * 28
        + [(BOB, ALICE, CHRIS)] * 26
        + [(CHRIS,)] * 3
        + [(DON,)] * 2
        + [(ERIC,)]
    )


def test_scottish_stv_counts_the_published_opavote_example_stage_by_stage():
    result = scottish_stv(FIVE, opavote_example(), seats=3, seed=SEED)
    # Rule 46: 60 // 4 + 1 = 16. Alice (28) and Bob (26) reach it on first
    # preferences, so Alice's papers pass over Bob to Chris.
    assert result.quota == Decimal(16)
    first, alice, bob = result.rounds
    assert first.elected == (ALICE, BOB)
    # Rule 48: 28 papers at 12 x 1 / 28 = 0.42857 (remainder ignored) = 11.99996
    assert alice.subject == ALICE
    assert alice.votes[CHRIS] == Decimal("14.99996")
    assert alice.non_transferable == Decimal("0.00004")
    # Bob's 26 papers at 10 / 26 = 0.38461 = 9.99986: Chris 24.99982, elected
    assert bob.subject == BOB
    assert bob.votes[CHRIS] == Decimal("24.99982")
    assert bob.elected == (CHRIS,)
    assert result.elected == (ALICE, BOB, CHRIS)
    assert result.outcome == "elected" and result.lots == ()


def test_scottish_stv_counts_the_wikipedia_food_election():
    """https://en.wikipedia.org/wiki/Single_transferable_vote ("Example"): 20
    voters, 3 seats, quota 6; elected chocolate, orange, strawberry."""
    orange, pear, chocolate, strawberry, bonbon = 1, 2, 3, 4, 5
    ballots = (
        [(orange,)] * 4
        + [(pear, orange)] * 2
        + [(chocolate, strawberry)] * 8
        + [(chocolate, bonbon)] * 4
        + [(strawberry,)]
        + [(bonbon,)]
    )
    result = scottish_stv(FIVE, ballots, seats=3, seed=SEED)
    assert result.quota == 6
    assert result.elected == (chocolate, orange, strawberry)
    # chocolate's surplus of 6 goes on at 0.5: strawberry 1 + 4, bonbon 1 + 2
    assert result.rounds[1].votes[strawberry] == 5
    assert result.rounds[1].votes[bonbon] == 3
    # then pear is excluded and orange reaches the quota
    assert result.rounds[2].excluded == (pear,)
    assert result.rounds[2].elected == (orange,)


def test_an_exclusion_tie_equal_at_every_stage_is_decided_by_the_ballot_box_lot():
    ballots = [(1,)] * 5 + [(2,)] * 2 + [(3,)] * 2 + [(4,)] * 4
    result = scottish_stv(FIVE[:4], ballots, seats=2, seed=SEED)
    (lot,) = result.lots
    assert lot.purpose == "exclusion" and set(lot.tied) == {2, 3}
    assert lot.order == tuple(lot_order([2, 3], SEED))
    assert result.rounds[1].excluded == (lot.order[-1],)
    other = scottish_stv(FIVE[:4], ballots, seats=2, seed="cd" * 32)
    assert other.lots[0].order == tuple(lot_order([2, 3], "cd" * 32))


def test_an_exclusion_tie_looks_back_to_the_last_stage_where_they_differed():
    # 20 papers, 2 seats: quota 20 // 3 + 1 = 7. A's surplus of 1 passes on from
    # 8 papers at 1/8 = 0.125 each, so C gets 1 and ties with B on 4. At the first
    # stage C had 3 and B 4: C is excluded (rule 51), without a lot.
    a, b, c, d = 1, 2, 3, 4
    ballots = [(a, c)] * 8 + [(b,)] * 4 + [(c,)] * 3 + [(d,)] * 5
    cands = [Candidate(i) for i in (a, b, c, d)]
    result = scottish_stv(cands, ballots, seats=2, seed=SEED)
    surplus, exclusion = result.rounds[1], result.rounds[2]
    assert surplus.subject == a and surplus.votes[b] == surplus.votes[c] == 4
    assert exclusion.excluded == (c,)
    assert result.lots == ()
    assert result.elected == (a, d)


def test_meek_stv_elects_the_published_example_like_scottish():
    result = meek_stv(FIVE, opavote_example(), seats=3, seed=SEED)
    assert set(result.elected) == {ALICE, BOB, CHRIS}
    assert result.rounds[0].votes[ALICE] == 28


def test_meek_stv_converges_to_the_keep_value_of_the_worked_example():
    """The worked Meek example on the Election-Methods list (12 September 2004, the
    reply to James Armytage-Green): 61 A, 60 A>B, 30 C>D, 29 D>C, 2 seats. A's
    keep value falls 0.496, 0.412, 0.398, ... as the 61 A-only ballots' surplus
    becomes non-transferable and the quota shrinks. In the limit A keeps k of 121
    votes and the quota is (180 - 61(1 - k)) / 3, so 121k = (119 + 61k) / 3 and
    k = 119/302: quota 47.67881, B 60(1 - k) = 36.35762. Nobody else reaches it; D
    (29) is excluded, C gets 59 and is elected."""
    a, b, c, d = 1, 2, 3, 4
    ballots = [(a,)] * 61 + [(a, b)] * 60 + [(c, d)] * 30 + [(d, c)] * 29
    result = meek_stv([Candidate(i) for i in (a, b, c, d)], ballots, seats=2, seed=SEED)
    assert result.elected == (a, c)
    stage = next(r for r in result.rounds if r.excluded)
    assert stage.excluded == (d,)
    assert abs(stage.votes[b] - Decimal("36.35762")) < Decimal("0.0001")
    assert abs(result.quota - Decimal("47.67881")) < Decimal("0.0001")
    assert abs(stage.non_transferable - 61 * (1 - Decimal(119) / 302)) < Decimal(
        "0.0001"
    )


# ---- random profiles against a second implementation ----------------------

profiles = st.integers(3, 7).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.integers(1, n - 1),
        st.lists(
            st.permutations(list(range(1, n + 1))).flatmap(
                lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k]))
            ),
            min_size=1,
            max_size=60,
        ),
    )
)


def _near_tie(result, papers: int) -> bool:
    """Whether a stage of `result` ended with two continuing candidates, or one and
    the quota, apart by no more than rule 48's truncation can move them (0.00001
    per paper) while not both without votes. STVPoll rounds its transfers another
    way (two papers of 0.5 passing a surplus of 1 from 3 votes give 0.33334 there,
    0.16666 each by rule 48 here): a stage decided by that little may go either
    way, and says nothing about the rules."""
    margin = Decimal(papers) / 100_000
    continuing = set(result.rounds[0].votes) if result.rounds else set()
    for stage in result.rounds:
        continuing -= set(stage.elected) | set(stage.excluded)
        values = sorted(stage.votes[c] for c in continuing) + [result.quota]
        for low, high in zip(values, values[1:], strict=False):
            if high - low <= margin and high > 0:
                return True
    return False


# Profiles with a lot, a double election or a near tie are skipped (assume); on some
# seeds they are most of the first draws, which is no fault of the test.
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)
@given(profiles)
def test_scottish_stv_elects_what_stvpoll_elects_where_no_lot_is_drawn(profile):
    """STVPoll passes a surplus on to a candidate already elected whose own surplus
    waits its turn (and so on from there); rule 48(2) passes papers to continuing
    candidates only. Profiles where a stage elects two or more are left out for
    that reason (test_a_surplus_passes_over_an_elected_candidate_waiting_for_hers
    shows the difference)."""
    n, seats, ballots = profile
    ours = scottish_stv(
        [Candidate(i) for i in range(1, n + 1)], ballots, seats=seats, seed=SEED
    )
    assume(not ours.lots)
    assume(all(len(r.elected) < 2 for r in ours.rounds if r.action != "last_seats"))
    assume(not _near_tie(ours, len(ballots)))
    theirs = calculate_scottish_stv(
        tuple(range(1, n + 1)),
        [(b, 1) for b in ballots],
        seats,
        allow_random=False,
    )
    assume(theirs.complete)
    assert set(ours.elected) == theirs.elected_as_set()


def test_near_ties_are_told_apart_from_decided_stages():
    """The profile Hypothesis found on 2026-12-04: STVPoll elects 2, rule 48 elects
    3, by one 0.00001 of a vote (0.33333 against 0.33332). The comparison above
    skips such a profile; a count whose every stage is clear it keeps."""
    four = [Candidate(i) for i in range(1, 5)]
    ballots = [(1, 3), (4, 1), (4, 1), (4, 1, 2), (4, 1, 2)]
    ours = scottish_stv(four, ballots, seats=3, seed=SEED)
    stage = next(r for r in ours.rounds if r.action == "surplus" and r.subject == 1)
    assert (stage.votes[2], stage.votes[3]) == (Decimal("0.33332"), Decimal("0.33333"))
    assert set(ours.elected) == {1, 3, 4} and not ours.lots
    assert _near_tie(ours, len(ballots))
    decided = scottish_stv(four, [(1, 3)] * 3 + [(4, 2)] * 2, seats=2, seed=SEED)
    assert not _near_tie(decided, 5)


def test_a_surplus_passes_over_an_elected_candidate_waiting_for_hers():
    """3 seats, 3 papers: quota 1. C (2 votes) and A (1) are elected at once; C's
    surplus passes over A, who is no continuing candidate, to B at 0.5 (rule 48).
    A has no surplus; D (0) is excluded; B fills the last seat (rule 52)."""
    a, b, c, d = 1, 2, 3, 4
    ballots = [(a, d), (c,), (c, a, b)]
    result = scottish_stv(
        [Candidate(i) for i in (a, b, c, d)], ballots, seats=3, seed=SEED
    )
    assert result.rounds[0].elected == (c, a)
    assert result.rounds[1].votes[b] == Decimal("0.5")
    assert result.elected == (c, a, b)


ONE = 10**9


def plain_meek(n: int, seats: int, ballots: list[tuple[int, ...]]) -> set[int]:
    """Meek as the module text of elections.count.meek states it, written again
    the plainest way: every ballot walked on its own, every stage from scratch.
    Ties are not handled (the test only keeps profiles without any lot)."""
    keep = {c: ONE for c in range(1, n + 1)}
    hopeful = set(keep)
    elected: list[int] = []
    valid = len(ballots)
    while len(elected) < seats and len(elected) + len(hopeful) > seats:
        newly = False
        for _ in range(1000):
            votes = dict.fromkeys(keep, 0)
            excess = 0
            for ballot in ballots:
                weight = ONE
                for c in ballot:
                    share = -((-weight * keep[c]) // ONE)
                    votes[c] += share
                    weight -= share
                excess += weight
            quota = (valid * ONE - excess) // (seats + 1) + 1
            reached = [c for c in hopeful if votes[c] >= quota]
            for c in reached:
                hopeful.remove(c)
                elected.append(c)
                newly = True
            if len(elected) >= seats:
                return set(elected)
            surplus = sum(max(0, votes[c] - quota) for c in elected)
            if not reached and surplus <= ONE // 100_000:
                break
            for c in elected:
                keep[c] = min(ONE, -((-keep[c] * quota) // votes[c]))
        if not newly:
            loser = min(hopeful, key=lambda c: votes[c])
            hopeful.remove(loser)
            keep[loser] = 0
    return set(elected) | (hopeful if len(elected) + len(hopeful) <= seats else set())


@settings(max_examples=200, deadline=None)
@given(profiles)
def test_meek_stv_elects_what_a_plain_second_count_elects_where_no_lot_is_drawn(
    profile,
):
    n, seats, ballots = profile
    ours = meek_stv(
        [Candidate(i) for i in range(1, n + 1)], ballots, seats=seats, seed=SEED
    )
    assume(not ours.lots)
    assume(not _lowest_tie_anywhere(ours))
    assert set(ours.elected) == plain_meek(n, seats, ballots)


def _lowest_tie_anywhere(result) -> bool:
    """An exclusion decided by an earlier stage rather than the votes at hand:
    the plain count has no tie rule, so such profiles are left out."""
    for r in result.rounds:
        if r.action == "exclusion":
            low = r.votes[r.subject]
            others = [v for c, v in r.votes.items() if c != r.subject and v == low]
            standing = [c for c in r.votes if c not in result.elected]
            if others and standing:
                return True
    return False


def test_a_blank_ballot_counts_for_nobody_and_no_ballots_elect_nobody():
    assert scottish_stv(FIVE, [()], seats=2, seed=SEED).outcome == "empty"
    assert meek_stv(FIVE, [], seats=2, seed=SEED).outcome == "empty"
    result = scottish_stv(FIVE, [(1, 2), ()], seats=1, seed=SEED)
    assert result.quota == 1 and result.elected == (1,)
