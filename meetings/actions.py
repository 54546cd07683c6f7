"""The actions of a meeting room, listed once: the socket event `meeting`, the room
page's forms (`POST /meetings/ID/actions/NAME`) and the JSON API's action routes are
all made from this table (events.py, room_views.py, api.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import Meeting, Member
from ortsverein.errors import NotFound
from ortsverein.i18n import _l
from ortsverein.realtime import MAX_ID

from . import agenda, attendance, services, speakers
from .live import attendance_changed


@dataclass(frozen=True)
class Action:
    """One thing a member or the chair does in the room."""

    name: str  # the socket's `action` and the form's address
    run: Callable[[Session, Member, Meeting, dict], object]
    done: object  # the lazily translated message after it worked
    anchor: str = ""  # where on the room page the form returns
    form: bool = True  # the room page has a form for it
    api_path: str | None = None  # POST /api/v1/meetings/ID/<path>, when offered so
    api_summary: str = ""
    api_conflict: str = ""  # what a 409 means, for the OpenAPI document


def expected(data: dict, key: str) -> int | None:
    """What the chair saw when clicking (0: nothing): a second click, or a second
    chair, then finds the state moved on and changes nothing."""
    value = data.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value > MAX_ID:
        return None
    return value


def _plain(service):
    """A service that needs nothing from the action's data."""
    return lambda session, member, meeting, data: service(session, member, meeting)


def _check_in(session: Session, member: Member, meeting: Meeting, data: dict):
    if attendance.check_in(session, member, meeting):
        attendance_changed(meeting)


def _check_out(session: Session, member: Member, meeting: Meeting, data: dict):
    if attendance.check_out(session, member, meeting):
        attendance_changed(meeting)


def _set_item(session: Session, member: Member, meeting: Meeting, data: dict):
    item_id = data.get("item_id")
    if not isinstance(item_id, int) or not 0 < item_id <= MAX_ID:
        raise NotFound()
    agenda.set_current_item(session, member, meeting, item_id)


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "start",
            _plain(services.start),
            _l("Die Sitzung ist eröffnet."),
            api_path="start",
            api_summary="Open the meeting (chair)",
            api_conflict="running or over",
        ),
        Action(
            "end",
            _plain(services.end),
            _l("Die Sitzung ist geschlossen."),
            api_path="end",
            api_summary="Close the meeting (chair)",
            api_conflict="not running, or a vote runs",
        ),
        Action(
            "check_in",
            _check_in,
            _l("Du bist als anwesend eingetragen."),
            api_path="check-in",
            api_summary="Check in online (members)",
            api_conflict="not running, or a guest",
        ),
        Action(
            "check_out",
            _check_out,
            _l("Du bist als abwesend eingetragen."),
            api_path="check-out",
            api_summary="End your online attendance",
            api_conflict="never (idempotent)",
        ),
        Action(
            "raise_hand",
            _plain(speakers.raise_hand),
            _l("Du stehst auf der Redeliste."),
            anchor="#speakers",
        ),
        Action(
            "withdraw",
            _plain(speakers.withdraw),
            _l("Deine Wortmeldung ist zurückgezogen."),
            anchor="#speakers",
        ),
        Action(
            "next_speaker",
            lambda session, member, meeting, data: speakers.call_next(
                session, member, meeting, expected=expected(data, "speaker_request_id")
            ),
            _l("Das Wort ist erteilt."),
            anchor="#speakers",
            api_path="speakers/next",
            api_summary="Call the next speaker (chair)",
            api_conflict="nobody waits or speaks",
        ),
        Action(
            "finish_speaker",
            _plain(speakers.finish),
            _l("Der Redebeitrag ist beendet."),
            anchor="#speakers",
            api_path="speakers/finish",
            api_summary="End the speech (chair)",
            api_conflict="nobody speaks",
        ),
        Action(
            "next_item",
            lambda session, member, meeting, data: agenda.next_item(
                session, member, meeting, expected=expected(data, "from_item_id")
            ),
            _l("Der nächste Punkt ist aufgerufen."),
        ),
        # The page opens an item by its own address (items/ID/open), the API by
        # PUT current-item; the socket sends {"action": "set_item", "item_id": ID}.
        Action("set_item", _set_item, _l("Der Punkt ist aufgerufen."), form=False),
    )
}
FORM_ACTIONS = tuple(name for name, action in ACTIONS.items() if action.form)


def perform(session: Session, member: Member, meeting: Meeting, name: str, data):
    """Run one action; the service checks permission and state and commits.
    Answers the socket's acknowledgement."""
    action = ACTIONS.get(name)
    if action is None:
        return {"ok": False, "error": "unknown_action"}
    action.run(session, member, meeting, data)
    return {"ok": True, "message": str(action.done)}
