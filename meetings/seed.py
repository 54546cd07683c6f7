"""Demo meetings for `ortsverein seed-demo`: OV Nord's branch evening under way (to
try the room) and the next one planned, with a discussion thread per item."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Forum, Member, utcnow

from . import services


def seed_meetings(session: Session, orgs: dict) -> None:
    orga = session.scalars(
        select(Member).where(Member.email == "orga@example.org")
    ).one()
    forum = session.scalar(
        select(Forum).where(Forum.organisation_id == orgs["nord"].id).limit(1)
    )
    now = utcnow().replace(second=0, microsecond=0)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        running = services.create_meeting(
            session,
            orga,
            services.MeetingInput(
                org_id=orgs["nord"].id,
                title="Ortsvereinssitzung (Demo, läuft)",
                body="Die monatliche Sitzung – diesmal hybrid: im Hinterzimmer und "
                "online.",
                starts_at=now - timedelta(minutes=10),
                ends_at=now + timedelta(hours=2),
                quorum=3,
                items=[
                    services.ItemInput(title="Begrüßung und Tagesordnung"),
                    services.ItemInput(
                        title="Antrag: Lastenrad für den Ortsverein",
                        body="Der Vorstand schlägt vor, ein Lastenrad für Infostände "
                        "anzuschaffen (ca. 3.000 €).",
                    ),
                    services.ItemInput(title="Verschiedenes"),
                ],
                forum_id=forum.id if forum else None,
            ),
        )
        services.start(session, orga, running)
        services.create_meeting(
            session,
            orga,
            services.MeetingInput(
                org_id=orgs["nord"].id,
                title="Ortsvereinssitzung im nächsten Monat",
                body="Einladung folgt.",
                starts_at=now + timedelta(days=28),
                ends_at=now + timedelta(days=28, hours=2),
                items=[
                    services.ItemInput(title="Berichte"),
                    services.ItemInput(title="Kommunalwahlprogramm"),
                ],
            ),
        )
