"""Tallying pure functions: a list of ballots in, a TallyResult out (no Flask, no SQL).

Schulze method per Markus Schulze, "A new monotonic, clone-independent, reversal
symmetric, and Condorcet-consistent single-winner election method" (2011): d[X][Y] is
the number of voters who prefer X to Y; the strength of a path is its weakest link;
p[X][Y] is the strength of the strongest path from X to Y (widest paths,
Floyd-Warshall); X ranks above Y when p[X][Y] > p[Y][X]. Options a ballot leaves out
rank below all listed ones and tie with each other.

Lot: where options tie, their order is drawn by ortsverein.lot.lot_order (sorting
them on SHA-256(ballot-box digest + ":" + option id) as hex, smallest first), the
same lot elections use. Anyone with the published ballot box computes the same
digest and so the same lot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from ortsverein.lot import lot_order

from .rules import (
    EACH,
    PollDefinition,
    choice_has_majority,
    quorum_met,
    turnout_percent,
    yes_no_carried,
)

Ballot = Sequence[int]
Matrix = dict[int, dict[int, int]]  # d[X][Y] or p[X][Y], by option id


@dataclass(frozen=True)
class TallyResult:
    kind: str
    ballots: int
    valid: int
    blank: int
    electorate: int
    turnout_percent: float
    quorum_met: bool
    counts: dict[int, int]
    outcome: str  # accepted, rejected, decided, no_majority, no_quorum, counted, empty
    winners: tuple[int, ...] = ()
    ranking: tuple[tuple[int, ...], ...] = ()  # tiers, best first, before any lot
    order: tuple[int, ...] = ()  # the ranking with ties broken by lot
    lot_used: bool = False
    pairwise: dict[int, dict[int, int]] = field(default_factory=dict)
    strongest_paths: dict[int, dict[int, int]] = field(default_factory=dict)
    # yes/no/abstain for each option: {option id: {"yes": n, "no": n, "abstain": n}}
    answers: dict[int, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def keyed(m: dict[int, int] | Matrix) -> dict[str, object]:
            return {
                str(k): (
                    {str(a): b for a, b in v.items()} if isinstance(v, dict) else v
                )
                for k, v in m.items()
            }

        each = (
            {"answers": {str(o): dict(n) for o, n in self.answers.items()}}
            if self.kind == EACH
            else {}
        )
        return each | {
            "kind": self.kind,
            "ballots": self.ballots,
            "valid": self.valid,
            "blank": self.blank,
            "electorate": self.electorate,
            "turnout_percent": self.turnout_percent,
            "quorum_met": self.quorum_met,
            "counts": keyed(self.counts),
            "outcome": self.outcome,
            "winners": list(self.winners),
            "ranking": [list(t) for t in self.ranking],
            "order": list(self.order),
            "lot_used": self.lot_used,
            "pairwise": keyed(self.pairwise),
            "strongest_paths": keyed(self.strongest_paths),
        }


def pairwise_preferences(
    option_ids: Sequence[int], ballots: Sequence[Ballot]
) -> dict[int, dict[int, int]]:
    """d[X][Y]: how many ballots rank X above Y (unlisted options tie at the bottom)."""
    index = {o: i for i, o in enumerate(option_ids)}
    n = len(option_ids)
    d = [[0] * n for _ in range(n)]
    # Identical ballots are common in large votes: count each distinct one once.
    for ballot, weight in Counter(tuple(b) for b in ballots).items():
        listed = [index[o] for o in ballot]
        unlisted = [i for i in range(n) if i not in set(listed)]
        for pos, x in enumerate(listed):
            row = d[x]
            for y in listed[pos + 1 :]:
                row[y] += weight
            for y in unlisted:
                row[y] += weight
    return {
        a: {b: d[index[a]][index[b]] for b in option_ids if b != a} for a in option_ids
    }


def strongest_paths(
    option_ids: Sequence[int], d: dict[int, dict[int, int]]
) -> dict[int, dict[int, int]]:
    """p[X][Y]: strength of the strongest path from X to Y (Schulze's widest paths)."""
    p = {
        a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in option_ids if b != a}
        for a in option_ids
    }
    for i in option_ids:
        for j in option_ids:
            if i == j:
                continue
            for k in option_ids:
                if k in (i, j):
                    continue
                p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    return p


def schulze(option_ids: Sequence[int], ballots: Sequence[Ballot]) -> list[list[int]]:
    """The Schulze ranking as tiers, best first; each tier lists tied options."""
    return _schulze(option_ids, ballots)[0]


def _schulze(
    option_ids: Sequence[int], ballots: Sequence[Ballot]
) -> tuple[list[list[int]], Matrix, Matrix]:
    options = list(option_ids)
    d = pairwise_preferences(options, ballots)
    p = strongest_paths(options, d)
    # Schulze's relation: X beats Y when p[X][Y] > p[Y][X]. The best tier is every
    # option no other remaining option beats; remove it and repeat.
    tiers: list[list[int]] = []
    remaining = list(options)
    while remaining:
        tier = [
            x
            for x in remaining
            if not any(p[y][x] > p[x][y] for y in remaining if y != x)
        ]
        tiers.append(tier)
        remaining = [x for x in remaining if x not in tier]
    return tiers, d, p


def _tiers_by_count(option_ids: list[int], counts: Counter[int]) -> list[list[int]]:
    tiers: list[list[int]] = []
    for o in sorted(option_ids, key=lambda o: (-counts[o], option_ids.index(o))):
        if tiers and counts[tiers[-1][0]] == counts[o]:
            tiers[-1].append(o)
        else:
            tiers.append([o])
    return tiers


def _break_ties(tiers: list[list[int]], seed: str) -> tuple[tuple[int, ...], bool]:
    order: list[int] = []
    lot = False
    for tier in tiers:
        if len(tier) > 1:
            lot = True
            order.extend(lot_order(tier, seed))
        else:
            order.extend(tier)
    return tuple(order), lot


class _Common(TypedDict):
    """The fields of a TallyResult that every kind of poll fills the same way."""

    kind: str
    ballots: int
    valid: int
    blank: int
    electorate: int
    turnout_percent: float
    quorum_met: bool
    counts: dict[int, int]


def tally(definition: PollDefinition, ballots: Sequence[Ballot]) -> TallyResult:
    """Count ballots under the poll's rules (see polls.rules for every convention)."""
    options = list(definition.option_ids)
    cast = len(ballots)
    blank = sum(1 for b in ballots if not b)
    valid = cast - blank
    counts = Counter({o: 0 for o in options})
    answers = {o: {"yes": 0, "no": 0, "abstain": len(ballots)} for o in options}
    for ballot in ballots:
        if definition.kind == "ranked":
            if ballot:
                counts[ballot[0]] += 1  # first preferences, for information
        elif definition.kind == EACH:  # counts: the yes votes
            for c in ballot:
                answers[abs(c)]["yes" if c > 0 else "no"] += 1
                answers[abs(c)]["abstain"] -= 1
                if c > 0:
                    counts[c] += 1
        else:
            counts.update(ballot)
    base = _Common(
        kind=definition.kind,
        ballots=cast,
        valid=valid,
        blank=blank,
        electorate=definition.electorate_size,
        turnout_percent=turnout_percent(cast, definition.electorate_size),
        quorum_met=quorum_met(
            cast, definition.electorate_size, definition.quorum_percent
        ),
        counts=dict(counts),
    )
    if cast == 0:
        return TallyResult(**base, outcome="empty", answers=answers)
    if definition.kind == "yes_no_abstain":
        yes, no, abstain = (counts[o] for o in options)
        carried = yes_no_carried(yes, no, abstain, definition.majority)
        outcome = (
            "no_quorum"
            if not base["quorum_met"]
            else "accepted"
            if carried
            else "rejected"
        )
        return TallyResult(
            **base,
            outcome=outcome,
            winners=(options[0],) if outcome == "accepted" else (),
        )
    if definition.kind == "ranked":
        tiers, d, p = _schulze(options, [b for b in ballots if b])
        order, _lot = _break_ties(tiers, definition.tie_seed)
        if not base["quorum_met"]:
            outcome = "no_quorum"
        else:  # only blank ballots rank nothing: nobody is elected, not by lot
            outcome = "decided" if valid else "no_majority"
        return TallyResult(
            **base,
            outcome=outcome,
            winners=(order[0],) if outcome == "decided" else (),
            ranking=tuple(tuple(t) for t in tiers),
            order=order,
            lot_used=outcome == "decided" and len(tiers[0]) > 1,
            pairwise=d,
            strongest_paths=p,
        )
    tiers = _tiers_by_count(options, counts)
    order, lot = _break_ties(tiers, definition.tie_seed)
    if definition.kind == EACH:  # ranked by yes votes; who is elected: the caller's
        return TallyResult(
            **base,
            outcome="counted" if base["quorum_met"] else "no_quorum",
            ranking=tuple(tuple(t) for t in tiers),
            order=order,
            answers=answers,
        )
    if definition.kind == "multiple_choice":
        return TallyResult(
            **base,
            outcome="counted" if base["quorum_met"] else "no_quorum",
            ranking=tuple(tuple(t) for t in tiers),
            order=order,
            lot_used=False,
        )
    leader = order[0]
    if not base["quorum_met"]:
        outcome = "no_quorum"
    elif not valid or not choice_has_majority(
        counts[leader], valid, definition.majority
    ):
        outcome = "no_majority"
    else:
        outcome = "decided"
    return TallyResult(
        **base,
        outcome=outcome,
        winners=(leader,) if outcome == "decided" else (),
        ranking=tuple(tuple(t) for t in tiers),
        order=order,
        lot_used=outcome == "decided" and len(tiers[0]) > 1,
    )
