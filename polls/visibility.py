"""Which polls a member may see and organise: loading one (404 otherwise), listing
them by state, whether the member voted, and the navigation's open-polls count."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from models import (
    ElectorateEntry,
    Member,
    Organisation,
    Participation,
    Poll,
    RoleName,
    utcnow,
)
from ortsverein.errors import NotFound
from ortsverein.pagination import Page, paginate
from ortsverein.permissions import (
    can_see_org,
    has_role,
    orgs_with_role,
    visible_org_clause,
)


def can_organise(member: Member, org: Organisation) -> bool:
    return has_role(member, org, RoleName.ORGANISER)


def organiser_orgs(member: Member) -> list[Organisation]:
    return orgs_with_role(member, RoleName.ORGANISER)


# Built once, in one round trip: every poll page and ballot loads its poll this way.
_POLL_BY_ID = (
    select(Poll)
    .where(Poll.id == bindparam("id"))
    .options(joinedload(Poll.organisation), joinedload(Poll.options))
)


def get_poll(session: Session, member: Member, poll_id: int) -> Poll:
    """A poll the member may see; drafts only for its organisers. Otherwise 404."""
    poll = session.execute(_POLL_BY_ID, {"id": poll_id}).unique().scalar_one_or_none()
    if poll is None:
        raise NotFound()
    org = poll.organisation
    # The same rule as the listing's SQL, from the roles already loaded: no query.
    if not can_see_org(member, org) or (
        not poll.scheduled and not can_organise(member, org)
    ):
        raise NotFound()
    return poll


def _visible_polls(member: Member, state: str = "", *columns):
    """Select of the polls the member may see (drafts only where they organise), in
    one state ("open", "closed", "upcoming") or all; `columns` instead of Poll."""
    stmt = (
        select(*(columns or (Poll,)))
        .select_from(Poll)
        .join(Organisation, Poll.organisation_id == Organisation.id)
        # A meeting's live votes are listed in the meeting, for those present.
        .where(visible_org_clause(member), Poll.meeting_id.is_(None))
    )
    organiser_paths = [o.path for o in organiser_orgs(member)]
    drafts_ok: ColumnElement[bool] = Poll.scheduled.is_(True)
    for path in organiser_paths:
        drafts_ok = drafts_ok | Organisation.path.startswith(path, autoescape=True)
    stmt = stmt.where(drafts_ok)
    # The clock is read when the statement runs, so a built statement can be kept.
    now = bindparam("now", callable_=utcnow, type_=Poll.closes_at.type)
    live = Poll.cancelled_at.is_(None)
    if state == "open":
        stmt = stmt.where(
            Poll.scheduled.is_(True), Poll.opens_at <= now, Poll.closes_at > now, live
        )
    elif state == "closed":
        # cancelled ones are over too
        stmt = stmt.where(Poll.scheduled.is_(True), (Poll.closes_at <= now) | ~live)
    elif state == "upcoming":
        # Drafts too (for their organisers), even one whose planned start has
        # passed: it waits to be scheduled.
        stmt = stmt.where(or_(Poll.opens_at > now, Poll.scheduled.is_(False)), live)
    return stmt


def list_polls(
    session: Session,
    member: Member,
    *,
    state: str = "",
    page: int = 1,
    per_page: int = 20,
) -> Page:
    stmt = _visible_polls(member, state).order_by(Poll.closes_at.desc(), Poll.id.desc())
    return paginate(session, stmt, page, per_page)


def open_closing_first(session: Session, member: Member, limit: int) -> list[Poll]:
    """The open polls the member may see, the one closing soonest first."""
    stmt = _visible_polls(member, "open").order_by(Poll.closes_at, Poll.id)
    return list(session.scalars(stmt.limit(limit)))


def voted_ids(session: Session, member: Member, polls: list[Poll]) -> set[int]:
    """Of these polls, the ids of those the member voted in."""
    return _ids_with_member(session, Participation, member, polls)


def eligible_ids(session: Session, member: Member, polls: list[Poll]) -> set[int]:
    """Of these polls, the ids of those whose frozen electorate has the member."""
    return _ids_with_member(session, ElectorateEntry, member, polls)


def _ids_with_member(session: Session, model, member: Member, polls) -> set[int]:
    ids = [p.id for p in polls]
    if not ids:
        return set()
    return set(
        session.scalars(
            select(model.poll_id).where(
                model.member_id == member.id, model.poll_id.in_(ids)
            )
        )
    )


def open_polls(member: Member):
    """The navigation badge on every page: one COUNT, not a page of polls."""
    return _visible_polls(member, "open", func.count(Poll.id))


def open_poll_count(session: Session, member: Member) -> int:
    return session.scalar(open_polls(member))


def require_organiser(member: Member, poll: Poll) -> None:
    """Only the organisers of the poll's organisation (or above) may change it."""
    if not can_organise(member, poll.organisation):
        raise NotFound()
