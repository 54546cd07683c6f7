"""Several seats by approval (Listenwahl) and by "up to N votes" (Blockwahl).

Listenwahl: each ballot says yes, no or abstain for every candidate (no mark is an
abstention). A candidate is eligible with more yes votes than `min_share` of the
base: the valid ballots (`share_base = "ballots"`, e.g. more than 50 % of the
valid ballots) or the candidate's own yes and no votes (`"yes_no"`). The eligible
are elected in order of yes votes up to the seats.

Blockwahl: each ballot names up to N candidates (N is checked when voting). The
candidates with the most votes are elected; with `min_share` each needs more
votes than that share of the valid ballots.

Both: equal votes are ordered by lot; a gender quota (gender.fill_seats) may give
a seat to a lower placed candidate or leave seats open; seats for which too few
candidates are eligible stay open for a further round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from .gender import fill_seats
from .result import (
    N_,
    Candidate,
    CountResult,
    GenderQuota,
    Lot,
    Round,
    Sentence,
    Vote,
    check_candidates,
    lot_sentence,
    percent,
    ranked_by,
    say,
)

ShareBase = Literal["ballots", "yes_no"]

RULE_APPROVAL = N_(
    "Listenwahl mit Ja, Nein oder Enthaltung je Bewerbung: gewählt sind in der "
    "Reihenfolge der Ja-Stimmen, wer den Mindestanteil an Ja-Stimmen erreicht, bis "
    "alle Sitze besetzt sind; bei Stimmengleichheit entscheidet das Los."
)
RULE_BLOCK = N_(
    "Blockwahl: jede Person hat bis zu so viele Stimmen, wie Sitze zu besetzen "
    "sind; gewählt sind die Bewerbungen mit den meisten Stimmen; bei "
    "Stimmengleichheit entscheidet das Los."
)


def approval(
    candidates: Sequence[Candidate],
    ballots: Sequence[Mapping[int, Vote]],
    *,
    seats: int,
    seed: str,
    min_share: Fraction = Fraction(1, 2),
    share_base: ShareBase = "ballots",
    gender_quota: GenderQuota | None = None,
    statute_reference: str = "",
) -> CountResult:
    """Listenwahl: see the module text for the rule."""
    by_id = check_candidates(candidates)
    detail = {c: {"yes": 0, "no": 0, "abstain": 0} for c in by_id}
    for ballot in ballots:
        unknown = set(ballot) - set(by_id)
        if unknown:
            raise ValueError(f"unknown candidates {sorted(unknown)}")
        for c in by_id:
            vote = ballot.get(c, "abstain")
            if vote not in ("yes", "no", "abstain"):
                raise ValueError("a vote is yes, no or abstain")
            detail[c][vote] += 1
    yes = {c: detail[c]["yes"] for c in by_id}

    def eligible(c: int) -> bool:
        base = len(ballots) if share_base == "ballots" else yes[c] + detail[c]["no"]
        return yes[c] > 0 and yes[c] > min_share * base

    return _elect(
        "approval",
        Sentence(RULE_APPROVAL),
        by_id,
        len(ballots),
        yes,
        detail,
        eligible,
        min_share,
        seats=seats,
        seed=seed,
        gender_quota=gender_quota,
        statute_reference=statute_reference,
    )


def block(
    candidates: Sequence[Candidate],
    ballots: Sequence[Collection[int]],
    *,
    seats: int,
    seed: str,
    min_share: Fraction = Fraction(0),
    gender_quota: GenderQuota | None = None,
    statute_reference: str = "",
) -> CountResult:
    """Blockwahl: see the module text for the rule."""
    by_id = check_candidates(candidates)
    votes: Counter[int] = Counter({c: 0 for c in by_id})
    for ballot in ballots:
        named = set(ballot)
        if len(named) != len(ballot) or named - set(by_id):
            raise ValueError("a ballot names unknown candidates or one twice")
        votes.update(named)

    def eligible(c: int) -> bool:
        return votes[c] > 0 and votes[c] > min_share * len(ballots)

    return _elect(
        "block",
        Sentence(RULE_BLOCK),
        by_id,
        len(ballots),
        dict(votes),
        {},
        eligible,
        min_share,
        seats=seats,
        seed=seed,
        gender_quota=gender_quota,
        statute_reference=statute_reference,
    )


def _elect(
    method: str,
    rule: Sentence,
    by_id: dict[int, Candidate],
    ballots: int,
    votes: dict[int, int],
    detail: dict[int, dict[str, int]],
    eligible: Callable[[int], bool],
    min_share: Fraction,
    *,
    seats: int,
    seed: str,
    gender_quota: GenderQuota | None,
    statute_reference: str,
) -> CountResult:
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    order, ties = ranked_by(by_id, votes, seed, "order")
    ranking = [c for c in order if eligible(c)]
    notes: list[Sentence] = [
        say(N_("%(ballots)s gültige Stimmzettel."), ballots=ballots),
    ]
    if min_share:
        notes.append(
            say(
                N_(
                    "Mindestanteil: mehr als %(share)s %% der Stimmen; erreicht "
                    "von %(candidates)s."
                ),
                share=percent(min_share),
                candidates=ranking,
            )
        )
    filled = fill_seats(ranking, seats, by_id, gender_quota)
    notes.extend(filled.explanation)
    elected = filled.elected
    lots = _deciding_lots(ties, elected)
    notes.extend(lot_sentence(lot) for lot in lots)
    if elected:
        notes.append(say(N_("Gewählt sind %(candidates)s."), candidates=list(elected)))
    if filled.open_seats:
        notes.append(
            say(
                N_(
                    "%(open)s von %(seats)s Sitzen bleiben offen und werden in einem "
                    "weiteren Wahlgang besetzt."
                ),
                open=filled.open_seats,
                seats=seats,
            )
        )
    return CountResult(
        method=method,
        rule=rule,
        statute_reference=statute_reference,
        seats=seats,
        ballots=ballots,
        outcome=(
            "empty" if not ballots else "open_seats" if filled.open_seats else "elected"
        ),
        elected=elected,
        rounds=(
            Round(
                1,
                "count",
                {c: Decimal(v) for c, v in votes.items()},
                elected=elected,
                detail=detail,
            ),
        ),
        quota_seats=filled.quota_seats,
        lots=tuple(lots),
        open_seats=filled.open_seats,
        explanation=tuple(notes),
    )


def _deciding_lots(ties: list[Lot], elected: tuple[int, ...]) -> list[Lot]:
    """Ties with an elected candidate in them: the lot decided a seat or the
    order of the elected."""
    chosen = set(elected)
    return [
        Lot("seat" if set(lot.tied) - chosen else "order", lot.tied, lot.order)
        for lot in ties
        if chosen & set(lot.tied)
    ]
