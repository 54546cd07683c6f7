"""A round's sealed ballots, as option ids of its poll, turned into the count's
terms (candidacy ids; count.py knows no polls) and counted by the election's
method, ties decided by lot from the ballot-box digest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

from models import Election, ElectionMethod, ElectionRound, Runoff

from . import count

YES_NO: dict[str, count.Vote] = {"Ja": "yes", "Nein": "no", "Enthaltung": "abstain"}
# The profile stores "w" (weiblich); the count's quota speaks of "f".
QUOTA_GENDER = {"w": "f", "m": "m", "d": "d"}


@dataclass(frozen=True)
class RoundCount:
    """What the round decided, in candidacy ids, with the count's full result."""

    outcome: str
    elected: tuple[int, ...]
    by_quota: frozenset[int]
    result: dict

    def as_json(self) -> str:
        return json.dumps(self.result, sort_keys=True)


def count_round(
    election: Election, rnd: ElectionRound, ballots: list[list[int]]
) -> RoundCount:
    """Count one sealed round by the election's method."""
    seed = rnd.poll.ballot_digest or ""
    on_ballot = [rc.candidacy for rc in rnd.candidates]
    candidates = [
        count.Candidate(c.id, QUOTA_GENDER.get(c.member.gender or ""))
        for c in on_ballot
    ]
    by_option = {rc.option_id: rc.candidacy_id for rc in rnd.candidates}
    quota = (
        count.GenderQuota(Fraction(election.quota_percent) / 100)
        if election.quota_percent and rnd.seats > 1
        else None
    )
    reference = election.statute_reference
    if election.method == ElectionMethod.APPROVAL:
        result = count.approval(
            candidates,
            _answers(rnd, candidates, by_option, ballots),
            seats=rnd.seats,
            seed=seed,
            min_share=Fraction(election.min_yes_percent) / 100,
            share_base="yes_no",
            gender_quota=quota,
            statute_reference=reference,
        )
    elif len(candidates) == 1:
        labels = {o.id: o.label for o in rnd.poll.options}
        only = candidates[0]
        yes_no = [{only.id: YES_NO[labels[b[0]]]} if b else {} for b in ballots]
        result = count.single_candidate(only, yes_no, statute_reference=reference)
    elif election.method == ElectionMethod.SINGLE:
        result = count.single_seat(
            candidates,
            [{by_option[o] for o in b} for b in ballots],
            seed=seed,
            round_number=2 if _is_second_round(election, rnd) else 1,
            second_round="runoff" if election.runoff == Runoff.TOP_TWO else "plurality",
            statute_reference=reference,
        )
    elif election.method == ElectionMethod.BLOCK:
        result = count.block(
            candidates,
            [{by_option[o] for o in b} for b in ballots],
            seats=rnd.seats,
            seed=seed,
            gender_quota=quota,
            statute_reference=reference,
        )
    else:
        stv = (
            count.scottish_stv
            if election.method == ElectionMethod.STV_SCOTTISH
            else count.meek_stv
        )
        result = stv(
            candidates,
            [[by_option[o] for o in b] for b in ballots],
            seats=rnd.seats,
            seed=seed,
            gender_quota=quota,
            statute_reference=reference,
        )
    return RoundCount(
        outcome=result.outcome,
        elected=tuple(result.elected),
        by_quota=frozenset(q.candidate for q in result.quota_seats),
        result=result.as_dict(),
    )


def _answers(
    rnd: ElectionRound,
    candidates: list[count.Candidate],
    by_option: dict[int | None, int],
    ballots: list[list[int]],
) -> list[dict[int, count.Vote]]:
    """Listenwahl ballots as {candidacy id: yes/no} (left out: abstain). With
    several candidates the poll asks yes/no/abstain for each (option id yes,
    negated no); a lone candidate's ballot is a yes/no/abstain poll's one option."""
    if len(candidates) == 1:
        labels = {o.id: o.label for o in rnd.poll.options}
        return [{candidates[0].id: YES_NO[labels[b[0]]]} if b else {} for b in ballots]
    return [
        {by_option[abs(c)]: "yes" if c > 0 else "no" for c in ballot}
        for ballot in ballots
    ]


def _is_second_round(election: Election, rnd: ElectionRound) -> bool:
    """A single-seat round after one that asked for a second round."""
    earlier = [r for r in election.rounds if r.number < rnd.number and r.result_json]
    return bool(earlier) and (
        json.loads(earlier[-1].result_json or "{}").get("outcome") == "second_round"
    )
