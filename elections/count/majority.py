"""Single-seat elections (Einzelwahl).

Several candidates, round 1: elected is who has more than half of the valid votes
(ballots naming a candidate; abstentions count as valid votes only where the
statute says so: `abstentions_count`). Without such a majority a second round is
needed: either a runoff between the two strongest (a tie for second place is
decided by lot), or a new ballot among all listed candidates (`second_round =
"plurality"`). In round 2 the most votes win; a tie for first is decided by lot.

One candidate: yes/no/abstain. Elected with more yes than no votes (`simple`), or
with more yes votes than half of all valid votes, abstentions included
(`absolute`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Literal

from .result import (
    N_,
    Candidate,
    CountResult,
    Round,
    Sentence,
    Vote,
    boundary_lots,
    check_candidates,
    lot_sentence,
    ranked_by,
    say,
)

SecondRound = Literal["runoff", "plurality"]
YesNoMajority = Literal["simple", "absolute"]

RULE_SINGLE_SEAT = N_(
    "Einzelwahl: im ersten Wahlgang ist gewählt, wer mehr als die Hälfte der "
    "gültigen Stimmen erhält; sonst entscheidet ein zweiter Wahlgang, in dem die "
    "meisten Stimmen genügen; bei Stimmengleichheit entscheidet das Los."
)
RULE_SINGLE_CANDIDATE = N_(
    "Einzelwahl mit einer Bewerbung: Ja, Nein oder Enthaltung; gewählt ist, wer "
    "mehr Ja- als Nein-Stimmen erhält."
)
RULE_SINGLE_CANDIDATE_ABSOLUTE = N_(
    "Einzelwahl mit einer Bewerbung: Ja, Nein oder Enthaltung; gewählt ist, wer "
    "mehr Ja-Stimmen erhält als die Hälfte der gültigen Stimmen, Enthaltungen "
    "eingeschlossen."
)


def single_seat(
    candidates: Sequence[Candidate],
    ballots: Sequence[Collection[int]],
    *,
    seed: str,
    round_number: int = 1,
    second_round: SecondRound = "runoff",
    abstentions_count: bool = False,
    statute_reference: str = "",
) -> CountResult:
    """One seat, several candidates; each ballot names one candidate or none
    (an abstention). See the module text for the rule."""
    by_id = check_candidates(candidates)
    if round_number not in (1, 2):
        raise ValueError("a single-seat election has a first and a second round")
    counts: Counter[int] = Counter({c: 0 for c in by_id})
    abstentions = 0
    for ballot in ballots:
        if len(ballot) > 1:
            raise ValueError("a single-seat ballot names at most one candidate")
        if not ballot:
            abstentions += 1
            continue
        (choice,) = tuple(ballot)
        if choice not in by_id:
            raise ValueError(f"unknown candidate {choice}")
        counts[choice] += 1
    valid = sum(counts.values()) + (abstentions if abstentions_count else 0)
    votes = {c: Decimal(n) for c, n in counts.items()}
    rounds = (Round(1, "count", votes, detail={0: {"abstain": abstentions}}),)
    base = CountResult(
        method="single_seat",
        rule=Sentence(RULE_SINGLE_SEAT),
        statute_reference=statute_reference,
        seats=1,
        ballots=len(ballots),
        outcome="empty",
        rounds=rounds,
    )
    notes = [
        say(
            N_(
                "%(ballots)s gültige Stimmzettel, davon %(abstentions)s "
                "Enthaltungen; %(valid)s gültige Stimmen zählen für die Mehrheit."
            ),
            ballots=len(ballots),
            abstentions=abstentions,
            valid=valid,
        )
    ]
    if not valid or not any(counts.values()):
        notes.append(say(N_("Niemand hat eine Stimme erhalten; niemand ist gewählt.")))
        outcome = (
            "empty"
            if not ballots
            else "second_round"
            if round_number == 1
            else "not_elected"
        )
        return replace(
            base,
            outcome=outcome,
            open_seats=1,
            second_round=tuple(by_id) if outcome == "second_round" else (),
            explanation=tuple(notes),
        )
    order, lots = ranked_by(by_id, counts, seed, "order")
    leader = order[0]
    if round_number == 1 and 2 * counts[leader] > valid:
        notes.append(
            say(
                N_(
                    "%(candidate)s erhält %(votes)s von %(valid)s gültigen Stimmen, "
                    "mehr als die Hälfte, und ist gewählt."
                ),
                candidate=[leader],
                votes=counts[leader],
                valid=valid,
            )
        )
        return replace(
            base,
            outcome="elected",
            elected=(leader,),
            explanation=tuple(notes),
        )
    if round_number == 1:
        notes.append(
            say(
                N_(
                    "Niemand erhält mehr als die Hälfte der %(valid)s gültigen "
                    "Stimmen (nötig: %(needed)s)."
                ),
                valid=valid,
                needed=valid // 2 + 1,
            )
        )
        if second_round == "plurality" or len(order) <= 2:
            notes.append(
                say(
                    N_(
                        "Ein zweiter Wahlgang ist nötig; in ihm sind alle "
                        "Bewerbungen wählbar, und die meisten Stimmen genügen."
                    )
                )
            )
            return replace(
                base,
                outcome="second_round",
                open_seats=1,
                second_round=tuple(sorted(by_id)),
                explanation=tuple(notes),
            )
        top, second = order[0], order[1]
        runoff_lots = boundary_lots(lots, set(order[:2]), "second_round")
        for lot in runoff_lots:
            notes.append(lot_sentence(lot))
        notes.append(
            say(
                N_(
                    "Ein zweiter Wahlgang ist nötig: Stichwahl zwischen den beiden "
                    "Stärksten, %(candidates)s."
                ),
                candidates=[top, second],
            )
        )
        return replace(
            base,
            outcome="second_round",
            open_seats=1,
            second_round=(top, second),
            lots=tuple(runoff_lots),
            explanation=tuple(notes),
        )
    win_lots = boundary_lots(lots, {leader}, "order")
    for lot in win_lots:
        notes.append(lot_sentence(lot))
    notes.append(
        say(
            N_(
                "Im zweiten Wahlgang genügen die meisten Stimmen: %(candidate)s ist "
                "mit %(votes)s Stimmen gewählt."
            ),
            candidate=[leader],
            votes=counts[leader],
        )
    )
    return replace(
        base,
        outcome="elected",
        elected=(leader,),
        lots=tuple(win_lots),
        explanation=tuple(notes),
    )


def single_candidate(
    candidate: Candidate,
    ballots: Sequence[Mapping[int, Vote]],
    *,
    majority: YesNoMajority = "simple",
    statute_reference: str = "",
) -> CountResult:
    """One seat, one candidate: yes/no/abstain (a ballot without a mark for the
    candidate abstains). See the module text for the majorities."""
    tally = Counter(b.get(candidate.id, "abstain") for b in ballots)
    if set(tally) - {"yes", "no", "abstain"}:
        raise ValueError("a vote is yes, no or abstain")
    yes, no, abstain = tally["yes"], tally["no"], tally["abstain"]
    if majority == "simple":
        carried, rule = yes > no, RULE_SINGLE_CANDIDATE
    else:
        carried, rule = 2 * yes > yes + no + abstain, RULE_SINGLE_CANDIDATE_ABSOLUTE
    notes = [
        say(
            N_("%(candidate)s: %(yes)s Ja, %(no)s Nein, %(abstain)s Enthaltungen."),
            candidate=[candidate.id],
            yes=yes,
            no=no,
            abstain=abstain,
        ),
        say(N_("%(candidate)s ist gewählt."), candidate=[candidate.id])
        if carried
        else say(
            N_(
                "%(candidate)s hat die nötige Mehrheit nicht erreicht und ist nicht "
                "gewählt; der Sitz bleibt offen."
            ),
            candidate=[candidate.id],
        ),
    ]
    return CountResult(
        method="single_candidate",
        rule=Sentence(rule),
        statute_reference=statute_reference,
        seats=1,
        ballots=len(ballots),
        outcome="elected" if carried else ("empty" if not ballots else "not_elected"),
        elected=(candidate.id,) if carried else (),
        rounds=(
            Round(
                1,
                "count",
                {candidate.id: Decimal(yes)},
                detail={candidate.id: {"yes": yes, "no": no, "abstain": abstain}},
            ),
        ),
        open_seats=0 if carried else 1,
        explanation=tuple(notes),
    )
