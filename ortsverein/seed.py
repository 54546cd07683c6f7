"""The demo branch: an organisation tree, about forty-five members and their roles."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Member, Organisation, OrgLevel, Role, RoleName, utcnow

from . import audit
from .auth.passwords import hash_password

DEMO_PASSWORD = "demo-passwort"  # noqa: S105  (demo data only; refused in production)

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "Deniz",
    "Emil",
    "Fatma",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katrin",
    "Lukas",
    "Mia",
    "Nils",
    "Olga",
    "Paul",
    "Quirin",
    "Rosa",
    "Sami",
    "Tanja",
]
LAST = [
    "Schmidt",
    "Yilmaz",
    "Müller",
    "Weber",
    "Nowak",
    "Becker",
    "Hoffmann",
    "Şahin",
    "Wagner",
    "Jäger",
]


DEMO_ACCOUNTS = [
    ("admin@example.org", "Administration (Bundesverband)"),
    ("vorstand@example.org", "Vorstand OV Nord"),
    ("orga@example.org", "Moderation OV Nord"),
    ("mitglied@example.org", "Mitglied OV Nord"),
    ("sued@example.org", "Mitglied OV Süd"),
    ("mitglied01@example.org … mitglied40@example.org", "Mitglieder OV Nord"),
]


class DemoRefused(Exception):
    pass


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count(Organisation.id)))


def _org(session, name, slug, level, parent=None):
    org = Organisation(name=name, slug=slug, level=level, parent=parent, path="/")
    session.add(org)
    session.flush()
    org.path = (parent.path if parent else "/") + f"{org.id}/"
    return org


def seed(session: Session, config) -> None:
    """Create the demo data; refused in production and on a non-empty database."""
    if not config.get("DEMO_ALLOWED", False):
        raise DemoRefused("seed-demo is refused in production")
    if not is_empty(session):
        raise DemoRefused(
            "the database is not empty; seed-demo only fills an empty one"
        )
    bund = _org(session, "Bundesverband", "bund", OrgLevel.BUND)
    land = _org(
        session, "Landesverband Beispielland", "land-beispiel", OrgLevel.LAND, bund
    )
    ub = _org(
        session, "Unterbezirk Musterstadt", "ub-musterstadt", OrgLevel.UNTERBEZIRK, land
    )
    nord = _org(session, "OV Nord", "ov-nord", OrgLevel.ORTSVEREIN, ub)
    sued = _org(session, "OV Süd", "ov-sued", OrgLevel.ORTSVEREIN, ub)
    password = hash_password(DEMO_PASSWORD)  # one hash for all: demo accounts only
    now = utcnow()

    def member(number, first, last, email, branch, *roles):
        m = Member(
            membership_number=number,
            first_name=first,
            last_name=last,
            email=email,
            home_branch=branch,
            password_hash=password,
            activated_at=now,
            invited_at=now,
        )
        for org, role in roles:
            m.roles.append(Role(organisation=org, role=role))
        session.add(m)
        return m

    member("D-0001", "Alex", "Admin", "admin@example.org", nord, (bund, RoleName.ADMIN))
    member(
        "N-0002",
        "Vera",
        "Vorstand",
        "vorstand@example.org",
        nord,
        (nord, RoleName.BOARD),
    )
    member(
        "N-0003", "Oskar", "Orga", "orga@example.org", nord, (nord, RoleName.ORGANISER)
    )
    member("N-0004", "Mina", "Mitglied", "mitglied@example.org", nord)
    member("S-0005", "Sven", "Süd", "sued@example.org", sued)
    for i in range(1, 41):
        member(
            f"N-{100 + i:04d}",
            FIRST[i % len(FIRST)],
            LAST[i % len(LAST)],
            f"mitglied{i:02d}@example.org",
            nord,
        )
    session.flush()
    audit.record(session, None, "demo.seeded", organisation=bund)
    session.commit()
    for hook in config.get("SEED_HOOKS", []):
        hook(session, {"bund": bund, "nord": nord, "sued": sued})
