"""The daily email digest: unread notifications since the last digest, in the
member's language, through the mail set-up of the foundation."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, Notification, utcnow
from ortsverein import mail
from ortsverein.i18n import _
from ortsverein.notifications import text_for

MIN_GAP = timedelta(hours=20)  # cron at a fixed hour; a late run still sends once
MAX_ITEMS = 50


def send_all(session: Session, *, force: bool = False) -> tuple[int, int]:
    """Returns (sent, failed). Marks members only after their mail went out."""
    now = utcnow()
    base = current_app.config["BASE_URL"].rstrip("/")
    members = session.scalars(
        select(Member)
        .where(Member.digest_by_email.is_(True), Member.active.is_(True))
        .order_by(Member.id)
    ).all()
    sent = failed = 0
    for member in members:
        if (
            not force
            and member.last_digest_at
            and now - member.last_digest_at < MIN_GAP
        ):
            continue
        since = member.last_digest_at or now - timedelta(days=1)
        notes = session.scalars(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.read_at.is_(None),
                Notification.created_at > since,
            )
            .order_by(Notification.id)
            .limit(MAX_ITEMS + 1)
        ).all()
        if not notes:
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
            continue
        member.last_digest_at = now
        session.commit()
        sent += 1
    return sent, failed
