"""An election's definition as organisers enter it: the input, the rules it must
meet, and creating or editing it while nominations are open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from models import (
    Election,
    ElectionMethod,
    ElectionStatus,
    Meeting,
    Member,
    Organisation,
    Runoff,
)
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.permissions import in_subtree

from .access import can_organise
from .live import publish_election

MAX_SEATS = 99


@dataclass
class ElectionInput:
    org_id: int
    title: str
    office: str
    body: str
    seats: int
    method: str
    nominations_open_at: datetime
    nominations_close_at: datetime
    runoff: str = "top_two"
    min_yes_percent: Decimal = Decimal(50)
    quota_percent: Decimal = Decimal(0)
    secret: bool = True
    statute_reference: str = ""
    meeting_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def validate(session: Session, member: Member, data: ElectionInput) -> Organisation:
    """Check a definition; raise ValidationFailed naming every broken rule."""
    org = session.get(Organisation, data.org_id)
    if org is None or not can_organise(member, org):
        raise NotFound()
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Bitte gib der Wahl einen Titel.")
    if not data.office.strip():
        errors["office"] = _("Bitte nenne das Amt, für das gewählt wird.")
    if data.method not in ElectionMethod._value2member_map_:
        errors["method"] = _("Unbekanntes Wahlverfahren.")
    if not 1 <= data.seats <= MAX_SEATS:
        errors["seats"] = _("Es gibt 1 bis %(n)d Sitze.", n=MAX_SEATS)
    elif data.method == ElectionMethod.SINGLE and data.seats != 1:
        errors["seats"] = _("Die Einzelwahl vergibt genau einen Sitz.")
    if data.runoff not in Runoff._value2member_map_:
        errors["runoff"] = _("Unbekannte Regel für den zweiten Wahlgang.")
    if not Decimal(0) <= data.min_yes_percent <= Decimal(100):
        errors["min_yes_percent"] = _("Der Anteil liegt zwischen 0 und 100 Prozent.")
    if not Decimal(0) <= data.quota_percent <= Decimal(50):
        errors["quota_percent"] = _("Die Quote liegt zwischen 0 und 50 Prozent.")
    if data.nominations_close_at <= data.nominations_open_at:
        errors["nominations_close_at"] = _(
            "Das Ende der Vorschlagsfrist muss nach ihrem Beginn liegen."
        )
    if data.meeting_id is not None:
        meeting = session.get(Meeting, data.meeting_id)
        if meeting is None or not in_subtree(meeting.organisation, org):
            errors["meeting_id"] = _(
                "Diese Sitzung gehört nicht zu der Gliederung der Wahl."
            )
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    return org


def _apply(election: Election, data: ElectionInput) -> None:
    election.title = data.title.strip()[:200]
    election.office = data.office.strip()[:200]
    election.body = data.body
    election.body_html = render(data.body)
    election.seats = data.seats
    election.method = ElectionMethod(data.method)
    election.runoff = Runoff(data.runoff)
    election.min_yes_percent = data.min_yes_percent
    election.quota_percent = data.quota_percent
    election.secret = data.secret
    election.statute_reference = data.statute_reference.strip()[:200]
    election.nominations_open_at = data.nominations_open_at
    election.nominations_close_at = data.nominations_close_at
    election.meeting_id = data.meeting_id


def create_election(session: Session, member: Member, data: ElectionInput) -> Election:
    """A new election; nominations are open from its period's start."""
    org = validate(session, member, data)
    election = Election(organisation=org, created_by=member)
    _apply(election, data)
    session.add(election)
    session.flush()
    audit.record(
        session,
        member,
        "election.created",
        organisation=org,
        target=election,
        method=election.method.value,
        seats=election.seats,
    )
    session.commit()
    publish_election(election, "election_changed")
    return election


def update_election(
    session: Session, member: Member, election: Election, data: ElectionInput
) -> Election:
    """Seats, method and rules change only while nominations are open."""
    if not can_organise(member, election.organisation):
        raise NotFound()
    if election.status != ElectionStatus.NOMINATION or election.rounds:
        raise Conflict(
            _("Nach Schluss der Vorschlagsliste lässt sich die Wahl nicht ändern.")
        )
    data.org_id = election.organisation_id
    validate(session, member, data)
    _apply(election, data)
    audit.record(
        session,
        member,
        "election.edited",
        organisation=election.organisation,
        target=election,
    )
    session.commit()
    publish_election(election, "election_changed")
    return election
