"""Forwarding an adopted motion up the tree: the board or organisers of the book's
organisation send it to an open motion book of a higher level, where it becomes a
new motion of that book with its origin (the branch, the original motion) and the
adopted text as version 1; the higher level's status shows back at the branch.
Reached through motions.services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from discussions import services as forum_services
from models import (
    Member,
    Motion,
    MotionBook,
    MotionStatus,
    MotionStatusChange,
    MotionSubmitter,
    MotionVersion,
    RoleName,
)
from ortsverein import audit
from ortsverein.db import reading_after_commit
from ortsverein.errors import Conflict
from ortsverein.i18n import _
from ortsverein.permissions import can_see_org, has_role

from . import live
from .access import deadline_passed
from .errors import NotAdopted, NotBoard, NotHigherBook
from .printed import numbered_html
from .rules import require_open
from .submission import open_thread, take_number


class AlreadyForwarded(Conflict):
    """The motion went to this book already."""

    code = "already_forwarded"


@dataclass(frozen=True)
class Forward:
    """Where a motion went, as its page shows it: the motion in the higher book,
    and whether the asking member may open it."""

    motion: Motion
    visible: bool


def may_forward(member: Member, motion: Motion) -> bool:
    """The board and the organisers of the book's organisation (or above) forward
    its adopted motions."""
    org = motion.book.organisation
    return has_role(member, org, RoleName.BOARD) or has_role(
        member, org, RoleName.ORGANISER
    )


def target_books(session: Session, member: Member, motion: Motion) -> list[MotionBook]:
    """The books the motion can still go to: those of strictly higher
    organisations of its book's organisation, open for submissions, not yet
    holding it."""
    if motion.status != MotionStatus.ADOPTED or not may_forward(member, motion):
        return []
    org = motion.book.organisation
    above = [i for i in org.ancestor_ids() if i != org.id]
    if not above:
        return []
    taken = {m.book_id for m in motion.forwards}
    books = session.scalars(
        select(MotionBook)
        .where(MotionBook.organisation_id.in_(above))
        .options(joinedload(MotionBook.organisation))
        .order_by(MotionBook.created_at.desc(), MotionBook.id.desc())
    )
    return [
        b
        for b in books
        if b.id not in taken
        and not deadline_passed(b)
        and can_see_org(member, b.organisation)
    ]


def forwards(member: Member, motion: Motion) -> list[Forward]:
    """Where the motion was forwarded, with the higher level's status."""
    return [
        Forward(m, can_see_org(member, m.book.organisation)) for m in motion.forwards
    ]


def forward(
    session: Session, member: Member, motion: Motion, book: MotionBook
) -> Motion:
    """Forward an adopted motion to an open book of a higher organisation, once
    per book: a new motion there (numbered in that book, in the branch's name,
    its text the adopted text as version 1, its thread opened), audit-logged in
    both organisations."""
    if not may_forward(member, motion):
        raise NotBoard(_("Weiterleiten kann der Vorstand der Gliederung."))
    if motion.status != MotionStatus.ADOPTED:
        raise NotAdopted(_("Weiterleiten lassen sich nur beschlossene Anträge."))
    branch = motion.book.organisation
    if book.organisation_id == branch.id or book.organisation_id not in (
        branch.ancestor_ids()
    ):
        raise NotHigherBook(
            _("Bitte korrigiere die markierten Angaben."),
            fields={
                "book": _(
                    "Weiterleiten lässt sich nur an ein Antragsbuch einer höheren "
                    "Gliederung."
                )
            },
        )
    if any(m.book_id == book.id for m in motion.forwards):
        raise AlreadyForwarded(
            _(
                "Der Antrag ist bereits an „%(book)s“ weitergeleitet.",
                book=book.title,
            )
        )
    require_open(book)  # the higher book's deadline, named in its time zone
    category = None
    if motion.category is not None:
        wanted = motion.category.name.casefold()
        category = next(
            (c for c in book.categories if c.name.casefold() == wanted), None
        )
    sequence = take_number(session, book)
    note = _(
        "Weitergeleitet von %(branch)s (%(book)s, %(number)s)",
        branch=branch.name,
        book=motion.book.title,
        number=motion.number,
    )
    copy = Motion(
        book=book,
        sequence=sequence,
        number=f"{book.prefix}{sequence}",
        title=motion.title,
        text=motion.text,
        text_html=numbered_html(motion.text),
        reasoning=motion.reasoning,
        reasoning_html=motion.reasoning_html,
        category=category,
        on_behalf_of=branch,
        forwarded_from=motion,
        status=MotionStatus.SUBMITTED,
        version=1,
    )
    copy.submitters = [MotionSubmitter(member=member, position=0)]
    copy.versions = [MotionVersion(number=1, text=motion.text, created_by_id=member.id)]
    copy.history = [
        MotionStatusChange(
            from_status=None,
            to_status=MotionStatus.SUBMITTED,
            actor_id=member.id,
            note=note,
        )
    ]
    session.add(copy)
    try:
        session.flush()
    except IntegrityError:  # forwarded at the same moment by someone else
        session.rollback()
        raise AlreadyForwarded(
            _(
                "Der Antrag ist bereits an „%(book)s“ weitergeleitet.",
                book=book.title,
            )
        ) from None
    created = open_thread(session, member, copy)
    audit.record(
        session,
        member,
        "motion.forwarded",
        organisation=branch,
        target=motion,
        book=book.title,
        number=copy.number,
    )
    audit.record(
        session,
        member,
        "motion.forward_received",
        organisation=book.organisation,
        target=copy,
        origin=f"{branch.name}: {motion.number}",
    )
    session.commit()
    if created is not None:
        forum_services.after_thread_commit(session, *created)
    with reading_after_commit(session):
        live.publish_created(copy)
    return copy
