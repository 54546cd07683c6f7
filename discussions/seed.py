"""Demo forums for `ortsverein seed-demo`: a party-wide programme forum, a branch
forum with a lively thread, and one for OV Süd only."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

from . import services

THREADS = [
    (
        "Kommunalwahlprogramm: Bezahlbarer Wohnraum",
        "Wie stellen wir uns zum **Baugebiet am Mühlbach**? Ich schlage vor, dass "
        "mindestens 30 % geförderter Wohnraum entstehen.",
        [
            "Guter Vorschlag. Wir sollten auch an Genossenschaften denken.",
            "@Mina.Mitglied hast du die Zahlen der Stadt zur Hand?",
            "Die Stadt rechnet mit 400 Wohnungen; Quelle: "
            "[Bauausschuss](https://example.org/bauausschuss).",
        ],
    ),
    (
        "Infostand am Samstag – wer hilft mit?",
        "Wir brauchen noch zwei Leute von 10 bis 12 Uhr am Marktplatz.",
        ["Ich komme!", "Ich bringe Flyer und den Schirm mit."],
    ),
]


def seed_forums(session: Session, orgs: dict) -> None:
    def member(email: str) -> Member:
        return session.scalars(select(Member).where(Member.email == email)).one()

    orga, mina, admin = (
        member("orga@example.org"),
        member("mitglied@example.org"),
        member("admin@example.org"),
    )
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context(base_url=base):
        programme = services.save_forum(
            session,
            admin,
            org_id=orgs["bund"].id,
            name="Programmdebatte",
            description="Die parteiweite Themenplattform: Anträge und Ideen für das "
            "Programm.",
            position=0,
        )
        branch = services.save_forum(
            session,
            orga,
            org_id=orgs["nord"].id,
            name="OV Nord: Ortsverein",
            description="Alles rund um den Ortsverein Nord.",
            position=1,
        )
        services.save_forum(
            session,
            admin,
            org_id=orgs["sued"].id,
            name="OV Süd: Ortsverein",
            description="Nur für Mitglieder des OV Süd.",
        )
        authors = [orga, mina, admin]
        for forum, (title, body, replies) in zip(
            (branch, branch), THREADS, strict=True
        ):
            thread = services.create_thread(session, orga, forum.id, title, body)
            for i, reply in enumerate(replies):
                services.create_post(session, authors[(i + 1) % 3], thread.id, reply)
        services.create_thread(
            session,
            admin,
            programme.id,
            "Leitantrag Klimaschutz und gute Arbeit",
            "Der Entwurf des Leitantrags steht zur Debatte. Was fehlt?",
        )
