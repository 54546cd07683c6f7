"""Who may see, organise and stand in an election; loading one (404 otherwise)
and the lists members see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Candidacy,
    ElectedSeat,
    Election,
    ElectionRound,
    Member,
    Organisation,
    RoleName,
)
from ortsverein.errors import NotFound
from ortsverein.permissions import (
    can_see_org,
    has_role,
    in_subtree,
    visible_org_clause,
)


def can_organise(member: Member, org: Organisation) -> bool:
    """The same rule as polls: organisers of the organisation or above."""
    return has_role(member, org, RoleName.ORGANISER)


def may_stand(member: Member, election: Election) -> bool:
    """Candidates and nominators are active members of the organisation's subtree."""
    return member.active and in_subtree(member.home, election.organisation)


def get_election(session: Session, member: Member, election_id: int) -> Election:
    """An election the member may see (its organisation is visible); else 404."""
    election = session.get(
        Election,
        election_id,
        options=[
            joinedload(Election.organisation),
            selectinload(Election.candidacies).joinedload(Candidacy.member),
            selectinload(Election.rounds).selectinload(ElectionRound.candidates),
            selectinload(Election.elected).joinedload(ElectedSeat.member),
        ],
    )
    if election is None or not can_see_org(member, election.organisation):
        raise NotFound()
    return election


def get_candidacy(session: Session, member: Member, candidacy_id: int) -> Candidacy:
    candidacy = session.get(Candidacy, candidacy_id)
    if candidacy is None:
        raise NotFound()
    get_election(session, member, candidacy.election_id)
    return candidacy


def organisation_elections(
    session: Session, member: Member, org: Organisation
) -> list[Election]:
    """The elections of one organisation the member can see, newest first."""
    if not can_see_org(member, org):
        raise NotFound()
    return list(
        session.scalars(
            select(Election)
            .where(Election.organisation_id == org.id)
            .order_by(Election.created_at.desc(), Election.id.desc())
        )
    )


def visible_elections(session: Session, member: Member) -> list[Election]:
    """Every election of an organisation the member can see, newest first."""
    return list(
        session.scalars(
            select(Election)
            .join(Organisation, Election.organisation_id == Organisation.id)
            .options(joinedload(Election.organisation))
            .where(visible_org_clause(member))
            .order_by(Election.created_at.desc(), Election.id.desc())
            .limit(200)
        )
    )


def eligible_members(session: Session, election: Election, limit: int = 1000) -> list:
    """Members who may be nominated (the organisation's subtree), by name."""
    return list(
        session.scalars(
            select(Member)
            .join(Organisation, Member.home_branch_id == Organisation.id)
            .where(
                Organisation.path.startswith(
                    election.organisation.path, autoescape=True
                ),
                Member.active.is_(True),
                Member.deleted_at.is_(None),
            )
            .order_by(Member.last_name, Member.first_name, Member.id)
            .limit(limit)
        )
    )
