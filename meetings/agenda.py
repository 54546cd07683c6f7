"""The agenda during a meeting: the chair moves from item to item (a running speech
ends with the item), adds a point, words an item; everyone sees it at once."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import AgendaItem, Meeting, Member, SpeakerRequest, utcnow
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render

from .access import CANCELLED, ENDED, RUNNING, require_chair, status
from .live import publish_meeting

MAX_ITEMS = 50


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        raise NotFound()
    return item


def _title(title: str) -> str:
    """An item's title as stored, or the form error naming the field."""
    if not title.strip():
        raise ValidationFailed(
            _("Bitte gib einen Titel an."), fields={"title": _("Pflichtfeld")}
        )
    return title.strip()[:200]


def _changed(
    session: Session,
    member: Member,
    meeting: Meeting,
    action: str,
    item: AgendaItem,
    publish: bool = True,
) -> AgendaItem:
    """Audit the chair's change to an item, commit it, and show it in the room."""
    audit.record(
        session,
        member,
        action,
        organisation=meeting.organisation,
        target=meeting,
        item=item.id,
    )
    session.commit()
    if publish:
        publish_meeting(session, meeting, "agenda_changed")
    return item


def edit_item(
    session: Session,
    member: Member,
    meeting: Meeting,
    item_id: int,
    title: str,
    body: str,
) -> AgendaItem:
    """Organisers and chairs word an item's title and text until the meeting ends."""
    require_chair(member, meeting)
    if status(meeting) in (ENDED, CANCELLED):
        raise Conflict(_("Die Sitzung ist beendet."))
    item = _item(meeting, item_id)
    item.title, item.body, item.body_html = _title(title), body, render(body)
    return _changed(
        session,
        member,
        meeting,
        "meeting.item_edited",
        item,
        status(meeting) == RUNNING,
    )


def finish_speeches(session: Session, meeting: Meeting, now) -> None:
    """A speech ends when the chair moves on to another item or ends the meeting."""
    session.execute(
        update(SpeakerRequest)
        .where(
            SpeakerRequest.item_id.in_([i.id for i in meeting.items]),
            SpeakerRequest.called_at.is_not(None),
            SpeakerRequest.finished_at.is_(None),
        )
        .values(finished_at=now)
    )


def set_current_item(
    session: Session, member: Member, meeting: Meeting, item_id: int
) -> AgendaItem:
    """The chair moves the agenda on (or back); everyone sees it at once."""
    require_chair(member, meeting)
    if status(meeting) != RUNNING:
        raise Conflict(_("Die Sitzung läuft nicht."))
    item = _item(meeting, item_id)
    if item.id != meeting.current_item_id:
        finish_speeches(session, meeting, utcnow())
    meeting.current_item_id = item.id
    if item.opened_at is None:
        item.opened_at = utcnow()
    return _changed(session, member, meeting, "meeting.item_opened", item)


def next_item(
    session: Session, member: Member, meeting: Meeting, expected: int | None = None
) -> AgendaItem:
    """The next item; `expected` is the item the chair saw as current."""
    if expected is not None and expected != (meeting.current_item_id or 0):
        raise Conflict(_("Die Tagesordnung ist inzwischen schon weiter."))
    items = meeting.items
    index = next(
        (n for n, i in enumerate(items) if i.id == meeting.current_item_id), -1
    )
    if index + 1 >= len(items):
        raise Conflict(_("Das war der letzte Tagesordnungspunkt."))
    return set_current_item(session, member, meeting, items[index + 1].id)


def add_item(
    session: Session, member: Member, meeting: Meeting, title: str, body: str = ""
) -> AgendaItem:
    """A point added during the meeting (say, "Verschiedenes")."""
    require_chair(member, meeting)
    if status(meeting) in (ENDED, CANCELLED):
        raise Conflict(_("Die Sitzung ist beendet."))
    title = _title(title)
    if len(meeting.items) >= MAX_ITEMS:
        raise ValidationFailed(_("Höchstens %(n)d Tagesordnungspunkte.", n=MAX_ITEMS))
    item = AgendaItem(
        position=len(meeting.items),
        title=title,
        body=body,
        body_html=render(body),
    )
    meeting.items.append(item)
    session.flush()
    return _changed(session, member, meeting, "meeting.item_added", item)


def current_item(meeting: Meeting) -> AgendaItem | None:
    return next((i for i in meeting.items if i.id == meeting.current_item_id), None)
