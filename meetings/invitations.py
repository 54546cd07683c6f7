"""Formal invitations to a meeting: once per meeting, to every active member of the
organisation's subtree, as an in-app notification and an email with an .ics
calendar entry (not an opt-in notification: everyone gets the email unless they
switched meetings off by email, and then still sees it in the app).
Once invited, a meeting that is moved, renamed or cancelled is sent again with a
higher SEQUENCE, so calendars replace the entry they hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from icalendar import Calendar, Event
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Meeting, Member, Organisation, utcnow
from ortsverein import audit, mail
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _
from ortsverein.mail_compose import unsubscribe_headers
from ortsverein.notification_prefs import wants_topic
from ortsverein.notifications import notify, push

from .access import CANCELLED, ENDED, can_organise, status

BERLIN = ZoneInfo("Europe/Berlin")
KIND = "meeting_invitation"
CHANGED = "meeting_changed"  # moved or renamed after the invitation
CANCELLED_KIND = "meeting_cancelled"
TOPIC = "meetings"  # the email setting that covers these mails
MAIL_BATCH = 500  # messages handed to one background sender at a time


def meeting_path(meeting: Meeting) -> str:
    return f"/meetings/{meeting.id}"


def invitees(meeting: Meeting) -> Select:
    """Ids of the active members whose home branch lies in the meeting's subtree."""
    return (
        select(Member.id)
        .join(Organisation, Member.home_branch_id == Organisation.id)
        .where(
            Organisation.path.startswith(meeting.organisation.path, autoescape=True),
            Member.active.is_(True),
        )
    )


def _local(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def body_text(meeting: Meeting, url: str) -> str:
    """The plain-text invitation in the current locale (mail body, ics text)."""
    agenda = "\n".join(f"{i.position + 1}. {i.title}" for i in meeting.items)
    parts = [
        _(
            "Einladung zur Sitzung „%(title)s“ (%(org)s) am %(when)s Uhr, "
            "bis voraussichtlich %(end)s Uhr.",
            title=meeting.title,
            org=meeting.organisation.name,
            when=_local(meeting),
            end=meeting.ends_at.astimezone(BERLIN).strftime("%H:%M"),
        )
    ]
    if meeting.body.strip():
        parts.append(meeting.body.strip())
    if agenda:
        parts.append(_("Tagesordnung:") + "\n" + agenda)
    parts.append(_("Zur Sitzung: %(url)s", url=url))
    return "\n\n".join(parts)


def ics(meeting: Meeting, base_url: str) -> bytes:
    """The meeting as an iCalendar event (METHOD:PUBLISH, times in UTC)."""
    cal = Calendar()
    cal.add("prodid", "-//Ortsverein//Sitzungen//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(event(meeting, base_url))
    return cal.to_ical()


def event(meeting: Meeting, base_url: str) -> Event:
    """The meeting's calendar event, the same in an invitation, its download and
    a member's calendar feed (one UID, so calendars hold it once)."""
    base = base_url.rstrip("/")
    url = base + meeting_path(meeting)
    host = urlsplit(base).hostname or "ortsverein.invalid"
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("sequence", meeting.calendar_sequence or 0)
    event.add("dtstamp", utcnow().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting.title)
    event.add("description", body_text(meeting, url))
    event.add("url", url)
    event.add("location", url)
    if meeting.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def send_invitations(session: Session, member: Member, meeting: Meeting) -> int:
    """Invite once, before the meeting is over: notify every active member of the
    subtree in one transaction, then push live and email each an .ics. Returns how
    many were invited."""
    if not can_organise(member, meeting.organisation):
        raise NotFound()
    if status(meeting) in (CANCELLED, ENDED):
        raise Conflict(
            _("Zu einer abgesagten oder beendeten Sitzung lädt man nicht ein.")
        )
    if meeting.invited_at is not None:
        raise Conflict(_("Zu dieser Sitzung wurde bereits eingeladen."))
    members = invitees(meeting)
    url = meeting_path(meeting)
    meeting.invited_at = utcnow()
    count = notify(session, members, KIND, meeting.title, url)
    audit.record(
        session,
        member,
        "meeting.invited",
        organisation=meeting.organisation,
        target=meeting,
        invited=count,
    )
    session.commit()
    push(session, members, KIND, meeting.title, url, count)
    _mail(session, members, meeting, KIND)
    return count


def calendar_fields(meeting: Meeting) -> tuple:
    """What the invitation's calendar entry says that members act on."""
    return (meeting.title, meeting.starts_at, meeting.ends_at, meeting.cancelled_at)


def resend(session: Session, meeting: Meeting, kind: str) -> Callable[[], None]:
    """A change to an invited meeting (CHANGED or CANCELLED_KIND), in the caller's
    transaction before its commit: raise the calendar SEQUENCE and notify every
    invitee. Returns what follows the commit: the live push and the emails."""
    meeting.calendar_sequence = (meeting.calendar_sequence or 0) + 1
    members = invitees(meeting)
    url = meeting_path(meeting)
    count = notify(session, members, kind, meeting.title, url)

    def after_commit() -> None:
        push(session, members, kind, meeting.title, url, count)
        _mail(session, members, meeting, kind)

    return after_commit


def _letter(meeting: Meeting, url: str, kind: str) -> tuple[str, str]:
    """Subject and text of the email, in the current locale."""
    if kind == CANCELLED_KIND:
        return _("Abgesagt: %(t)s", t=meeting.title), _(
            "Die Sitzung „%(title)s“ (%(org)s) am %(when)s Uhr ist abgesagt. Der "
            "Kalendereintrag im Anhang ersetzt den der Einladung.",
            title=meeting.title,
            org=meeting.organisation.name,
            when=_local(meeting),
        )
    if kind == CHANGED:
        return _("Geändert: %(t)s", t=meeting.title), (
            _(
                "Die Sitzung, zu der du eingeladen bist, wurde verlegt oder "
                "umbenannt. Der Kalendereintrag im Anhang ersetzt den der Einladung."
            )
            + "\n\n"
            + body_text(meeting, url)
        )
    return _("Einladung: %(t)s", t=meeting.title), body_text(meeting, url)


def _mail(session: Session, members: Select, meeting: Meeting, kind: str) -> None:
    """Every invitee gets the email in their language, with the calendar entry,
    unless they switched meetings off by email (they see it in the app), and with
    the one-click unsubscribe of that topic."""
    base = current_app.config["BASE_URL"].rstrip("/")
    url = base + meeting_path(meeting)
    by_locale: dict[str, tuple[str, str, bytes]] = {}
    batch = []
    rows = session.execute(
        select(Member.id, Member.email, Member.locale).where(
            Member.id.in_(members), wants_topic(TOPIC)
        )
    )
    for member_id, email, locale in rows:
        locale = locale or "de"
        if locale not in by_locale:
            with force_locale(locale):
                by_locale[locale] = (*_letter(meeting, url, kind), ics(meeting, base))
        subject, body, calendar = by_locale[locale]
        batch.append(
            mail.build_message(
                email,
                subject,
                body,
                attachments=[(f"sitzung-{meeting.id}.ics", "text/calendar", calendar)],
                headers=unsubscribe_headers(member_id, TOPIC),
            )
        )
        if len(batch) >= MAIL_BATCH:
            mail.send_in_background(batch)
            batch = []
    if batch:
        mail.send_in_background(batch)
