"""Submitting a motion: in whose name a member may submit, before the deadline;
the motion is numbered in its book, its text kept as version 1 and its
discussion thread opened. Reached through motions.services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from discussions import services as forum_services
from models import (
    Member,
    Motion,
    MotionBook,
    MotionStatus,
    MotionStatusChange,
    MotionSubmitter,
    MotionVersion,
    Organisation,
    Thread,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit
from ortsverein.errors import Forbidden, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render

from . import live
from .access import SELF, capacities, in_membership
from .printed import numbered_html
from .rules import clean as _clean
from .rules import require_open as _require_open

MAX_TEXT = 100_000
MAX_CO_SUBMITTERS = 20


@dataclass
class MotionInput:
    """A motion as its submitter writes it. `on_behalf_of` is SELF, the id of a
    subordinate branch (its board submits) or a working group's name."""

    title: str
    text: str
    reasoning: str = ""
    category_id: int | None = None
    on_behalf_of: str = SELF
    co_submitters: list[str] = field(default_factory=list)  # email addresses


def _capacity(
    member: Member, book: MotionBook, chosen: str
) -> tuple[Organisation | None, str]:
    """The branch or working group the motion is submitted for, if the member may
    submit in that name; NotFound-free: the book is visible already."""
    allowed = capacities(member, book)
    if not allowed:
        raise Forbidden(_("In diesem Antragsbuch darfst du keine Anträge stellen."))
    for capacity in allowed:
        if isinstance(capacity, Organisation) and chosen == str(capacity.id):
            return capacity, ""
        if isinstance(capacity, str) and capacity == chosen:
            return None, "" if capacity == SELF else capacity
    raise ValidationFailed(
        _("Bitte korrigiere die markierten Angaben."),
        fields={"on_behalf_of": _("In diesem Namen darfst du hier nicht einreichen.")},
    )


def _co_submitters(
    session: Session, member: Member, book: MotionBook, emails: list[str]
) -> list[Member]:
    wanted = []
    for email in emails:
        email = email.strip().lower()
        if email and email != member.email.lower() and email not in wanted:
            wanted.append(email)
    if len(wanted) > MAX_CO_SUBMITTERS:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={"co_submitters": _("Höchstens %(n)d.", n=MAX_CO_SUBMITTERS)},
        )
    found = {
        m.email.lower(): m
        for m in session.scalars(
            select(Member).where(func.lower(Member.email).in_(wanted))
        )
        if in_membership(m, book)
    }
    missing = [e for e in wanted if e not in found]
    if missing:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={
                "co_submitters": _(
                    "Kein Mitglied dieser Gliederung: %(emails)s",
                    emails=", ".join(missing),
                )
            },
        )
    return [found[e] for e in wanted]


def take_number(session: Session, book: MotionBook) -> int:
    """The book's next running number. Taking it locks the book's row
    (PostgreSQL) until the commit: two motions submitted at once get two numbers."""
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(next_number=MotionBook.next_number + 1)
    )
    sequence = session.scalar(
        select(MotionBook.next_number).where(MotionBook.id == book.id)
    )
    assert sequence is not None
    return sequence - 1


def open_thread(
    session: Session, member: Member, motion: Motion
) -> tuple[Thread, list[Any]] | None:
    """The motion's discussion thread in its book's forum (if the book has an open
    one), staged in the motion's transaction; pass the result to
    `forum_services.after_thread_commit` after the commit."""
    forum = motion.book.forum
    if forum is None or forum.archived:
        return None
    url = url_for("motions.motion", motion_id=motion.id)
    created = forum_services.add_thread(
        session,
        member,
        forum.id,
        f"{motion.number}: {motion.title}"[:200],
        _(
            "Aussprache zum Antrag %(number)s „%(title)s“: [zum Antrag](%(url)s)",
            number=motion.number,
            title=motion.title,
            url=url,
        ),
    )
    motion.thread_id = created[0].id
    return created


def submit(
    session: Session, member: Member, book: MotionBook, data: MotionInput
) -> Motion:
    """A member who may submit files a motion before the deadline; it is numbered
    in the book (A1, A2, ...), its text kept as version 1, and its discussion
    thread opened in the book's forum."""
    _require_open(book)
    on_behalf_of, group = _capacity(member, book, data.on_behalf_of)
    errors: dict[str, str] = {}
    title = " ".join(_clean(data.title).split())
    text, reasoning = _clean(data.text), _clean(data.reasoning)
    if not title:
        errors["title"] = _("Bitte ausfüllen.")
    elif len(title) > 200:
        errors["title"] = _("Höchstens %(n)d Zeichen.", n=200)
    if not text:
        errors["text"] = _("Bitte ausfüllen.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Höchstens %(n)d Zeichen.", n=MAX_TEXT)
    if len(reasoning) > MAX_TEXT:
        errors["reasoning"] = _("Höchstens %(n)d Zeichen.", n=MAX_TEXT)
    category = None
    if data.category_id is not None:
        category = next((c for c in book.categories if c.id == data.category_id), None)
        if category is None:
            errors["category_id"] = _("Bitte wähle ein Sachgebiet aus der Liste.")
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    others = _co_submitters(session, member, book, data.co_submitters)
    sequence = take_number(session, book)
    motion = Motion(
        book=book,
        sequence=sequence,
        number=f"{book.prefix}{sequence}",
        title=title,
        text=text,
        text_html=numbered_html(text),
        reasoning=reasoning,
        reasoning_html=render(reasoning) if reasoning else "",
        category=category,
        on_behalf_of=on_behalf_of,
        working_group=group,
        status=MotionStatus.SUBMITTED,
        version=1,
    )
    motion.submitters = [
        MotionSubmitter(member=m, position=i) for i, m in enumerate([member, *others])
    ]
    motion.versions = [MotionVersion(number=1, text=text, created_by_id=member.id)]
    motion.history = [
        MotionStatusChange(
            from_status=None, to_status=MotionStatus.SUBMITTED, actor_id=member.id
        )
    ]
    session.add(motion)
    session.flush()
    created = open_thread(session, member, motion)
    audit.record(
        session,
        member,
        "motion.submitted",
        organisation=book.organisation,
        target=motion,
        number=motion.number,
    )
    session.commit()
    if created is not None:
        forum_services.after_thread_commit(session, *created)
    with reading_after_commit(session):
        live.publish_created(motion)
    return motion
