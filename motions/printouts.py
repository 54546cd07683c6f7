"""The motion book and a motion as PDF from the stored motions: what goes in (the
current text, the open amendments to it, statuses in words) for book_pdf."""

from __future__ import annotations

from babel.dates import format_datetime
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AmendmentStatus, Motion, MotionAmendment, MotionBook, utcnow
from ortsverein.i18n import _

from .access import zone
from .book_pdf import BookAmendment, BookMotion, book_pdf, motion_pdf
from .book_pdf import MotionBook as PrintedBook
from .labels import AMENDMENT_STATUS, deadline_text, status_text


def _amendment_status() -> dict[AmendmentStatus, str]:
    return {status: str(words) for status, words in AMENDMENT_STATUS.items()}


def _printed(motion: Motion, rows: list[MotionAmendment]) -> BookMotion:
    """A motion with the amendments to its current version that are not merged
    (merged ones are in its text already)."""
    words = _amendment_status()
    origin = ""
    if motion.on_behalf_of is not None:
        origin = _("Vorstand %(org)s", org=motion.on_behalf_of.name)
    elif motion.working_group:
        origin = motion.working_group
    return BookMotion(
        number=motion.number,
        title=motion.title,
        text=motion.text,
        reasoning=motion.reasoning,
        submitters=tuple(s.member.name for s in motion.submitters),
        status=status_text(motion),
        category=motion.category.name if motion.category else "",
        origin=origin,
        amendments=tuple(
            BookAmendment(
                label=r.label,
                first=r.first_line,
                last=r.last_line,
                text=r.text,
                submitter=r.submitter.name if r.submitter else "",
                status=words[r.status],
                reasoning=r.reasoning,
            )
            for r in rows
            if r.version == motion.version
            and r.status not in (AmendmentStatus.MERGED, AmendmentStatus.WITHDRAWN)
        ),
    )


def _amendments(session: Session, motion_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for row in session.scalars(
        select(MotionAmendment)
        .where(MotionAmendment.motion_id.in_(motion_ids))
        .order_by(MotionAmendment.sequence)
    ):
        found.setdefault(row.motion_id, []).append(row)
    return found


def book_document(session: Session, book: MotionBook) -> bytes:
    """The book as printed: every motion in order with its open amendments."""
    motions = list(book.motions)
    rows = _amendments(session, [m.id for m in motions])
    occasion = book.conference_title or (book.meeting.title if book.meeting else "")
    printed = PrintedBook(
        title=book.title,
        organisation=book.organisation.name,
        occasion=occasion,
        deadline=deadline_text(book),
        created=format_datetime(
            utcnow(), "medium", tzinfo=zone(book), locale=get_locale()
        ),
        motions=tuple(_printed(m, rows.get(m.id, [])) for m in motions),
    )
    return book_pdf(printed)


def motion_document(session: Session, motion: Motion) -> bytes:
    rows = _amendments(session, [motion.id])
    return motion_pdf(_printed(motion, rows.get(motion.id, [])), motion.book.title)
