"""A meeting's details and agenda as organisers enter them: checked, then written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from discussions import services as forum_services
from models import (
    AgendaItem,
    Forum,
    Meeting,
    MeetingChair,
    Member,
    Organisation,
    Thread,
)
from ortsverein.errors import NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.notifications import Pending
from ortsverein.permissions import can_see_org

from .access import can_organise
from .agenda import MAX_ITEMS


@dataclass
class ItemInput:
    title: str
    body: str = ""
    thread_id: int | None = None


@dataclass
class MeetingInput:
    org_id: int
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime
    quorum: int = 0
    speaking_seconds: int = 180
    alternating: bool = False
    chair_emails: list[str] = field(default_factory=list)
    items: list[ItemInput] = field(default_factory=list)
    # Open a discussion thread in this forum for every item without one.
    forum_id: int | None = None


def validate(
    session: Session, member: Member, data: MeetingInput
) -> tuple[Organisation, list[ItemInput], list[Member], Forum | None]:
    """Check the organisation, chairs, linked threads and forum, or raise."""
    org = session.get(Organisation, data.org_id)
    if org is None or not can_organise(member, org):
        raise NotFound()
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Bitte gib der Sitzung einen Titel.")
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = _("Das Ende muss nach dem Beginn liegen.")
    if not 0 <= data.quorum <= 100_000:
        errors["quorum"] = _("Die Beschlussfähigkeit ist eine Zahl von Anwesenden.")
    if not 30 <= data.speaking_seconds <= 3600:
        errors["speaking_seconds"] = _(
            "Die Redezeit liegt zwischen 30 Sekunden und einer Stunde."
        )
    items = [i for i in data.items if i.title.strip()]
    if not items:
        errors["items"] = _("Die Tagesordnung braucht mindestens einen Punkt.")
    elif len(items) > MAX_ITEMS:
        errors["items"] = _("Höchstens %(n)d Tagesordnungspunkte.", n=MAX_ITEMS)
    chairs = _chairs(session, org, data.chair_emails, errors)
    _check_threads(session, member, org, items, errors)
    forum = None
    if data.forum_id:
        forum = session.get(
            Forum, data.forum_id, options=[joinedload(Forum.organisation)]
        )
        if forum is None or not _visible_to_attendees(forum.organisation, org):
            errors["forum_id"] = _(
                "Das Forum muss für alle Mitglieder der Gliederung sichtbar sein."
            )
        elif forum.archived:
            errors["forum_id"] = _("Dieses Forum ist archiviert.")
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    return org, items, chairs, forum


def _visible_to_attendees(forum_org: Organisation, org: Organisation) -> bool:
    """Every member of the meeting's subtree sees forums of the meeting's
    organisation and of its ancestors."""
    return forum_org.id in org.ancestor_ids()


def _chairs(
    session: Session, org: Organisation, emails: list[str], errors: dict[str, str]
) -> list[Member]:
    wanted = {e.strip().lower() for e in emails if e.strip()}
    if not wanted:
        return []
    found = session.scalars(
        select(Member)
        .options(joinedload(Member.home_branch))
        .where(Member.email.in_(wanted), Member.active.is_(True))
    ).all()
    chairs = [m for m in found if can_see_org(m, org)]
    missing = wanted - {m.email.lower() for m in chairs}
    if missing:
        errors["chairs"] = _(
            "Unbekannt oder ohne Zugang zur Gliederung: %(emails)s",
            emails=", ".join(sorted(missing)),
        )
    return chairs


def _check_threads(
    session: Session,
    member: Member,
    org: Organisation,
    items: list[ItemInput],
    errors: dict[str, str],
) -> None:
    """Linked threads must exist and be visible to every attendee."""
    for item in items:
        if item.thread_id is None:
            continue
        thread = session.get(
            Thread,
            item.thread_id,
            options=[joinedload(Thread.forum).joinedload(Forum.organisation)],
        )
        if thread is None or not can_see_org(member, thread.forum.organisation):
            errors["items"] = _("Ein verknüpftes Thema gibt es nicht.")
        elif not _visible_to_attendees(thread.forum.organisation, org):
            errors["items"] = _(
                "Ein verknüpftes Thema ist nicht für alle Mitglieder sichtbar."
            )


def apply(
    session: Session,
    member: Member,
    meeting: Meeting,
    data: MeetingInput,
    items: list[ItemInput],
    chairs: list[Member],
    forum: Forum | None,
) -> list[tuple[Thread, list[Pending]]]:
    """Write the details, chairs and agenda. On an edit, items keep their id, text
    and thread (the form's agenda lists titles only): matched by title, in order
    for repeated titles, and a renamed line takes over the item at its place."""
    meeting.title = data.title.strip()[:200]
    meeting.body = data.body
    meeting.body_html = render(data.body)
    meeting.starts_at, meeting.ends_at = data.starts_at, data.ends_at
    meeting.quorum = data.quorum
    meeting.speaking_seconds = data.speaking_seconds
    meeting.alternating = data.alternating
    old_chairs = {c.member_id: c for c in meeting.chairs}
    meeting.chairs = [
        old_chairs.get(m.id) or MeetingChair(member_id=m.id) for m in chairs
    ]
    old = list(meeting.items)
    titles = [item.title.strip()[:200] for item in items]
    matched: list[AgendaItem | None] = []
    for title in titles:
        row = next((i for i in old if i.title == title), None)
        if row is not None:
            old.remove(row)
        matched.append(row)
    for position, row in enumerate(matched):
        at_place = next((i for i in old if i.position == position), None)
        if row is None and at_place is not None:
            old.remove(at_place)
            matched[position] = at_place
    rows, created = [], []
    for position, (item, title) in enumerate(zip(items, titles, strict=True)):
        row = matched[position] or AgendaItem(title=title)
        row.title, row.position = title, position
        if item.body or row.id is None:
            row.body, row.body_html = item.body, render(item.body)
        if item.thread_id is not None:
            row.thread_id = item.thread_id
        rows.append(row)
    meeting.items = rows
    session.flush()
    for row in rows:
        if row.thread_id is None and forum is not None:
            thread, pending = forum_services.add_thread(
                session,
                member,
                forum.id,
                f"{meeting.title}: {row.title}"[:200],
                row.body.strip() or row.title,
            )
            row.thread_id = thread.id
            created.append((thread, pending))
    return created
