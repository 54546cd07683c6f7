"""What every count returns: candidates in, a CountResult out (no Flask, no SQL).

Explanations are Sentence values: a German message id marked with N_ (Babel
extracts it; the page translates it with gettext) and its parameters, candidates
by id so the page can put in their names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ortsverein.lot import lot_order

Vote = Literal["yes", "no", "abstain"]
Param = int | str | Decimal
GENDERS = ("f", "m")  # the genders a quota can be set for; "d" and None count for none


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here (Babel's N_)."""
    return message


@dataclass(frozen=True)
class Candidate:
    id: int
    gender: str | None = None  # "f", "m", "d" or None when not stated


@dataclass(frozen=True)
class GenderQuota:
    """At least `min_share` of the seats for each of `genders`; the minimum number
    of seats is min_share * seats rounded half up (3 seats at 40 %: 1.2 -> 1;
    4 seats: 1.6 -> 2; 5 seats: 2), and never more than an equal split allows."""

    min_share: Fraction = Fraction(2, 5)
    genders: tuple[str, ...] = GENDERS

    def minimum(self, seats: int) -> int:
        exact = self.min_share * seats
        rounded = int(exact + Fraction(1, 2))  # half up: x.5 counts up
        return min(rounded, seats // max(len(self.genders), 1))


@dataclass(frozen=True)
class Sentence:
    """One translatable sentence of an explanation. `candidates` maps a parameter
    name to candidate ids; render() puts in their names, joined by commas."""

    msgid: str
    params: tuple[tuple[str, Param], ...] = ()
    candidates: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def render(
        self, gettext: Callable[[str], str], name: Callable[[int], str] = str
    ) -> str:
        values: dict[str, str] = {k: _words(v) for k, v in self.params}
        for key, ids in self.candidates:
            values[key] = ", ".join(name(i) for i in ids)
        return gettext(self.msgid) % values

    def as_dict(self) -> dict[str, object]:
        return {
            "msgid": self.msgid,
            "params": {k: _words(v) for k, v in self.params},
            "candidates": {k: list(v) for k, v in self.candidates},
        }


def _words(value: Param) -> str:
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral()
            else str(value)
        )
    return str(value)


def say(msgid: str, /, **values: Param | Sequence[int]) -> Sentence:
    """A Sentence; a parameter given as a tuple or list of ints names candidates."""
    params: list[tuple[str, Param]] = []
    cands: list[tuple[str, tuple[int, ...]]] = []
    for key, value in values.items():
        if isinstance(value, tuple | list):
            cands.append((key, tuple(int(v) for v in value)))
        else:
            assert isinstance(value, int | str | Decimal)
            params.append((key, value))
    return Sentence(msgid, tuple(params), tuple(cands))


@dataclass(frozen=True)
class Lot:
    """A tie decided by lot: the tied candidates, the lot's order (first drawn
    first) and what it decided."""

    purpose: str  # order, second_round, exclusion, surplus_order, seat
    tied: tuple[int, ...]
    order: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "purpose": self.purpose,
            "tied": list(self.tied),
            "order": list(self.order),
        }


@dataclass(frozen=True)
class QuotaSeat:
    """A seat that went by the gender quota to `candidate`, passing over better
    placed candidates of another gender."""

    seat: int  # 1-based, in the order of the elected
    candidate: int
    gender: str
    passed_over: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "seat": self.seat,
            "candidate": self.candidate,
            "gender": self.gender,
            "passed_over": list(self.passed_over),
        }


@dataclass(frozen=True)
class Round:
    """One round or stage of a count: the votes of each candidate at its end."""

    number: int
    action: str  # count, surplus, exclusion, last_seats, iteration
    votes: dict[int, Decimal]
    subject: int | None = None  # whose surplus is transferred, who is excluded
    elected: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    non_transferable: Decimal = Decimal(0)
    detail: dict[int, dict[str, int]] = field(default_factory=dict)  # yes/no/abstain

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "action": self.action,
            "subject": self.subject,
            "votes": {str(k): str(v) for k, v in self.votes.items()},
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "non_transferable": str(self.non_transferable),
            "detail": {str(k): dict(v) for k, v in self.detail.items()},
        }


@dataclass(frozen=True)
class CountResult:
    """The result of one ballot of an election.

    outcome: elected (every seat filled), open_seats (some seats stay open for a
    further round: the quota could not be met or too few reached the minimum),
    second_round (single seat without the needed majority: a new ballot among
    `second_round`), not_elected (the one candidate did not get the majority),
    empty (no valid ballot)."""

    method: str
    rule: Sentence
    statute_reference: str
    seats: int
    ballots: int
    outcome: str
    elected: tuple[int, ...] = ()
    rounds: tuple[Round, ...] = ()
    quota_seats: tuple[QuotaSeat, ...] = ()
    lots: tuple[Lot, ...] = ()
    open_seats: int = 0
    second_round: tuple[int, ...] = ()
    quota: Decimal | None = None
    explanation: tuple[Sentence, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "rule": self.rule.as_dict(),
            "statute_reference": self.statute_reference,
            "seats": self.seats,
            "ballots": self.ballots,
            "outcome": self.outcome,
            "elected": list(self.elected),
            "rounds": [r.as_dict() for r in self.rounds],
            "quota_seats": [q.as_dict() for q in self.quota_seats],
            "lots": [lot.as_dict() for lot in self.lots],
            "open_seats": self.open_seats,
            "second_round": list(self.second_round),
            "quota": None if self.quota is None else str(self.quota),
            "explanation": [s.as_dict() for s in self.explanation],
        }


def ranked_by(
    ids: Iterable[int], score: Mapping[int, Decimal | int], seed: str, purpose: str
) -> tuple[list[int], list[Lot]]:
    """Ids by score, highest first; each group of equal scores in the lot's order."""
    groups: dict[Decimal | int, list[int]] = {}
    for i in ids:
        groups.setdefault(score[i], []).append(i)
    order: list[int] = []
    lots: list[Lot] = []
    for value in sorted(groups, reverse=True):
        tied = sorted(groups[value])
        if len(tied) > 1:
            drawn = lot_order(tied, seed)
            lots.append(Lot(purpose, tuple(tied), tuple(drawn)))
            order.extend(drawn)
        else:
            order.extend(tied)
    return order, lots


def check_candidates(candidates: Sequence[Candidate]) -> dict[int, Candidate]:
    by_id = {c.id: c for c in candidates}
    if len(by_id) != len(candidates):
        raise ValueError("a candidate is listed twice")
    return by_id


def boundary_lots(lots: Sequence[Lot], inside: set[int], purpose: str) -> list[Lot]:
    """The lots whose tie straddles `inside`: those that decided who is in."""
    return [
        Lot(purpose, lot.tied, lot.order)
        for lot in lots
        if inside & set(lot.tied) and set(lot.tied) - inside
    ]


def lot_sentence(lot: Lot) -> Sentence:
    return say(
        N_(
            "Stimmengleichheit zwischen %(tied)s: das Los aus der Prüfsumme der "
            "Urne ergibt die Reihenfolge %(order)s."
        ),
        tied=list(lot.tied),
        order=list(lot.order),
    )


def percent(share: Fraction) -> str:
    """A share as a German percentage figure: 2/5 -> "40", 1/3 -> "33,33"."""
    text = f"{float(share * 100):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def count_papers(
    ballots: Sequence[Sequence[int]], by_id: dict[int, Candidate]
) -> list[tuple[tuple[int, ...], int]]:
    """Identical ballots counted once with their number; blank ones left out."""
    counted = Counter(tuple(b) for b in ballots if b)
    for prefs in counted:
        if len(set(prefs)) != len(prefs) or set(prefs) - set(by_id):
            raise ValueError("a ballot ranks an unknown candidate or one twice")
    return sorted(counted.items())
