"""Taking a poll back before anyone voted: an organiser cancels a scheduled poll
that has not opened, deletes a draft, or stops a regular series. Each is
audit-logged and notified to those concerned (the would-be electorate of a
cancelled poll; the organisation's organisers of a deleted draft or a stopped
series), in one transaction, then delivered."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models import (
    Member,
    Organisation,
    Poll,
    Repeat,
    Role,
    RoleName,
    utcnow,
)
from ortsverein import audit
from ortsverein.i18n import _
from ortsverein.notifications import deliver, notify

from .errors import PollNotEditable
from .lifecycle import ensure_current
from .state import DRAFT, SCHEDULED, status
from .visibility import require_organiser

CANCELLED_KIND = "poll_cancelled"
DELETED_KIND = "poll_deleted"
SERIES_KIND = "poll_series_stopped"


def _would_be_electorate(poll: Poll) -> Select:
    """Who would have voted: the active members of the organisation's subtree."""
    return (
        select(Member.id)
        .join(Organisation, Member.home_branch_id == Organisation.id)
        .where(
            Organisation.path.startswith(poll.organisation.path, autoescape=True),
            Member.active.is_(True),
        )
    )


def _organisers(poll: Poll, actor: Member) -> Select:
    """Those who could see the draft or plan the series: the organisation's own
    organisers and the poll's author, but not the actor."""
    on_org = select(Role.member_id).where(
        Role.organisation_id == poll.organisation_id,
        Role.role == RoleName.ORGANISER,
    )
    return select(Member.id).where(
        or_(Member.id.in_(on_org), Member.id == poll.created_by_id),
        Member.id != actor.id,
        Member.active.is_(True),
    )


def _notify(session: Session, members: Select, kind: str, title: str, url: str):
    count = notify(session, members, kind, title, url)
    return lambda: deliver(session, members, kind, title, url, count)


def cancel(session: Session, member: Member, poll: Poll) -> Poll:
    """A scheduled poll that has not opened is called off: it never opens, and
    the members who would have voted are told."""
    require_organiser(member, poll)
    if ensure_current(session, poll) != SCHEDULED or poll.opened_at is not None:
        raise PollNotEditable(
            _("Absagen lässt sich nur eine geplante Abstimmung vor ihrem Beginn.")
        )
    poll.cancelled_at = utcnow()
    poll.repeat = Repeat.NONE  # a cancelled poll starts no next one
    audit.record(
        session, member, "poll.cancelled", organisation=poll.organisation, target=poll
    )
    after = _notify(
        session,
        _would_be_electorate(poll),
        CANCELLED_KIND,
        poll.title,
        f"/polls/{poll.id}",
    )
    session.commit()
    after()
    return poll


def delete_draft(session: Session, member: Member, poll: Poll) -> None:
    """A draft (never scheduled, so nobody but organisers saw it) is deleted; the
    audit log keeps its title, the other organisers are told."""
    require_organiser(member, poll)
    if status(poll) != DRAFT or poll.meeting_id is not None:
        raise PollNotEditable(_("Nur Entwürfe lassen sich löschen."))
    title, org = poll.title, poll.organisation
    concerned = _organisers(poll, member)
    # the rows are gone after the commit: the select names them now
    ids = list(session.scalars(concerned))
    audit.record(
        session, member, "poll.deleted", organisation=org, target=poll, title=title
    )
    who = select(Member.id).where(Member.id.in_(ids))
    after = _notify(session, who, DELETED_KIND, title, "/polls/")
    session.delete(poll)
    session.commit()
    after()


def _series(session: Session, poll: Poll) -> list[Poll]:
    """The poll and the repetitions scheduled after it (copies with a repeat)."""
    found, frontier = [poll], [poll.id]
    while frontier:
        nxt = list(
            session.scalars(
                select(Poll).where(
                    Poll.copied_from_id.in_(frontier), Poll.repeat != Repeat.NONE
                )
            )
        )
        found += nxt
        frontier = [p.id for p in nxt]
    return found


def stop_series(session: Session, member: Member, poll: Poll) -> Poll:
    """A regular survey repeats no more: no poll of the series schedules a next
    one. Polls already scheduled stay (each can be cancelled on its own)."""
    require_organiser(member, poll)
    series = [p for p in _series(session, poll) if p.repeat != Repeat.NONE]
    if not series:
        raise PollNotEditable(_("Diese Abstimmung gehört zu keiner laufenden Reihe."))
    repeat = series[0].repeat.value
    for item in series:
        item.repeat = Repeat.NONE
    audit.record(
        session,
        member,
        "poll.series_stopped",
        organisation=poll.organisation,
        target=poll,
        repeat=repeat,
        polls=[p.id for p in series],
    )
    url = f"/polls/{poll.id}"
    after = _notify(session, _organisers(poll, member), SERIES_KIND, poll.title, url)
    session.commit()
    after()
    return poll


def texts() -> dict[str, Callable[[str], str]]:
    """The notifications' sentences, registered by the package."""
    return {
        CANCELLED_KIND: lambda t: _("Abstimmung abgesagt: %(t)s", t=t),
        DELETED_KIND: lambda t: _("Entwurf gelöscht: %(t)s", t=t),
        SERIES_KIND: lambda t: _("Regelmäßige Abstimmung beendet: %(t)s", t=t),
    }
