"""The email digest, daily or weekly as each member chose: unread forum news since
the last digest, in the member's language, with signed links to each post, through
the mail set-up of the foundation. Muted topics and forums are left out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Member, Notification, utcnow
from ortsverein import mail, mail_links
from ortsverein.db import rowcount, write_intent
from ortsverein.i18n import _
from ortsverein.mail_compose import compose_in_locale
from ortsverein.notification_prefs import (
    DIGEST,
    digest_frequency,
    muted_forums,
    muted_topics,
)
from ortsverein.notifications import digest_kinds, kinds_of, text_for

MIN_GAP = timedelta(hours=20)  # cron at a fixed hour; a late run still sends once
# per frequency: the least time between two digests, and how far a first one looks
GAPS = {"daily": MIN_GAP, "weekly": timedelta(days=6, hours=20)}
FIRST_LOOK = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MAX_ITEMS = 50


def send_all(session: Session, *, force: bool = False) -> tuple[int, int]:
    """Returns (sent, failed). Each member's digest is claimed before it is mailed,
    so runs that overlap (a slow one and the next, or two cron hosts) never send
    one twice; a mail that fails gives its claim back for the next run. It lists
    the forum news (digest kinds) that arrived unread since the last digest and
    before this run began. Nothing is held while the mail goes out."""
    now = utcnow()
    all_kinds = digest_kinds()
    member_ids = session.scalars(
        select(Member.id)
        .where(Member.digest_by_email.is_(True), Member.active.is_(True))
        .order_by(Member.id)
    ).all()
    session.commit()  # ends the read
    sent = failed = 0
    for member_id in member_ids:
        member = session.get(Member, member_id, populate_existing=True)
        previous = member.last_digest_at if member is not None else None
        frequency = digest_frequency(member) if member is not None else "off"
        if member is None or frequency == "off":
            session.commit()
            continue
        if not force and previous is not None and now - previous < GAPS[frequency]:
            session.commit()
            continue
        since = previous or now - FIRST_LOOK[frequency]
        kinds = sorted(all_kinds - kinds_of(muted_topics(session, member.id)))
        quiet = muted_forums(session, member.id)
        notes = session.scalars(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.read_at.is_(None),
                Notification.kind.in_(kinds),
                Notification.created_at > since,
                Notification.created_at <= now,
                Notification.forum_id.is_(None) | Notification.forum_id.not_in(quiet),
            )
            .order_by(Notification.id)
            .limit(MAX_ITEMS + 1)
        ).all()
        session.commit()
        if not notes or not _claim(session, member.id, previous, now):
            continue
        message = _message(member, notes, frequency)
        if mail.send([message]):
            failed += 1
            _claim(session, member.id, now, previous)  # give it back
            continue
        sent += 1
    return sent, failed


def _message(member: Member, notes: Sequence[Notification], frequency: str):
    """The digest email in the member's language, each item a signed link."""

    def build():
        items = [
            {"text": text_for(n), "link": mail_links.open_url(member.id, n.url, n.id)}
            for n in notes[:MAX_ITEMS]
        ]
        more = (
            mail_links.open_url(member.id, "/notifications/")
            if len(notes) > MAX_ITEMS
            else None
        )
        if frequency == "weekly":
            subject = _("Ortsverein: deine Neuigkeiten der Woche")
            reason = _(
                "Du bekommst diese E-Mail, weil du die wöchentliche Zusammenfassung "
                "eingeschaltet hast."
            )
        else:
            subject = _("Ortsverein: deine Neuigkeiten des Tages")
            reason = _(
                "Du bekommst diese E-Mail, weil du die tägliche Zusammenfassung "
                "eingeschaltet hast."
            )
        return subject, {"items": items, "more_link": more, "reason": reason}

    return compose_in_locale(member, "digest", DIGEST, build)


def _claim(session: Session, member_id: int, seen, now) -> bool:
    """Set the member's last digest from `seen` to `now`, in a write of its own;
    False when another run changed it meanwhile."""
    last = Member.last_digest_at
    with write_intent():
        claimed = rowcount(
            session.execute(
                update(Member)
                .where(
                    Member.id == member_id,
                    last.is_(None) if seen is None else last == seen,
                )
                .values(last_digest_at=now),
                execution_options={"preserve_rowcount": True},
            )
        )
        session.commit()
    return claimed == 1
