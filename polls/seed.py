"""Demo polls for `ortsverein seed-demo`: a statute rule, an open and a closed poll."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Majority, Member, Poll, RulePreset, utcnow

from . import casting, services
from .lifecycle import ensure_current


def seed_polls(session: Session, orgs: dict) -> None:
    nord = orgs["nord"]
    orga = session.scalars(
        select(Member).where(Member.email == "orga@example.org")
    ).one()
    preset = RulePreset(
        organisation=orgs["bund"],
        name="Mitgliederentscheid: einfache Mehrheit, 20 % Beteiligung",
        quorum_percent=Decimal(20),
        majority=Majority.SIMPLE,
        statute_reference="§ 13 Abs. 3 Satzung",
    )
    session.add(preset)
    session.commit()
    now = utcnow()
    open_poll = services.create_poll(
        session,
        orga,
        services.PollInput(
            org_id=nord.id,
            title="Soll der Ortsverein ein Lastenrad für Infostände anschaffen?",
            body="Kosten etwa **2.400 €** aus der Ortsvereinskasse; "
            "Beschluss der Jahreshauptversammlung nötig.",
            kind="yes_no_abstain",
            options=[],
            secret=True,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=14),
            preset_id=preset.id,
        ),
    )
    services.schedule(session, orga, open_poll)
    closed = services.create_poll(
        session,
        orga,
        services.PollInput(
            org_id=nord.id,
            title="Themenschwerpunkt für das Kommunalwahlprogramm",
            body="Bitte ordne die Themen nach deiner Priorität.",
            kind="ranked",
            options=[
                "Bezahlbarer Wohnraum",
                "Bus und Bahn",
                "Kitas und Schulen",
                "Klimaschutz vor Ort",
            ],
            secret=True,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(hours=1),
        ),
    )
    services.schedule(session, orga, closed)
    rnd = random.Random(2026)  # the same demo result every time
    voters = session.scalars(
        select(Member).where(Member.home_branch_id == nord.id).order_by(Member.id)
    ).all()
    ids = [o.id for o in closed.options]
    for voter in voters[: int(len(voters) * 0.7)]:
        ranking = ids[:]
        rnd.shuffle(ranking)
        casting.cast(session, closed, voter, ranking[: rnd.randint(1, len(ranking))])
    session.execute(
        update(Poll)
        .where(Poll.id == closed.id)
        .values(closes_at=now - timedelta(days=1))
    )
    session.commit()
    session.refresh(closed)
    ensure_current(session, closed)
    session.commit()  # leave no transaction (and on SQLite no lock) open
