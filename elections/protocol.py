"""The election's record (Wahlprotokoll) as plain values, in German like the
paper it is signed on: organisation, office and seats, method with its statute
rule, nomination period, candidates, each round with its electorate, ballots,
votes and ballot-box digest, the elected in order with quota seats and lots, and
each elected person's acceptance. The PDF and the exports are drawn from it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Election, Member, RoleName, utcnow
from ortsverein.local_time import BERLIN
from ortsverein.permissions import has_role

from .access import can_organise
from .forms import method_label, method_rule
from .rounds import remaining_seats

OUTCOMES = {
    "elected": "Alle Sitze dieses Wahlgangs sind besetzt.",
    "open_seats": "Sitze bleiben offen für einen weiteren Wahlgang.",
    "second_round": "Keine erforderliche Mehrheit: ein zweiter Wahlgang ist nötig.",
    "not_elected": "Die Bewerbung hat die erforderliche Mehrheit nicht erreicht.",
    "empty": "Kein gültiger Stimmzettel: niemand ist gewählt.",
}
ACCEPTANCE = {"accepted": "angenommen", "declined": "abgelehnt"}
SIGNATURES = ("Versammlungsleitung", "Protokoll", "Wahlkommission")


def may_download(member: Member, election: Election) -> bool:
    """The board and the organisers of the election's organisation (or above)."""
    return has_role(member, election.organisation, RoleName.BOARD) or can_organise(
        member, election.organisation
    )


def local(moment) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if moment else "–"


@dataclass
class CandidateRow:
    """One candidate on one round's ballot."""

    name: str
    votes: str = "–"  # first count (first preferences for STV)
    final: str = ""  # at the end of a count of several stages (STV)
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    elected: bool = False
    by_quota: bool = False


@dataclass
class RoundRecord:
    number: int
    seats: int
    opened: str
    closed: str
    electorate: int | None
    ballots: int | None  # cast, paper ballots included
    invalid: int | None  # blank or invalid
    valid: int | None
    digest: str
    counted: bool
    outcome: str
    rows: list[CandidateRow] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


def _sentence(sentence: dict[str, Any], names: dict[int, str]) -> str:
    """A stored count sentence in German (its msgid is the German text)."""
    values = dict(sentence.get("params", {}))
    for key, ids in sentence.get("candidates", {}).items():
        values[key] = ", ".join(names.get(int(i), "?") for i in ids)
    try:
        return str(sentence["msgid"]) % values
    except (KeyError, TypeError, ValueError):
        return str(sentence.get("msgid", ""))


def _round(election: Election, rnd, names: dict[int, str]) -> RoundRecord:
    result = json.loads(rnd.result_json) if rnd.result_json else None
    poll_result = json.loads(rnd.poll.result_json) if rnd.poll.result_json else {}
    ballots = poll_result.get("ballots")
    invalid = poll_result.get("blank")
    seated = {s.member_id: s for s in election.elected if s.round_id == rnd.id}
    stages = (result or {}).get("rounds") or [{}]
    first, last = stages[0], stages[-1]
    rows = []
    for rc in rnd.candidates:
        key = str(rc.candidacy_id)
        detail = first.get("detail", {}).get(key)
        seat = seated.get(rc.candidacy.member_id)
        rows.append(
            CandidateRow(
                name=names.get(rc.candidacy_id, "?"),
                votes=str(first.get("votes", {}).get(key, "–")),
                final=str(last.get("votes", {}).get(key, "–"))
                if len(stages) > 1
                else "",
                yes=detail.get("yes", 0) if detail else None,
                no=detail.get("no", 0) if detail else None,
                abstain=detail.get("abstain", 0) if detail else None,
                elected=seat is not None,
                by_quota=bool(seat and seat.by_quota),
            )
        )
    explanation = []
    if result:
        for sentence in [result.get("rule", {}), *result.get("explanation", [])]:
            if sentence:
                explanation.append(_sentence(sentence, names))
    return RoundRecord(
        number=rnd.number,
        seats=rnd.seats,
        opened=local(rnd.poll.opened_at or rnd.poll.opens_at),
        closed=local(rnd.poll.closed_at),
        electorate=rnd.poll.electorate_size,
        ballots=ballots,
        invalid=invalid,
        valid=ballots - invalid
        if ballots is not None and invalid is not None
        else None,
        digest=rnd.poll.ballot_digest or "–",
        counted=result is not None,
        outcome=OUTCOMES.get((result or {}).get("outcome", ""), "")
        if result
        else "Noch nicht ausgezählt.",
        rows=rows,
        explanation=explanation,
    )


def _reopenings(session: Session, election: Election) -> list[str]:
    """When the list of nominations was opened again after a round."""
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "election.nominations_reopened",
            AuditEntry.target_type == "election",
            AuditEntry.target_id == election.id,
        )
        .order_by(AuditEntry.id)
    )
    lines = []
    for entry in entries:
        details = json.loads(entry.details or "{}")
        lines.append(
            f"Nach dem {details.get('after_round', '?')}. Wahlgang am "
            f"{local(entry.created_at)} wieder geöffnet bis "
            f"{details.get('until', '–')} Uhr"
        )
    return lines


def record(session: Session, election: Election, exporter: Member) -> dict[str, Any]:
    """Everything the protocol says, as values (German, whatever the reader's
    language: it is the organisation's record)."""
    names = {c.id: c.member.name for c in election.candidacies}
    with force_locale("de"):
        method = str(method_label(election.method.value))
        rule = str(method_rule(election.method.value))
    candidates = []
    for c in election.candidacies:
        if c.withdrawn_at is not None:
            state = f"zurückgezogen am {local(c.withdrawn_at)}"
        elif c.consent_at is not None:
            state = f"Zustimmung am {local(c.consent_at)}"
        else:
            state = "ohne Zustimmung (nicht auf dem Stimmzettel)"
        by = c.nominated_by
        nominated = (
            "selbst"
            if by is not None and by.id == c.member_id
            else (by.name if by is not None else "–")
        )
        candidates.append(
            {"name": c.member.name, "nominated_by": nominated, "state": state}
        )
    elected = [
        {
            "position": seat.position,
            "name": seat.member.name,
            "round": seat.round.number,
            "by_quota": seat.by_quota,
            "acceptance": ACCEPTANCE.get(
                seat.acceptance.value if seat.acceptance else "", "ausstehend"
            ),
            "acceptance_at": local(seat.acceptance_at) if seat.acceptance_at else "",
            "recorded_by": seat.acceptance_recorded_by.name
            if seat.acceptance_recorded_by
            else "",
        }
        for seat in election.elected
    ]
    lots = []
    for rnd in election.rounds:
        stored = json.loads(rnd.result_json) if rnd.result_json else {}
        for lot in stored.get("lots", []):
            tied = ", ".join(names.get(int(i), "?") for i in lot.get("tied", []))
            order = ", ".join(names.get(int(i), "?") for i in lot.get("order", []))
            lots.append(
                f"{rnd.number}. Wahlgang: Stimmengleichheit zwischen {tied}; das Los "
                f"aus der Prüfsumme der Urne ({rnd.poll.ballot_digest or '–'}) "
                f"ergibt die Reihenfolge {order}."
            )
    return {
        "organisation": election.organisation.name,
        "title": election.title,
        "office": election.office,
        "seats": election.seats,
        "open_seats": remaining_seats(election),
        "method": method,
        "rule": rule,
        "statute_reference": election.statute_reference,
        "quota_percent": election.quota_percent,
        "secret": election.secret,
        "nomination_period": f"{local(election.nominations_open_at)} bis "
        f"{local(election.nominations_close_at)} Uhr",
        "reopenings": _reopenings(session, election),
        "status": election.status.value,
        "candidates": candidates,
        "rounds": [_round(election, rnd, names) for rnd in election.rounds],
        "elected": elected,
        "lots": lots,
        "exported_at": local(utcnow()),
        "exported_by": exporter.name,
    }
