"""Motion use cases: motion books for organisers, submitting, supporting and
withdrawing motions for members, and status changes by the motion committee. Each
takes a session and plain values, checks permission and state, commits, then
publishes. Other features use motions through this module only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from discussions import services as forum_services
from models import (
    Meeting,
    Member,
    Motion,
    MotionBook,
    MotionCategory,
    MotionSubmitter,
    MotionSupporter,
    Occasion,
    Organisation,
)
from ortsverein import audit
from ortsverein.errors import NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.pagination import Page, paginate
from ortsverein.permissions import visible_org_clause

from .access import can_organise as can_organise
from .access import capacities as capacities
from .access import get_book as get_book
from .access import get_motion as get_motion
from .access import is_committee as is_committee
from .agenda import agenda_candidates as agenda_candidates
from .agenda import agenda_entries as agenda_entries
from .agenda import agenda_meetings as agenda_meetings
from .agenda import list_on_agenda as list_on_agenda
from .agenda import may_plan_agenda as may_plan_agenda
from .agenda import unlist_from_agenda as unlist_from_agenda
from .decisions import change_status as change_status
from .decisions import support as support
from .decisions import unsupport as unsupport
from .decisions import withdraw as withdraw
from .forwarding import AlreadyForwarded as AlreadyForwarded
from .forwarding import forward as forward
from .forwarding import forwards as forwards
from .forwarding import may_forward as may_forward
from .forwarding import target_books as target_books
from .submission import MotionInput as MotionInput
from .submission import submit as submit
from .vote_records import amended_version as amended_version
from .vote_records import decision_of as decision_of
from .vote_records import decisions as decisions
from .vote_records import decisions_of as decisions_of
from .vote_records import pending_amendments as pending_amendments
from .vote_results import refresh_decisions as refresh_decisions
from .voting import close_vote as close_vote
from .voting import start_vote as start_vote
from .voting import vote_panel as vote_panel

MAX_CATEGORIES = 50
# Zones a book can keep its deadline in: Europe's, and UTC.
ZONES = sorted(z for z in available_timezones() if z.startswith("Europe/")) + ["UTC"]


@dataclass
class BookInput:
    """A motion book as an organiser describes it; `deadline` is aware (UTC) or a
    wall-clock time of `timezone`."""

    org_id: int
    title: str
    description: str = ""
    occasion: str = Occasion.STANDING.value
    meeting_id: int | None = None
    conference_title: str = ""
    conference_org_id: int | None = None
    deadline: datetime | None = None
    timezone: str = "Europe/Berlin"
    members_may_submit: bool = True
    boards_may_submit: bool = True
    working_groups: list[str] = field(default_factory=list)
    supporters_needed: int = 0
    categories: list[str] = field(default_factory=list)
    prefix: str = "A"


def _clean_lines(values: list[str], maximum: int) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = " ".join((value or "").split())[:maximum]
        if value and value not in seen:
            seen.append(value)
    return seen


def _validate(
    session: Session, member: Member, data: BookInput, org: Organisation | None
) -> tuple[Organisation, Meeting | None, Organisation | None]:
    """Check the book's description, or raise ValidationFailed naming fields."""
    errors: dict[str, str] = {}
    if org is None or not can_organise(member, org):
        raise NotFound()
    data.title = " ".join((data.title or "").split())
    if not data.title:
        errors["title"] = _("Bitte ausfüllen.")
    elif len(data.title) > 200:
        errors["title"] = _("Höchstens %(n)d Zeichen.", n=200)
    if len(data.description or "") > 20_000:
        errors["description"] = _("Höchstens %(n)d Zeichen.", n=20_000)
    if data.timezone not in ZONES:
        errors["timezone"] = _("Bitte wähle eine Zeitzone aus der Liste.")
    try:
        occasion = Occasion(data.occasion)
    except ValueError:
        errors["occasion"] = _("Bitte wähle einen Anlass aus der Liste.")
        occasion = Occasion.STANDING
    meeting = conference_org = None
    if occasion == Occasion.MEETING:
        meeting = session.get(Meeting, data.meeting_id) if data.meeting_id else None
        if meeting is None or meeting.organisation_id != org.id:
            errors["meeting_id"] = _(
                "Bitte wähle eine Sitzung dieser Gliederung aus der Liste."
            )
    if occasion == Occasion.CONFERENCE:
        data.conference_title = " ".join((data.conference_title or "").split())
        if not data.conference_title or len(data.conference_title) > 200:
            errors["conference_title"] = _(
                "Bitte nenne den Parteitag (höchstens 200 Zeichen)."
            )
        conference_org = (
            session.get(Organisation, data.conference_org_id)
            if data.conference_org_id
            else None
        )
        if conference_org is None or conference_org.id not in org.ancestor_ids():
            errors["conference_org_id"] = _(
                "Bitte wähle die Gliederung des Parteitags: diese oder eine darüber."
            )
    if not 0 <= data.supporters_needed <= 10_000:
        errors["supporters_needed"] = _("Bitte eine Zahl von 0 bis 10000.")
    data.prefix = (data.prefix or "").strip()
    if not data.prefix or len(data.prefix) > 10 or not data.prefix.isprintable():
        errors["prefix"] = _("Ein bis zehn Zeichen, etwa „A“ oder „OV-“.")
    data.categories = _clean_lines(data.categories, 200)
    data.working_groups = _clean_lines(data.working_groups, 200)
    if len(data.categories) > MAX_CATEGORIES:
        errors["categories"] = _("Höchstens %(n)d Sachgebiete.", n=MAX_CATEGORIES)
    if not (data.members_may_submit or data.boards_may_submit or data.working_groups):
        errors["members_may_submit"] = _("Bitte lege fest, wer Anträge stellen darf.")
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )
    return org, meeting, conference_org


def _apply(
    book: MotionBook,
    data: BookInput,
    meeting: Meeting | None,
    conference_org: Organisation | None,
) -> None:
    from .access import to_utc_in

    book.title, book.description = data.title, (data.description or "").strip()
    book.description_html = render(book.description) if book.description else ""
    book.occasion = Occasion(data.occasion)
    book.meeting = meeting
    book.conference_title = data.conference_title if conference_org else ""
    book.conference_organisation = conference_org
    book.timezone = data.timezone
    book.deadline = to_utc_in(data.timezone, data.deadline)
    book.members_may_submit = data.members_may_submit
    book.boards_may_submit = data.boards_may_submit
    book.working_groups = "\n".join(data.working_groups)
    book.supporters_needed = data.supporters_needed
    book.prefix = data.prefix


def create_book(session: Session, member: Member, data: BookInput) -> MotionBook:
    """Organisers open a motion book for their organisation, with a forum of its
    own in which every motion gets its discussion thread."""
    org = session.get(Organisation, data.org_id) if data.org_id else None
    org, meeting, conference_org = _validate(session, member, data, org)
    book = MotionBook(organisation=org, created_by=member)
    _apply(book, data, meeting, conference_org)
    book.categories = [
        MotionCategory(name=name, position=i) for i, name in enumerate(data.categories)
    ]
    session.add(book)
    book.forum = forum_services.stage_forum(
        session,
        member,
        org_id=org.id,
        name=_("Anträge: %(title)s", title=book.title)[:200],
        description=_("Aussprache zu den Anträgen des Antragsbuchs."),
    )
    session.flush()
    audit.record(session, member, "motion_book.created", organisation=org, target=book)
    session.commit()
    return book


def update_book(
    session: Session, member: Member, book: MotionBook, data: BookInput
) -> MotionBook:
    """Organisers change a book; a topic area that motions are filed under stays."""
    data.org_id = book.organisation_id
    org, meeting, conference_org = _validate(session, member, data, book.organisation)
    keep = {c.name: c for c in book.categories}
    removed = [c for name, c in keep.items() if name not in data.categories]
    used = {m.category_id for m in book.motions}
    in_use = [c.name for c in removed if c.id in used]
    if in_use:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."),
            fields={
                "categories": _(
                    "Unter „%(name)s“ stehen Anträge; dieses Sachgebiet bleibt.",
                    name=in_use[0],
                )
            },
        )
    _apply(book, data, meeting, conference_org)
    book.categories = [
        keep.get(name) or MotionCategory(name=name) for name in data.categories
    ]
    for i, category in enumerate(book.categories):
        category.position = i
    session.flush()
    audit.record(session, member, "motion_book.edited", organisation=org, target=book)
    session.commit()
    return book


def list_books(
    session: Session,
    member: Member,
    *,
    org_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The books the member may see (of one organisation), newest first."""
    stmt = (
        select(MotionBook)
        .join(Organisation, MotionBook.organisation_id == Organisation.id)
        .options(joinedload(MotionBook.organisation))
        .where(visible_org_clause(member))
        .order_by(MotionBook.created_at.desc(), MotionBook.id.desc())
    )
    if org_id is not None:
        stmt = stmt.where(MotionBook.organisation_id == org_id)
    return paginate(session, stmt, page, per_page)


def meeting_choices(
    session: Session, member: Member, org_ids: list[int]
) -> list[Meeting]:
    """Upcoming meetings of these organisations a book can collect motions for."""
    from meetings import services as meeting_services

    page = meeting_services.list_meetings(session, member, per_page=100)
    return [m for m in page.items if m.organisation_id in org_ids]


def list_motions(
    session: Session, book: MotionBook, *, page: int = 1, per_page: int = 50
) -> Page:
    """A book's motions in the order of their numbers."""
    stmt = (
        select(Motion)
        .where(Motion.book_id == book.id)
        .options(
            selectinload(Motion.submitters).joinedload(MotionSubmitter.member),
            selectinload(Motion.history),
            joinedload(Motion.category),
            selectinload(Motion.forwards),
        )
        .order_by(Motion.sequence)
    )
    return paginate(session, stmt, page, per_page)


def supported_by(session: Session, member: Member, motion_ids: list[int]) -> set[int]:
    """Which of these motions the member supports."""
    if not motion_ids:
        return set()
    return set(
        session.scalars(
            select(MotionSupporter.motion_id).where(
                MotionSupporter.member_id == member.id,
                MotionSupporter.motion_id.in_(motion_ids),
            )
        )
    )
