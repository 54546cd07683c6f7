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

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from ortsverein.lot import lot_order

from .result import (
    N_,
    Candidate,
    CountResult,
    Lot,
    Round,
    Sentence,
    check_candidates,
    say,
)

UNIT = 100_000  # 1 vote = 100,000 units of 0.00001 (rule 48: five decimal places)

RULE_SCOTTISH = N_(
    "Übertragbare Einzelstimmgebung (STV) nach den schottischen Regeln (Scottish "
    "Local Government Elections Order 2007, Anhang 1, Regeln 45 bis 52): "
    "Droop-Quote, Übertragung der Überschüsse aller Stimmzettel auf fünf "
    "Dezimalstellen, Ausschluss der Schwächsten."
)


def scottish_stv(
    candidates: Sequence[Candidate],
    ballots: Sequence[Sequence[int]],
    *,
    seats: int,
    seed: str,
    statute_reference: str = "",
) -> CountResult:
    """Count ranked ballots (preferences, best first) under Scottish STV."""
    by_id = check_candidates(candidates)
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    papers = _papers(ballots, by_id)
    valid = sum(n for _, n in papers)
    quota_units = (valid // (seats + 1) + 1) * UNIT
    # A parcel: [preferences, number of papers, value per paper in units, position]
    parcels: list[list[object]] = []
    pile: dict[int, list[list[object]]] = {c: [] for c in by_id}
    votes: dict[int, int] = {c: 0 for c in by_id}
    for prefs, n in papers:
        parcel: list[object] = [prefs, n, UNIT, 0]
        parcels.append(parcel)
        pile[prefs[0]].append(parcel)
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

    def deem_elected() -> list[int]:
        new = by_votes([c for c in continuing if votes[c] >= quota_units])
        for c in new:
            continuing.discard(c)
            elected.append(c)
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

    def move(parcel: list[object], value: int) -> int:
        """Pass a parcel on at `value` to its next continuing preference; return
        the votes it loses as non-transferable."""
        prefs, n, _old, pos = parcel
        assert isinstance(prefs, tuple) and isinstance(n, int) and isinstance(pos, int)
        for i in range(pos + 1, len(prefs)):
            if prefs[i] in continuing:
                parcel[2], parcel[3] = value, i
                pile[prefs[i]].append(parcel)
                votes[prefs[i]] += n * value
                return 0
        return n * value

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
        if len(continuing) <= vacancies:  # rule 52
            last = by_votes(sorted(continuing))
            for c in last:
                continuing.discard(c)
                elected.append(c)
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
            lost = 0
            for parcel in pile[donor]:
                value = parcel[2]
                assert isinstance(value, int)
                lost += move(parcel, surplus * value // total)
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
        low = min(votes[c] for c in continuing)  # rules 50 and 51
        tied = sorted(c for c in continuing if votes[c] == low)
        out = tied[0] if len(tied) == 1 else tie_break(tied, True, "exclusion")
        continuing.discard(out)
        excluded.append(out)
        for parcel in pile[out]:
            value = parcel[2]
            assert isinstance(value, int)
            move(parcel, value)
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
        quota=_dec(quota_units),
        explanation=tuple(notes),
    )


def _papers(
    ballots: Sequence[Sequence[int]], by_id: dict[int, Candidate]
) -> list[tuple[tuple[int, ...], int]]:
    """Identical ballots counted once with their number; blank ones left out."""
    counted = Counter(tuple(b) for b in ballots if b)
    for prefs in counted:
        if len(set(prefs)) != len(prefs) or set(prefs) - set(by_id):
            raise ValueError("a ballot ranks an unknown candidate or one twice")
    return sorted(counted.items())


def _dec(units: int) -> Decimal:
    return Decimal(units).scaleb(-5)
