"""Meek STV, as specified by Hill, Wichmann and Woodall, "Algorithm 123: Single
Transferable Vote by Meek's Method" (Computer Journal 30(3), 1987) and adopted by
New Zealand (Local Electoral Regulations 2001, Schedule 1A).

- Every candidate has a keep value: 1 while hopeful, 0 once excluded, and for an
  elected candidate the share of each vote reaching them that they keep.
- Each ballot starts with weight 1 and passes down its preferences: a candidate
  keeps weight x keep value (rounded up to 9 decimal places) and passes on the
  rest; what is left after the last preference is non-transferable (excess).
- Quota = (valid ballots - excess) / (seats + 1), truncated to 9 decimal places,
  plus 0.000000001. A hopeful candidate with votes >= quota is elected.
- Iteration: each elected candidate's keep value becomes keep x quota / votes
  (rounded up to 9 decimal places), the votes are distributed again, until the
  elected candidates' surpluses add up to no more than the tolerance (0.00001
  votes by default) or a hopeful candidate reaches the quota.
- Then, if seats remain, the hopeful candidate with fewest votes is excluded;
  equal lowest: who was behind at the first stage where they differed (New
  Zealand's "ahead at first difference"); else by lot (the last drawn is
  excluded). When the elected and hopeful together are no more than the seats,
  the hopeful are elected.
Arithmetic is exact, in integers of 10^-9 votes. Ballots that pass the same
elected candidates to the same first hopeful one share one path through a prefix
tree, built again whenever someone is elected or excluded, so each round of
distribution touches each distinct path once (the sums are the same as ballot by
ballot).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from ortsverein.lot import lot_order

from .gender import Guard
from .paths import Paths
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

ONE = 10**9  # 1 vote in units of 10^-9
MAX_ITERATIONS = 1000  # per stage; Meek's iteration converges well before this

RULE_MEEK = N_(
    "Übertragbare Einzelstimmgebung (STV) nach Meek (Hill, Wichmann und Woodall "
    "1987, wie in Neuseeland): Droop-Quote aus den übertragbaren Stimmen, "
    "Behaltewerte der Gewählten, iteriert bis auf eine Toleranz, Ausschluss der "
    "Schwächsten."
)


def meek_stv(
    candidates: Sequence[Candidate],
    ballots: Sequence[Sequence[int]],
    *,
    seats: int,
    seed: str,
    tolerance: Fraction = Fraction(1, 100_000),
    gender_quota: GenderQuota | None = None,
    statute_reference: str = "",
) -> CountResult:
    """Count ranked ballots (preferences, best first) by Meek's method; with a
    gender quota, candidates it blocks are excluded (gender.Guard)."""
    by_id = check_candidates(candidates)
    guard = Guard(gender_quota, seats, by_id)
    quota_seats: list[QuotaSeat] = []
    if seats < 1:
        raise ValueError("an election fills at least one seat")
    papers = count_papers(ballots, by_id)
    valid = sum(n for _, n in papers)
    tol = int(tolerance * ONE)
    keep = {c: ONE for c in by_id}
    hopeful = set(by_id)
    elected: list[int] = []
    excluded: list[int] = []
    history: list[dict[int, int]] = []
    rounds: list[Round] = []
    lots: list[Lot] = []
    notes: list[Sentence] = [
        say(
            N_("%(valid)s gültige Stimmzettel, %(seats)s Sitze."),
            valid=valid,
            seats=seats,
        )
    ]
    if not valid:
        return CountResult(
            method="meek_stv",
            rule=Sentence(RULE_MEEK),
            statute_reference=statute_reference,
            seats=seats,
            ballots=len(ballots),
            outcome="empty",
            open_seats=seats,
            explanation=(say(N_("Kein gültiger Stimmzettel; niemand ist gewählt.")),),
        )

    tree = Paths(papers)

    def distribute() -> tuple[dict[int, int], int]:
        paths = tree.nodes()
        votes = {c: 0 for c in by_id}
        excess = 0
        rest = [0] * len(paths)
        for i, (c, parent, through, ending) in enumerate(paths):
            weight = ONE if parent < 0 else rest[parent]
            k = keep[c]
            kept = weight if k == ONE else -((-weight * k) // ONE)  # round up
            votes[c] += kept * through
            rest[i] = weight - kept
            excess += rest[i] * ending
        # ballots whose every preference is excluded are all excess
        return votes, excess + ONE * (valid - sum(p[2] for p in paths if p[1] < 0))

    votes, excess = distribute()
    quota = (valid * ONE - excess) // (seats + 1) + 1
    history.append(dict(votes))
    rounds.append(
        Round(
            1,
            "count",
            {c: _dec(v) for c, v in votes.items()},
            non_transferable=Decimal(0),
        )
    )
    notes.append(say(N_("Die Quote ist %(quota)s Stimmen."), quota=_dec(quota)))

    def elect(c: int) -> None:
        if guard.reserved(elected) and guard.passed_over:
            gender = by_id[c].gender or ""
            seat = len(elected) + 1
            quota_seats.append(QuotaSeat(seat, c, gender, tuple(guard.passed_over)))
        hopeful.discard(c)
        elected.append(c)

    def bar(c: int) -> None:
        hopeful.discard(c)
        excluded.append(c)
        keep[c] = 0
        notes.append(guard.blocked_sentence(c))

    while True:
        iterations = 0
        new: list[int] = []
        for c in sorted(c for c in hopeful if guard.blocked(c, elected)):
            bar(c)
            tree.release(c, hopeful, set(elected))
        while True:
            votes, excess = distribute()
            quota = (valid * ONE - excess) // (seats + 1) + 1
            iterations += 1
            reached = [c for c in hopeful if votes[c] >= quota]
            if reached:
                for c in _settle(reached, votes, history, seed, lots, notes):
                    if guard.blocked(c, elected):
                        bar(c)
                    else:
                        elect(c)
                        new.append(c)
                for c in reached:
                    tree.release(c, hopeful, set(elected))
                if len(elected) >= seats:
                    break
            surplus = sum(max(0, votes[c] - quota) for c in elected)
            if not reached and (surplus <= tol or iterations >= MAX_ITERATIONS):
                break
            for c in elected:
                if votes[c] > 0:
                    keep[c] = min(ONE, -((-keep[c] * quota) // votes[c]))
        history.append(dict(votes))
        out: list[int] = []
        if len(elected) < seats and len(elected) + len(hopeful) > seats and not new:
            free = [c for c in hopeful if not guard.protected(c, elected, hopeful)]
            low = min(votes[c] for c in free or hopeful)
            tied = sorted(c for c in free or hopeful if votes[c] == low)
            loser = _settle(tied, votes, history, seed, lots, notes)[-1]
            hopeful.discard(loser)
            excluded.append(loser)
            keep[loser] = 0
            tree.release(loser, hopeful, set(elected))
            out = [loser]
            notes.append(
                say(
                    N_(
                        "%(candidate)s hat mit %(votes)s die wenigsten Stimmen und "
                        "scheidet aus."
                    ),
                    candidate=[loser],
                    votes=_dec(votes[loser]),
                )
            )
        for c in new:
            notes.append(
                say(
                    N_(
                        "%(candidate)s erreicht mit %(votes)s Stimmen die Quote von "
                        "%(quota)s."
                    ),
                    candidate=[c],
                    votes=_dec(votes[c]),
                    quota=_dec(quota),
                )
            )
        rounds.append(
            Round(
                len(rounds) + 1,
                "exclusion" if out else "surplus",
                {c: _dec(v) for c, v in votes.items()},
                subject=out[0] if out else None,
                elected=tuple(new),
                excluded=tuple(out),
                non_transferable=_dec(excess),
            )
        )
        if len(elected) >= seats:
            break
        if len(elected) + len(hopeful) <= seats:
            last = []
            for c in _settle(sorted(hopeful), votes, history, seed, lots, notes):
                if guard.blocked(c, elected):
                    bar(c)
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
            break
    notes.append(say(N_("Gewählt sind %(candidates)s."), candidates=elected))
    open_seats = seats - len(elected)
    if open_seats and any(guard.needs(elected).values()):
        notes.append(guard.open_sentence(open_seats, elected))
    return CountResult(
        method="meek_stv",
        rule=Sentence(RULE_MEEK),
        statute_reference=statute_reference,
        seats=seats,
        ballots=len(ballots),
        outcome="open_seats" if open_seats else "elected",
        elected=tuple(elected),
        rounds=tuple(rounds),
        lots=tuple(lots),
        open_seats=open_seats,
        quota_seats=tuple(quota_seats),
        quota=_dec(quota),
        explanation=tuple(notes),
    )


def _settle(
    group: list[int],
    votes: dict[int, int],
    history: list[dict[int, int]],
    seed: str,
    lots: list[Lot],
    notes: list[Sentence],
) -> list[int]:
    """`group` by votes, highest first; equal votes by who was ahead at the first
    stage where they differed, else by lot."""
    by_value: dict[int, list[int]] = {}
    for c in group:
        by_value.setdefault(votes[c], []).append(c)
    ordered: list[int] = []
    for value in sorted(by_value, reverse=True):
        ordered.extend(
            _ahead_first(sorted(by_value[value]), history, seed, lots, notes)
        )
    return ordered


def _ahead_first(
    tied: list[int],
    history: list[dict[int, int]],
    seed: str,
    lots: list[Lot],
    notes: list[Sentence],
) -> list[int]:
    if len(tied) < 2:
        return tied
    stage = next((s for s in history if len({s[c] for c in tied}) > 1), None)
    if stage is None:
        drawn = lot_order(tied, seed)
        lots.append(Lot("order", tuple(tied), tuple(drawn)))
        notes.append(
            say(
                N_(
                    "Stimmengleichheit zwischen %(tied)s in jeder Stufe: das Los "
                    "aus der Prüfsumme der Urne ergibt die Reihenfolge %(order)s."
                ),
                tied=tied,
                order=drawn,
            )
        )
        return drawn
    return _settle(tied, stage, history, seed, lots, notes)


def _dec(units: int) -> Decimal:
    return Decimal(units).scaleb(-9)
