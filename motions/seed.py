"""Demo motions for `ortsverein seed-demo`: OV Nord's motion book for its next
branch meeting, with a motion still collecting supporters and one admitted."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, utcnow

from . import services


def seed_motions(session: Session, orgs: dict) -> None:
    def member(email: str) -> Member:
        return session.scalars(select(Member).where(Member.email == email)).one()

    orga, mina = member("orga@example.org"), member("mitglied@example.org")
    board = member("vorstand@example.org")
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        book = services.create_book(
            session,
            orga,
            services.BookInput(
                org_id=orgs["nord"].id,
                title="Anträge zur Jahreshauptversammlung (Demo)",
                description="Anträge an die Jahreshauptversammlung des "
                "Ortsvereins. Jeder Antrag braucht zwei Unterstützende.",
                deadline=(utcnow() + timedelta(days=14)).replace(
                    second=0, microsecond=0
                ),
                supporters_needed=2,
                categories=["Umwelt und Verkehr", "Organisation"],
            ),
        )
        first = services.submit(
            session,
            mina,
            book,
            services.MotionInput(
                title="Ein Lastenrad für den Ortsverein",
                text="Der Ortsverein schafft ein Lastenrad an, das Mitglieder für "
                "Infostände, Plakate und Nachbarschaftshilfe ausleihen können.\n\n"
                "Die Kosten von höchstens 3.000 € trägt die Ortsvereinskasse; der "
                "Vorstand regelt die Ausleihe.",
                reasoning="Infostände ohne Auto: klimafreundlich und sichtbar.",
                category_id=book.categories[0].id,
            ),
        )
        services.support(session, board, first)
        services.support(session, member("mitglied01@example.org"), first)
        services.change_status(session, orga, first, "admitted")
        services.submit(
            session,
            member("mitglied02@example.org"),
            book,
            services.MotionInput(
                title="Sitzungen auch online",
                text="Ortsvereinssitzungen finden hybrid statt: im Raum und "
                "online, mit gleichem Rede- und Stimmrecht.",
                category_id=book.categories[1].id,
            ),
        )
