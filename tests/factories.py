"""Plain functions that create test data through the models."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy.orm import Session

from models import Member, Organisation, OrgLevel, Role, RoleName, utcnow
from ortsverein.auth.passwords import hash_password
from ortsverein.db import write_intent

PASSWORD = "richtig-gutes-passwort"
_numbers = itertools.count(1)


def fresh(session: Session) -> None:
    """Forget what the test's session has read, to see what requests committed."""
    session.rollback()  # ends an open read snapshot (SQLite WAL keeps one per txn)
    session.expire_all()  # and reloads objects even when no transaction was open


def make_org(
    session: Session,
    name: str,
    slug: str,
    level=OrgLevel.ORTSVEREIN,
    parent: Organisation | None = None,
) -> Organisation:
    org = Organisation(name=name, slug=slug, level=level, parent=parent, path="/")
    session.add(org)
    session.flush()
    _place(org)
    session.flush()
    return org


def _place(org: Organisation) -> None:
    """The org's path in the tree, once it has an id (its parent's path first)."""
    org.path = (org.parent.path if org.parent else "/") + f"{org.id}/"


def make_member(session: Session, branch: Organisation, **fields) -> Member:
    """A member of `branch`, flushed; `fields` as `_member` takes them."""
    member = _member(branch, **fields)
    session.add(member)
    session.flush()
    return member


def _member(
    branch: Organisation,
    *,
    email: str | None = None,
    number: str | None = None,
    first_name: str = "Test",
    last_name: str | None = None,
    password: str | None = PASSWORD,
    roles: tuple = (),
    active: bool = True,
) -> Member:
    n = next(_numbers)
    member = Member(
        membership_number=number or f"T-{n:06d}",
        first_name=first_name,
        last_name=last_name or f"Mitglied{n}",
        email=(email or f"m{n}@example.org").lower(),
        home_branch=branch,
        password_hash=_hash(password) if password else None,
        activated_at=utcnow() if password else None,
        active=active,
    )
    for org, role in roles:
        member.roles.append(Role(organisation=org, role=RoleName(role)))
    return member


_hashes: dict[tuple, str] = {}


def _hash(password: str) -> str:
    """argon2 is slow by design (about a tenth of the world's time): members made
    with the same password and cost share one hash, salt included; logging in
    checks it as any other."""
    from flask import current_app

    config = current_app.config
    key = (
        password,
        config["ARGON2_TIME_COST"],
        config["ARGON2_MEMORY_COST"],
        config["ARGON2_PARALLELISM"],
    )
    if key not in _hashes:
        _hashes[key] = hash_password(password)
    return _hashes[key]


# The world's branches: attribute, name, slug, level, parent's attribute.
WORLD_TREE = (
    ("bund", "Bund", "bund", OrgLevel.BUND, None),
    ("land", "Land", "land", OrgLevel.LAND, "bund"),
    ("ub", "Unterbezirk", "ub", OrgLevel.UNTERBEZIRK, "land"),
    ("nord", "OV Nord", "ov-nord", OrgLevel.ORTSVEREIN, "ub"),
    ("sued", "OV Süd", "ov-sued", OrgLevel.ORTSVEREIN, "ub"),
)


def make_world(session: Session) -> SimpleNamespace:
    """Bund > Land > Unterbezirk > {OV Nord, OV Süd}, with one member per role.
    Made in two flushes instead of one per row (a flush has a fixed cost that
    made the world a sixth of a typical test); rows and ids as one by one."""
    w = SimpleNamespace()
    orgs = []
    for attr, name, slug, level, parent in WORLD_TREE:
        org = Organisation(
            name=name,
            slug=slug,
            level=level,
            parent=getattr(w, parent) if parent else None,
            path="/",
        )
        session.add(org)
        setattr(w, attr, org)
        orgs.append(org)
    session.flush()
    for org in orgs:  # parents first
        _place(org)
    w.admin = _member(w.nord, email="admin@example.org", roles=((w.bund, "admin"),))
    w.board = _member(w.nord, email="vorstand@example.org", roles=((w.nord, "board"),))
    w.organiser = _member(
        w.nord, email="orga@example.org", roles=((w.nord, "organiser"),)
    )
    w.member = _member(w.nord, email="mitglied@example.org", first_name="Mina")
    w.sued_member = _member(w.sued, email="sued@example.org")
    w.sued_board = _member(
        w.sued, email="vorstand-sued@example.org", roles=((w.sued, "board"),)
    )
    session.add_all(
        [w.admin, w.board, w.organiser, w.member, w.sued_member, w.sued_board]
    )
    session.commit()
    return w


def make_poll(
    session: Session,
    org: Organisation,
    creator: Member,
    *,
    kind: str = "yes_no_abstain",
    options=("A", "B", "C"),
    secret: bool = True,
    quorum: int = 0,
    majority: str = "simple",
    opens_in: int = -60,
    closes_in: int = 3600,
    max_choices: int = 1,
    min_choices: int = 0,
    scheduled: bool = True,
    escrow_threshold: int | None = None,
):
    """A poll through the service (so options and rules are as in the app)."""
    from datetime import timedelta
    from decimal import Decimal

    from polls.services import PollInput, create_poll, schedule

    now = utcnow()
    data = PollInput(
        org_id=org.id,
        title=f"Frage {kind}",
        body="**Text**",
        kind=kind,
        options=list(options),
        secret=secret,
        opens_at=now + timedelta(seconds=opens_in),
        closes_at=now + timedelta(seconds=closes_in),
        quorum_percent=Decimal(quorum),
        majority=majority,
        min_choices=min_choices,
        max_choices=max_choices,
        escrow_threshold=escrow_threshold,
    )
    poll = create_poll(session, creator, data)
    if scheduled:
        schedule(session, creator, poll)
    return poll


def close_now(session: Session, poll) -> None:
    """Move the closing time into the past (as if the clock had run on)."""
    from datetime import timedelta

    from sqlalchemy import update

    from models import Poll

    session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(closes_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    session.refresh(poll)


def _through_service(session: Session, function, *args, **kwargs):
    """Call a service as a request would: inside a request context with the write
    lock taken up front, and with no transaction left open afterwards (on SQLite an
    open one would block the requests of the test)."""
    from flask import current_app, has_app_context

    session.commit()  # end a read snapshot: SQLite refuses to upgrade a stale one
    app = (
        current_app._get_current_object() if has_app_context() else session.info["app"]
    )
    with app.test_request_context(), write_intent():
        result = function(session, *args, **kwargs)
        session.commit()
    return result


def make_forum(session: Session, org: Organisation, creator: Member, name="Forum"):
    """A forum through the service, as an organiser creates it."""
    from discussions.services import save_forum

    return _through_service(
        session, save_forum, creator, org_id=org.id, name=name, description="Worum"
    )


def make_thread(
    session: Session, forum, author: Member, title="Thema", body="Erster Beitrag"
):
    from discussions.services import create_thread

    return _through_service(session, create_thread, author, forum.id, title, body)


def make_post(session: Session, thread, author: Member, body="Antwort"):
    from discussions.services import create_post

    return _through_service(session, create_post, author, thread.id, body)


def make_meeting(session: Session, org: Organisation, organiser: Member, **kw):
    """A meeting through the service, as an organiser plans it (three items)."""
    from meetings.services import ItemInput, MeetingInput, create_meeting

    start = utcnow() + timedelta(days=1)
    data = MeetingInput(
        org_id=org.id,
        title=kw.pop("title", "Mitgliederversammlung"),
        body="Alle sind eingeladen.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        items=[
            ItemInput(title=t)
            for t in kw.pop("items", ["Begrüßung", "Lastenrad", "Verschiedenes"])
        ],
        **kw,
    )
    return _through_service(session, create_meeting, organiser, data)


def meeting_action(session: Session, function, *args):
    """A meeting service (start, check_in, ...) called as a request would."""
    return _through_service(session, function, *args)


def stored_ballots(session: Session, poll_id: int) -> int:
    """How many ballots a poll holds, sealed (an open secret poll) or plain."""
    from sqlalchemy import func, select

    from models import BallotRecord, SealedBallot

    return sum(
        session.scalar(
            select(func.count()).select_from(model).where(model.poll_id == poll_id)
        )
        or 0
        for model in (BallotRecord, SealedBallot)
    )


def ballot_lines(app, session: Session, poll) -> list[str]:
    """A poll's ballots as canonical lines, sorted: the plain ones, and the sealed
    ones opened with the poll's private key (what only sealing may do; a test
    reads what casting stored)."""
    from sqlalchemy import select

    from models import BallotRecord, SealedBallot
    from polls import ballot_keys

    lines = list(
        session.scalars(
            select(BallotRecord.choices).where(BallotRecord.poll_id == poll.id)
        )
    )
    boxes = list(
        session.scalars(select(SealedBallot.box).where(SealedBallot.poll_id == poll.id))
    )
    if boxes:
        with app.app_context():
            key = ballot_keys.private_key(poll.id, poll.ballot_public_key)
        lines += [ballot_keys.open_sealed(key, box) for box in boxes]
    return sorted(lines)
