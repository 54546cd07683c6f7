"""The speakers' list of an agenda item: members raise a hand or withdraw, the chair
calls the next speaker, everyone sees the queue and the speaking-time countdown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import Meeting, Member, SpeakerRequest, utcnow
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _

from .access import RUNNING, require_chair, status
from .agenda import current_item
from .attendance import is_present
from .live import publish_meeting


def _requests(session: Session, item_id: int) -> list[SpeakerRequest]:
    return list(
        session.scalars(
            select(SpeakerRequest)
            .where(SpeakerRequest.item_id == item_id)
            .options(joinedload(SpeakerRequest.member))
            .order_by(SpeakerRequest.requested_at, SpeakerRequest.id)
        )
    )


def _queue(meeting: Meeting, requests: list[SpeakerRequest]) -> list[SpeakerRequest]:
    """Waiting hands in order of raising; with the alternating rule, members who
    have not yet spoken on this item go first."""
    spoken = {r.member_id for r in requests if r.called_at is not None}
    waiting = [r for r in requests if r.called_at is None and r.withdrawn_at is None]
    if meeting.alternating:
        waiting.sort(key=lambda r: r.member_id in spoken)  # stable: keeps the order
    return waiting


def _current(requests: list[SpeakerRequest]) -> SpeakerRequest | None:
    return next(
        (r for r in requests if r.called_at is not None and r.finished_at is None),
        None,
    )


def state(session: Session, meeting: Meeting) -> dict:
    item = current_item(meeting)
    if item is None:
        return {"item_id": None, "current": None, "queue": [], "spoken": []}
    requests = _requests(session, item.id)
    spoken = {r.member_id for r in requests if r.called_at is not None}
    now = _current(requests)
    return {
        "item_id": item.id,
        "speaking_seconds": meeting.speaking_seconds,
        "current": None
        if now is None or now.called_at is None  # _current picks a called request
        else {
            "request_id": now.id,
            "member": {"id": now.member_id, "name": now.member.name},
            "called_at": now.called_at.isoformat(),
            "ends_at": (
                now.called_at + timedelta(seconds=meeting.speaking_seconds)
            ).isoformat(),
        },
        "queue": [
            {
                "request_id": r.id,
                "member": {"id": r.member_id, "name": r.member.name},
                "requested_at": r.requested_at.isoformat(),
                "first_time": r.member_id not in spoken,
            }
            for r in _queue(meeting, requests)
        ],
        "spoken": sorted({r.member.name for r in requests if r.called_at}),
    }


def _running_item(meeting: Meeting):
    if status(meeting) != RUNNING:
        raise Conflict(_("Die Sitzung läuft nicht."))
    item = current_item(meeting)
    if item is None:
        raise Conflict(_("Es ist kein Tagesordnungspunkt aufgerufen."))
    return item


def raise_hand(session: Session, member: Member, meeting: Meeting) -> SpeakerRequest:
    """A present member asks to speak on the current item (once at a time)."""
    item = _running_item(meeting)
    if not is_present(session, meeting.id, member.id):
        raise Conflict(_("Bitte melde dich zuerst als anwesend."))
    for r in _requests(session, item.id):
        if (
            r.member_id == member.id
            and r.withdrawn_at is None
            and (r.called_at is None or r.finished_at is None)
        ):
            raise Conflict(_("Du stehst schon auf der Redeliste."))
    request = SpeakerRequest(item_id=item.id, member_id=member.id)
    session.add(request)
    session.commit()
    publish_meeting(session, meeting, "speakers_changed")
    return request


def withdraw(session: Session, member: Member, meeting: Meeting) -> None:
    item = _running_item(meeting)
    mine = [
        r
        for r in _requests(session, item.id)
        if r.member_id == member.id and r.called_at is None and r.withdrawn_at is None
    ]
    if not mine:
        raise Conflict(_("Du stehst nicht auf der Redeliste."))
    for r in mine:
        r.withdrawn_at = utcnow()
    session.commit()
    publish_meeting(session, meeting, "speakers_changed")


def remove(session: Session, chair: Member, meeting: Meeting, request_id: int) -> None:
    """The chair takes a hand off the list (say, the member left)."""
    require_chair(chair, meeting)
    item = _running_item(meeting)
    request = session.get(SpeakerRequest, request_id)
    if request is None or request.item_id != item.id or request.called_at:
        raise NotFound()
    request.withdrawn_at = request.withdrawn_at or utcnow()
    session.commit()
    publish_meeting(session, meeting, "speakers_changed")


def call_next(
    session: Session, chair: Member, meeting: Meeting, expected: int | None = None
) -> SpeakerRequest | None:
    """End the current speech and give the floor to the next in the queue (None
    when the queue was empty and only the speech ended)."""
    require_chair(chair, meeting)
    item = _running_item(meeting)
    requests = _requests(session, item.id)
    now = utcnow()
    speaking = _current(requests)
    if expected is not None and expected != (speaking.id if speaking else 0):
        raise Conflict(_("Das Wort wurde inzwischen schon weitergegeben."))
    queue = _queue(meeting, requests)
    if speaking is None and not queue:
        raise Conflict(_("Die Redeliste ist leer."))
    if speaking is not None:
        speaking.finished_at = now
    called = queue[0] if queue else None
    if called is not None:
        called.called_at = now
    session.commit()
    publish_meeting(session, meeting, "speakers_changed")
    return called


def finish(session: Session, chair: Member, meeting: Meeting) -> None:
    require_chair(chair, meeting)
    item = _running_item(meeting)
    speaking = _current(_requests(session, item.id))
    if speaking is None:
        raise Conflict(_("Gerade spricht niemand."))
    speaking.finished_at = utcnow()
    session.commit()
    publish_meeting(session, meeting, "speakers_changed")


def speakers_by_item(session: Session, meeting: Meeting) -> dict[int, list]:
    """Who spoke on which item and when (for the minutes)."""
    rows = session.scalars(
        select(SpeakerRequest)
        .where(
            SpeakerRequest.item_id.in_([i.id for i in meeting.items]),
            SpeakerRequest.called_at.is_not(None),
        )
        .options(joinedload(SpeakerRequest.member))
        .order_by(SpeakerRequest.called_at, SpeakerRequest.id)
    )
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(r.item_id, []).append(r)
    return out
