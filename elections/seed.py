"""Demo election for `ortsverein seed-demo`: the board of OV Nord, nominations
open, two members standing (no one waits for a consent, so no notification)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, utcnow

from . import services


def seed_elections(session: Session, orgs: dict) -> None:
    def member(email: str) -> Member:
        return session.scalars(select(Member).where(Member.email == email)).one()

    orga, board = member("orga@example.org"), member("vorstand@example.org")
    now = utcnow().replace(second=0, microsecond=0)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        election = services.create_election(
            session,
            orga,
            services.ElectionInput(
                org_id=orgs["nord"].id,
                title="Wahl der Beisitzer:innen (Demo)",
                office="Beisitzer:innen im Vorstand",
                body="Die Jahreshauptversammlung wählt drei Beisitzer:innen.",
                seats=3,
                method="block",
                nominations_open_at=now - timedelta(days=1),
                nominations_close_at=now + timedelta(days=14),
                quota_percent=Decimal(40),
                statute_reference="§ 11 Abs. 2 Organisationsstatut",
            ),
        )
        for who, text in (
            (orga, "Ich organisiere unsere Infostände."),
            (board, "Ich kümmere mich um die Kasse der Jusos."),
        ):
            services.nominate(session, who, election, who.id, text)
