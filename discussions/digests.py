"""The daily email digest: unread notifications since the last digest, in the
member's language, through the mail set-up of the foundation."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Member, Notification, utcnow
from ortsverein import mail
from ortsverein.db import rowcount, write_intent
from ortsverein.i18n import _
from ortsverein.notifications import digest_kinds, text_for

MIN_GAP = timedelta(hours=20)  # cron at a fixed hour; a late run still sends once
MAX_ITEMS = 50


def send_all(session: Session, *, force: bool = False) -> tuple[int, int]:
    """Returns (sent, failed). Each member's digest is claimed before it is mailed,
    so runs that overlap (a slow one and the next, or two cron hosts) never send
    one twice; a mail that fails gives its claim back for the next run. It lists
    the forum news (digest kinds) that arrived unread since the last digest and
    before this run began. Nothing is held while the mail goes out."""
    now = utcnow()
    base = current_app.config["BASE_URL"].rstrip("/")
    kinds = sorted(digest_kinds())
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
        if member is None or (
            not force and previous is not None and now - previous < MIN_GAP
        ):
            session.commit()
            continue
        since = previous or now - timedelta(days=1)
        notes = session.scalars(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.read_at.is_(None),
                Notification.kind.in_(kinds),
                Notification.created_at > since,
                Notification.created_at <= now,
            )
            .order_by(Notification.id)
            .limit(MAX_ITEMS + 1)
        ).all()
        session.commit()
        if not notes or not _claim(session, member.id, previous, now):
            continue
        with force_locale(member.locale or "de"):
            lines = [f"- {text_for(n)}\n  {base}{n.url}" for n in notes[:MAX_ITEMS]]
            if len(notes) > MAX_ITEMS:
                lines.append(_("… und weitere: %(url)s", url=base + "/notifications/"))
            subject = _("Ortsverein: deine Neuigkeiten des Tages")
            body = _(
                "Hallo %(name)s,\n\nseit deiner letzten Zusammenfassung ist "
                "Folgendes passiert:\n\n%(items)s\n\nDu bekommst diese E-Mail, weil du "
                "die tägliche Zusammenfassung eingeschaltet hast (Profil).",
                name=member.first_name,
                items="\n".join(lines),
            )
        message = mail.build_message(member.email, subject, body)
        if mail.send([message]):
            failed += 1
            _claim(session, member.id, now, previous)  # give it back
            continue
        sent += 1
    return sent, failed


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
