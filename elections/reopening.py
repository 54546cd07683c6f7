"""A further round with new candidates: after a round that left seats open
(the quota could not be met, too few reached the majority, a seat was declined)
the organisers open the list of nominations again, until a new closing time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models import Election, ElectionStatus, Member, utcnow
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _

from .access import can_organise
from .live import publish_election
from .protocol import local
from .rounds import last_result, refresh, remaining_seats, unfinished_round


def may_reopen(session: Session, election: Election) -> bool:
    """Seats are open after a counted round that does not call for a second
    round among the strongest (that ballot is held among them, not new names)."""
    result = last_result(election)
    return (
        election.status == ElectionStatus.BALLOTING
        and result is not None
        and result.get("outcome") != "second_round"
        and unfinished_round(session, election) is None
        and remaining_seats(election) > 0
    )


def reopen_nominations(
    session: Session, member: Member, election: Election, closes_at: datetime | None
) -> Election:
    """Members may nominate again until `closes_at` (organisers until they close
    the list); candidates already standing stay on the list."""
    if not can_organise(member, election.organisation):
        raise NotFound()
    refresh(session, election)
    if not may_reopen(session, election):
        raise Conflict(
            _(
                "Die Vorschlagsliste kann erst nach einem ausgezählten Wahlgang "
                "wieder geöffnet werden, der Sitze offen lässt."
            )
        )
    now = utcnow()
    if closes_at is None or closes_at <= now:
        raise ValidationFailed(
            _("Bitte gib an, bis wann Vorschläge möglich sind (in der Zukunft)."),
            fields={"closes_at": _("Das Ende muss in der Zukunft liegen.")},
        )
    after_round = max(r.number for r in election.rounds)
    election.status = ElectionStatus.NOMINATION
    election.nominations_close_at = closes_at
    if election.nominations_open_at > now:
        election.nominations_open_at = now
    audit.record(
        session,
        member,
        "election.nominations_reopened",
        organisation=election.organisation,
        target=election,
        after_round=after_round,
        until=local(closes_at),
        open_seats=remaining_seats(election),
    )
    session.commit()
    publish_election(election, "election_changed")
    return election
