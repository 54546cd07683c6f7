"""Who may see, run, submit to and support a motion book; loaders that answer
NotFound for what a member may not see; the book's clock in its own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Member,
    Motion,
    MotionBook,
    MotionStatusChange,
    MotionSubmitter,
    MotionSupporter,
    Organisation,
    RoleName,
    utcnow,
)
from ortsverein.errors import NotFound
from ortsverein.permissions import GRANTS, can_see_org, has_role, in_subtree

SELF = "self"  # a capacity: submitting as oneself (not for a board or group)


def get_book(session: Session, member: Member, book_id: int) -> MotionBook:
    book = session.get(
        MotionBook,
        book_id,
        options=[
            joinedload(MotionBook.organisation),
            selectinload(MotionBook.categories),
        ],
    )
    if book is None or not can_see_org(member, book.organisation):
        raise NotFound()
    return book


def get_motion(session: Session, member: Member, motion_id: int) -> Motion:
    motion = session.get(
        Motion,
        motion_id,
        options=[
            joinedload(Motion.book).joinedload(MotionBook.organisation),
            selectinload(Motion.submitters).joinedload(MotionSubmitter.member),
            selectinload(Motion.supporters).joinedload(MotionSupporter.member),
            selectinload(Motion.history).joinedload(MotionStatusChange.actor),
        ],
    )
    if motion is None or not can_see_org(member, motion.book.organisation):
        raise NotFound()
    return motion


def can_organise(member: Member, org: Organisation) -> bool:
    """Organisers of the organisation (or above) keep its motion books: they are
    the motion committee (Antragskommission)."""
    return has_role(member, org, RoleName.ORGANISER)


def is_committee(member: Member, book: MotionBook) -> bool:
    return can_organise(member, book.organisation)


def in_membership(member: Member, book: MotionBook) -> bool:
    """Members of the book's subtree: they may support motions."""
    return member.active and in_subtree(member.home, book.organisation)


def board_branches(member: Member, book: MotionBook) -> list[Organisation]:
    """The subordinate branches (strictly below the book's organisation) on whose
    board the member sits: they may submit in those branches' name."""
    found = {
        r.organisation.id: r.organisation
        for r in member.roles
        if RoleName.BOARD in GRANTS[r.role]
        and in_subtree(r.organisation, book.organisation)
        and r.organisation.id != book.organisation_id
    }
    return sorted(found.values(), key=lambda o: o.name)


def working_groups(book: MotionBook) -> list[str]:
    return [g.strip() for g in book.working_groups.splitlines() if g.strip()]


def capacities(member: Member, book: MotionBook) -> list[str | Organisation]:
    """In whose name the member may submit to the book: SELF, subordinate branches
    (their boards) and the book's working groups (names). Working-group membership
    is not recorded yet: members of the subtree may submit in a listed group's name."""
    if not member.active:
        return []
    found: list[str | Organisation] = []
    member_of_subtree = in_membership(member, book)
    if book.members_may_submit and member_of_subtree:
        found.append(SELF)
    if book.boards_may_submit:
        found.extend(board_branches(member, book))
    if member_of_subtree:
        found.extend(working_groups(book))
    return found


# --- the book's clock -------------------------------------------------------------


def zone(book: MotionBook) -> ZoneInfo:
    try:
        return ZoneInfo(book.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Berlin")


def to_utc_in(book_zone: str, local: datetime | None) -> datetime | None:
    """A wall-clock time of the book's zone (as a form gives it) in UTC."""
    if local is None:
        return None
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo(book_zone)).astimezone(UTC)


def local(book: MotionBook, moment: datetime | None) -> datetime | None:
    """A stored moment as the book's wall clock shows it (naive, for forms)."""
    if moment is None:
        return None
    return moment.astimezone(zone(book)).replace(tzinfo=None)


def deadline_passed(book: MotionBook, now: datetime | None = None) -> bool:
    return book.deadline is not None and (now or utcnow()) >= book.deadline
