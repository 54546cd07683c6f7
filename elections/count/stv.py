"""Scottish STV: the Scottish Local Government Elections Order 2007, Schedule 1,
rules 45 to 52 (SSI 2007/42), for delegations and other multi-seat elections.

- Rule 46: quota = floor(valid ballot papers / (seats + 1)) + 1.
- Rule 47: a candidate whose votes equal or exceed the quota is deemed elected at
  the end of a stage (several in one stage: most votes first).
- Rule 48: a surplus is transferred from every paper the candidate holds, each at
  surplus x its value when received / the candidate's votes, to five decimal
  places with the remainder ignored; papers without a next available preference
  are non-transferable. Arithmetic here is exact, in integers of 0.00001 votes.
- Rule 49: the largest surplus first; equal surpluses: who had more votes at the
  end of the most recent preceding stage at which they differed; else by lot.
- Rule 50: with no surplus to transfer, the candidate with fewest votes is
  excluded and every paper passes on at the value it had.
- Rule 51: equal lowest: who had fewer votes at the most recent preceding stage
  at which they differed is excluded; else by lot.
- Rule 52: when the continuing candidates are as many as the vacancies, they are
  elected and no further transfer is made.
Lot: ortsverein.lot.lot_order over the tied candidates (first drawn ranks first;
the last drawn is excluded, the first drawn transfers first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ortsverein.lot import lot_order

from .gender import Guard
from .result import (
    N_,
    Candidate,
    CountResult,
    GenderQuota,
    Lot,
    QuotaSeat,
    Round,
    Sentence,
    check_candidates,
    count_papers,
    say,
)

UNIT = 100_000  # 1 vote = 100,000 units of 0.00001 (rule 48: five decimal places)

RULE_SCOTTISH = N_(
    "Übertragbare Einzelstimmgebung (STV) nach den schottischen Regeln (Scottish "
    "Local Government Elections Order 2007, Anhang 1, Regeln 45 bis 52): "
    "Droop-Quote, Übertragung der Überschüsse aller Stimmzettel auf fünf "
    "Dezimalstellen, Ausschluss der Schwächsten."
)


@dataclass(slots=True)
class Parcel:
    """Identical ballot papers that travel together: their preferences, how many
    they are, the value of each (in units of 0.00001) and the position of the
    preference that holds them."""

    prefs: tuple[int, ...]
    papers: int
    value: int
    pos: int


def scottish_stv(
    candidates: Sequence[Candidate],
    ballots: Sequence[Sequence[int]],
    *,
    seats: int,
    seed: str,
    gender_quota: GenderQuota | None = None,
    statute_reference: str = "",
) -> CountResult:
    """Count ranked ballots (preferences, best first) under Scottish STV; with a
    gender quota, candidates it blocks are excluded (gender.Guard)."""
    by_id = check_candidates(candidates)
    guard = Guard(gender_quota, seats, by_id)
    quota_seats: list[QuotaSeat] = []
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    papers = count_papers(ballots, by_id)
    valid = sum(n for _, n in papers)
    quota_units = (valid // (seats + 1) + 1) * UNIT
    pile: dict[int, list[Parcel]] = {c: [] for c in by_id}
    votes: dict[int, int] = {c: 0 for c in by_id}
    for prefs, n in papers:
        pile[prefs[0]].append(Parcel(prefs, n, UNIT, 0))
        votes[prefs[0]] += n * UNIT
    continuing = set(by_id)
    elected: list[int] = []
    pending: list[int] = []  # deemed elected, surplus not yet transferred
    excluded: list[int] = []
    history: list[dict[int, int]] = []  # the votes at the end of each stage
    rounds: list[Round] = []
    lots: list[Lot] = []
    notes: list[Sentence] = [
        say(
            N_(
                "%(valid)s gültige Stimmzettel, %(seats)s Sitze: die Quote ist "
                "%(quota)s Stimmen."
            ),
            valid=valid,
            seats=seats,
            quota=quota_units // UNIT,
        )
    ]

    def tie_break(tied: list[int], lowest: bool, purpose: str) -> int:
        """Rules 49(2), 51(2): the most recent preceding stage where they differed;
        else the lot."""
        for past in reversed(history):  # where they tie now, they are skipped
            if len({past[c] for c in tied}) > 1:
                pick = min if lowest else max
                best = pick(past[c] for c in tied)
                narrowed = [c for c in tied if past[c] == best]
                if len(narrowed) == 1:
                    return narrowed[0]
                tied = narrowed
        drawn = lot_order(sorted(tied), seed)
        lots.append(Lot(purpose, tuple(sorted(tied)), tuple(drawn)))
        notes.append(
            say(
                N_(
                    "Stimmengleichheit zwischen %(tied)s in jeder Stufe: das Los "
                    "aus der Prüfsumme der Urne ergibt die Reihenfolge %(order)s."
                ),
                tied=sorted(tied),
                order=drawn,
            )
        )
        return drawn[-1] if lowest else drawn[0]

    def by_votes(group: list[int]) -> list[int]:
        ordered: list[int] = []
        rest = list(group)
        while rest:
            top = max(votes[c] for c in rest)
            tied = [c for c in rest if votes[c] == top]
            first = tied[0] if len(tied) == 1 else tie_break(tied, False, "order")
            ordered.append(first)
            rest.remove(first)
        return ordered

    def elect(c: int) -> None:
        if guard.reserved(elected) and guard.passed_over:
            quota_seats.append(
                QuotaSeat(
                    len(elected) + 1, c, by_id[c].gender or "", tuple(guard.passed_over)
                )
            )
        continuing.discard(c)
        elected.append(c)

    def deem_elected() -> list[int]:
        new: list[int] = []
        for c in by_votes([c for c in continuing if votes[c] >= quota_units]):
            if guard.blocked(c, elected):
                continue  # excluded by quota at the start of the next stage
            new.append(c)
            elect(c)
            if votes[c] > quota_units:
                pending.append(c)
            notes.append(
                say(
                    N_("%(candidate)s erreicht mit %(votes)s Stimmen die Quote."),
                    candidate=[c],
                    votes=_dec(votes[c]),
                )
            )
        return new

    def move(parcel: Parcel, value: int) -> None:
        """Pass a parcel on at `value` to its next continuing preference, or leave
        it non-transferable (what no candidate holds is non-transferable)."""
        prefs = parcel.prefs
        for i in range(parcel.pos + 1, len(prefs)):
            if prefs[i] in continuing:
                parcel.value, parcel.pos = value, i
                pile[prefs[i]].append(parcel)
                votes[prefs[i]] += parcel.papers * value
                return

    def record(
        action: str, subject: int | None, new: list[int], out: list[int]
    ) -> None:
        held = sum(votes.values())
        history.append(dict(votes))
        rounds.append(
            Round(
                len(rounds) + 1,
                action,
                {c: _dec(v) for c, v in votes.items()},
                subject=subject,
                elected=tuple(new),
                excluded=tuple(out),
                non_transferable=_dec(valid * UNIT - held),
            )
        )

    if not valid:
        return CountResult(
            method="scottish_stv",
            rule=Sentence(RULE_SCOTTISH),
            statute_reference=statute_reference,
            seats=seats,
            ballots=len(ballots),
            outcome="empty",
            open_seats=seats,
            explanation=(say(N_("Kein gültiger Stimmzettel; niemand ist gewählt.")),),
        )
    record("count", None, deem_elected(), [])
    while len(elected) < seats:
        vacancies = seats - len(elected)
        barred = sorted(c for c in continuing if guard.blocked(c, elected))
        if barred:
            for c in barred:
                continuing.discard(c)
                excluded.append(c)
                notes.append(guard.blocked_sentence(c))
            for c in barred:
                for parcel in pile[c]:
                    move(parcel, parcel.value)
                pile[c] = []
                votes[c] = 0
            record("quota_exclusion", None, deem_elected(), barred)
            continue
        if len(continuing) <= vacancies:  # rule 52
            last = []
            for c in by_votes(sorted(continuing)):
                if guard.blocked(c, elected):
                    continuing.discard(c)
                    notes.append(guard.blocked_sentence(c))
                else:
                    last.append(c)
                    elect(c)
            if last:
                notes.append(
                    say(
                        N_(
                            "Noch so viele Bewerbungen wie offene Sitze: "
                            "%(candidates)s sind gewählt."
                        ),
                        candidates=last,
                    )
                )
            rounds.append(
                Round(
                    len(rounds) + 1,
                    "last_seats",
                    {c: _dec(v) for c, v in votes.items()},
                    elected=tuple(last),
                    non_transferable=rounds[-1].non_transferable,
                )
            )
            break
        if pending:  # rules 48 and 49
            top = max(votes[c] for c in pending)
            tied = [c for c in pending if votes[c] == top]
            donor = (
                tied[0] if len(tied) == 1 else tie_break(tied, False, "surplus_order")
            )
            pending.remove(donor)
            total = votes[donor]
            surplus = total - quota_units
            for parcel in pile[donor]:
                move(parcel, surplus * parcel.value // total)
            pile[donor] = []
            votes[donor] = quota_units
            notes.append(
                say(
                    N_(
                        "Der Überschuss von %(candidate)s (%(surplus)s Stimmen) "
                        "wird übertragen."
                    ),
                    candidate=[donor],
                    surplus=_dec(surplus),
                )
            )
            record("surplus", donor, deem_elected(), [])
            continue
        free = [c for c in continuing if not guard.protected(c, elected, continuing)]
        low = min(votes[c] for c in free or continuing)  # rules 50 and 51
        tied = sorted(c for c in free or continuing if votes[c] == low)
        out = tied[0] if len(tied) == 1 else tie_break(tied, True, "exclusion")
        continuing.discard(out)
        excluded.append(out)
        for parcel in pile[out]:
            move(parcel, parcel.value)
        pile[out] = []
        votes[out] = 0
        notes.append(
            say(
                N_(
                    "%(candidate)s hat mit %(votes)s die wenigsten Stimmen und "
                    "scheidet aus; die Stimmzettel gehen mit ihrem Wert weiter."
                ),
                candidate=[out],
                votes=_dec(low),
            )
        )
        record("exclusion", out, deem_elected(), [out])
    notes.append(say(N_("Gewählt sind %(candidates)s."), candidates=elected))
    open_seats = seats - len(elected)
    if open_seats and any(guard.needs(elected).values()):
        notes.append(guard.open_sentence(open_seats, elected))
    return CountResult(
        method="scottish_stv",
        rule=Sentence(RULE_SCOTTISH),
        statute_reference=statute_reference,
        seats=seats,
        ballots=len(ballots),
        outcome="empty" if not valid else "open_seats" if open_seats else "elected",
        elected=tuple(elected),
        rounds=tuple(rounds),
        lots=tuple(lots),
        open_seats=open_seats,
        quota_seats=tuple(quota_seats),
        quota=_dec(quota_units),
        explanation=tuple(notes),
    )


def _dec(units: int) -> Decimal:
    return Decimal(units).scaleb(-5)
