"""Single-seat, list and block elections: worked examples in the form a party's
electoral rules (Wahlordnung) state them. No app, no database."""

from __future__ import annotations

from fractions import Fraction

import pytest

from elections.count import (
    RULE_SINGLE_SEAT,
    Candidate,
    approval,
    block,
    single_candidate,
    single_seat,
)
from ortsverein.lot import lot_order

SEED = "ab" * 32
ANNA, BERND, CARLA, DIRK = 1, 2, 3, 4
FOUR = [Candidate(i) for i in (ANNA, BERND, CARLA, DIRK)]


def render(result) -> list[str]:
    names = {ANNA: "Anna", BERND: "Bernd", CARLA: "Carla", DIRK: "Dirk"}
    return [s.render(lambda m: m, names.get) for s in result.explanation]


def test_chair_without_an_absolute_majority_goes_to_a_runoff_of_the_two_strongest():
    """Wahl der/des Vorsitzenden: 41 gültige Stimmen, Anna 18, Bernd 15, Carla 8.
    Nobody has more than half (21 needed): round 2 between Anna and Bernd. In
    round 2 Bernd gets 22 of 40, Anna 18: Bernd is elected."""
    ballots = [{ANNA}] * 18 + [{BERND}] * 15 + [{CARLA}] * 8 + [set()] * 3
    first = single_seat(FOUR[:3], ballots, seed=SEED, statute_reference="§ 8 WO")
    assert first.outcome == "second_round"
    assert first.second_round == (ANNA, BERND)
    assert first.elected == () and first.open_seats == 1
    assert first.rule.msgid == RULE_SINGLE_SEAT
    assert first.statute_reference == "§ 8 WO"
    assert (
        "Niemand erhält mehr als die Hälfte der 41 gültigen Stimmen (nötig: 21)."
        in (render(first))
    )
    assert any("Anna, Bernd" in line for line in render(first))
    second = single_seat(
        FOUR[:2], [{BERND}] * 22 + [{ANNA}] * 18, seed=SEED, round_number=2
    )
    assert second.outcome == "elected" and second.elected == (BERND,)


def test_an_absolute_majority_in_round_one_elects():
    result = single_seat(FOUR[:3], [{ANNA}] * 21 + [{BERND}] * 20, seed=SEED)
    assert result.outcome == "elected" and result.elected == (ANNA,)
    half = single_seat(FOUR[:3], [{ANNA}] * 20 + [{BERND}] * 20, seed=SEED)
    assert half.outcome == "second_round"


def test_abstentions_count_against_the_majority_only_where_the_statute_says_so():
    ballots = [{ANNA}] * 21 + [{BERND}] * 19 + [set()] * 5
    assert single_seat(FOUR[:2], ballots, seed=SEED).elected == (ANNA,)
    counted = single_seat(FOUR[:2], ballots, seed=SEED, abstentions_count=True)
    assert counted.outcome == "second_round"


def test_a_tie_for_second_place_is_decided_by_the_ballot_box_lot():
    ballots = [{ANNA}] * 10 + [{BERND}] * 6 + [{CARLA}] * 6
    result = single_seat(FOUR[:3], ballots, seed=SEED)
    (lot,) = result.lots
    assert lot.purpose == "second_round" and lot.tied == (BERND, CARLA)
    assert result.second_round == (ANNA, lot_order([BERND, CARLA], SEED)[0])


def test_the_second_round_can_be_a_plain_majority_among_all_listed():
    ballots = [{ANNA}] * 10 + [{BERND}] * 6 + [{CARLA}] * 5
    result = single_seat(FOUR[:3], ballots, seed=SEED, second_round="plurality")
    assert result.second_round == (ANNA, BERND, CARLA)
    tie = single_seat(FOUR[:3], [{ANNA}] * 7 + [{CARLA}] * 7, seed=SEED, round_number=2)
    assert tie.elected == (lot_order([ANNA, CARLA], SEED)[0],)
    assert tie.lots[0].tied == (ANNA, CARLA)


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "majority", "elected"),
    [
        (10, 9, 30, "simple", True),
        (10, 10, 0, "simple", False),
        (10, 9, 30, "absolute", False),
        (25, 9, 15, "absolute", True),
        (25, 9, 16, "absolute", False),  # 25 of 50 is not more than half
    ],
)
def test_one_candidate_is_elected_with_the_configured_majority(
    yes, no, abstain, majority, elected
):
    ballots = (
        [{ANNA: "yes"}] * yes + [{ANNA: "no"}] * no + [{ANNA: "abstain"}] * abstain
    )
    result = single_candidate(FOUR[0], ballots, majority=majority)
    assert (result.elected == (ANNA,)) is elected
    assert result.rounds[0].detail[ANNA] == {"yes": yes, "no": no, "abstain": abstain}
    assert result.outcome == ("elected" if elected else "not_elected")


def test_approval_elects_by_yes_votes_among_those_with_more_than_half():
    """Beisitzer:innen, 3 seats, 20 ballots: Anna 15 yes, Bernd 12, Carla 10 (not
    more than half), Dirk 11. Elected Anna, Bernd, Dirk; Carla not."""
    ballots = []
    for i in range(20):
        ballots.append(
            {
                ANNA: "yes" if i < 15 else "no",
                BERND: "yes" if i < 12 else "abstain",
                CARLA: "yes" if i < 10 else "no",
                DIRK: "yes" if i >= 9 else "no",
            }
        )
    result = approval(FOUR, ballots, seats=3, seed=SEED)
    assert result.elected == (ANNA, BERND, DIRK)
    assert result.outcome == "elected"
    assert result.rounds[0].detail[CARLA] == {"yes": 10, "no": 10, "abstain": 0}


def test_approval_leaves_seats_open_when_too_few_reach_the_minimum():
    ballots = [{ANNA: "yes", BERND: "no"}] * 6 + [{ANNA: "no", BERND: "yes"}] * 4
    result = approval(FOUR[:2], ballots, seats=2, seed=SEED)
    assert result.elected == (ANNA,)
    assert result.outcome == "open_seats" and result.open_seats == 1


def test_block_elects_the_n_with_most_votes_optionally_above_a_share():
    ballots = [{ANNA, BERND}] * 5 + [{CARLA, BERND}] * 4 + [{DIRK}] * 1
    result = block(FOUR, ballots, seats=2, seed=SEED)
    assert result.elected == (BERND, ANNA)
    strict = block(FOUR, ballots, seats=2, seed=SEED, min_share=Fraction(1, 2))
    assert strict.elected == (BERND,) and strict.open_seats == 1


def test_a_tie_for_the_last_seat_is_decided_by_lot_and_reported():
    ballots = [{ANNA, BERND}] * 5 + [{ANNA, CARLA}] * 5
    result = block(FOUR[:3], ballots, seats=2, seed=SEED)
    (lot,) = result.lots
    assert lot.purpose == "seat" and lot.tied == (BERND, CARLA)
    assert result.elected == (ANNA, lot_order([BERND, CARLA], SEED)[0])


def test_bad_ballots_are_refused():
    with pytest.raises(ValueError):
        single_seat(FOUR, [{ANNA, BERND}], seed=SEED)
    with pytest.raises(ValueError):
        block(FOUR, [{9}], seats=2, seed=SEED)
    with pytest.raises(ValueError):
        approval(FOUR, [{ANNA: "maybe"}], seats=2, seed=SEED)  # type: ignore[dict-item]


def test_only_abstentions_elect_nobody():
    first = single_seat(FOUR[:2], [set()] * 5, seed=SEED)
    assert first.outcome == "second_round" and first.elected == ()
    second = single_seat(FOUR[:2], [set()] * 5, seed=SEED, round_number=2)
    assert second.outcome == "not_elected" and second.open_seats == 1
    assert single_seat(FOUR[:2], [], seed=SEED).outcome == "empty"


def test_a_result_serialises_for_storage_and_the_api():
    import json

    result = approval(FOUR[:2], [{ANNA: "yes", BERND: "no"}] * 3, seats=1, seed=SEED)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["elected"] == [ANNA]
    assert data["rule"]["msgid"] == result.rule.msgid
    assert data["rounds"][0]["detail"][str(ANNA)] == {"yes": 3, "no": 0, "abstain": 0}
