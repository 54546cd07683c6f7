"""Who may see and do what: roles on an organisation hold for its whole subtree."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from models import Member, Organisation, RoleName

# What each role grants; admin grants everything. Board and organiser are distinct
# offices (member administration vs. moderation), as in a real branch.
GRANTS: dict[RoleName, frozenset[RoleName]] = {
    RoleName.MEMBER: frozenset({RoleName.MEMBER}),
    RoleName.ORGANISER: frozenset({RoleName.MEMBER, RoleName.ORGANISER}),
    RoleName.BOARD: frozenset({RoleName.MEMBER, RoleName.BOARD}),
    RoleName.ADMIN: frozenset(RoleName),
}

STAFF_ROLES = frozenset({RoleName.ORGANISER, RoleName.BOARD, RoleName.ADMIN})


class OrgPlace(Protocol):
    """What can_see_org() reads of an organisation: an Organisation, or a page's
    lighter record of one (discussions.thread_page.OrgRef)."""

    @property
    def id(self) -> int: ...

    @property
    def path(self) -> str: ...


def in_subtree(org: OrgPlace, root: Organisation) -> bool:
    """True when org is root or below it."""
    return org.path.startswith(root.path)


def has_role(member: Member | None, org: Organisation, role: RoleName) -> bool:
    """A member holds a role on org when granted on org or any ancestor of it."""
    if member is None or not member.active:
        return False
    return any(
        role in GRANTS[r.role] and in_subtree(org, r.organisation)
        for r in member.offices
    )


def holds_role(member: Member, role: RoleName) -> bool:
    """Whether the member holds the role anywhere (as `bool(orgs_with_role(...))`,
    without loading organisations)."""
    return any(role in GRANTS[r.role] for r in member.offices)


def orgs_with_role(member: Member, role: RoleName) -> list[Organisation]:
    """The organisations at whose subtree the member holds the role (roots only), as
    ORM objects in the session (the logged-in member's are loaded for this)."""
    orgs = [r.organisation for r in member.roles if role in GRANTS[r.role]]
    orgs.sort(key=lambda o: o.path)
    roots: list[Organisation] = []
    for org in orgs:
        if not any(in_subtree(org, root) for root in roots):
            roots.append(org)
    return roots


def subtree_clause(orgs: list[Organisation]) -> ColumnElement[bool]:
    """SQL condition on Organisation: inside the subtree of one of orgs."""
    if not orgs:
        return false()
    return or_(*[Organisation.path.startswith(o.path, autoescape=True) for o in orgs])


def can_see_org(member: Member, org: OrgPlace) -> bool:
    """Members see their home branch and its ancestors, and every subtree they hold a
    role on (an Unterbezirk organiser sees the branches below)."""
    if not member.active:
        return False
    if org.id in member.home.ancestor_ids():
        return True
    return any(in_subtree(org, r.organisation) for r in member.offices)


def visible_org_clause(member: Member) -> ColumnElement[bool]:
    """SQL condition on Organisation matching can_see_org()."""
    return or_(
        Organisation.id.in_(member.home.ancestor_ids()),
        subtree_clause([r.organisation for r in member.offices]),
    )


def manageable_members_query(member: Member):
    """Select of the members whose home branch lies where `member` is on the board."""
    orgs = orgs_with_role(member, RoleName.BOARD)
    return select(Member).join(Member.home_branch).where(subtree_clause(orgs))


def can_manage_member(member: Member, target: Member) -> bool:
    """A board manages the members of its subtree, but only those whose every office
    lies within its own authority: a branch board cannot touch the Bund's admin."""
    if not has_role(member, target.home_branch, RoleName.BOARD):
        return False
    return all(can_manage_office(member, r.organisation, r.role) for r in target.roles)


def can_manage_office(member: Member, org: Organisation, role: RoleName) -> bool:
    needed = RoleName.ADMIN if role == RoleName.ADMIN else RoleName.BOARD
    return has_role(member, org, needed)


def staff_requires_2fa(session: Session, member: Member) -> bool:
    """True when a branch the member holds a staff role in requires two-factor login."""
    ancestor_ids = {
        org_id
        for role in member.offices
        if role.role in STAFF_ROLES
        for org_id in role.organisation.ancestor_ids()
    }
    if not ancestor_ids:
        return False
    required = session.scalar(
        select(Organisation.id)
        .where(Organisation.id.in_(sorted(ancestor_ids)))
        .where(Organisation.require_2fa_for_staff.is_(True))
        .limit(1)
    )
    return required is not None


def members_who_can_see_clause(org: Organisation) -> ColumnElement[bool]:
    """SQL condition on Member matching can_see_org(member, org): the home branch lies
    in org's subtree, or the member holds a role on org or one of its ancestors."""
    from models import Role

    return or_(
        Member.home_branch_id.in_(
            select(Organisation.id).where(
                Organisation.path.startswith(org.path, autoescape=True)
            )
        ),
        Member.id.in_(
            select(Role.member_id).where(Role.organisation_id.in_(org.ancestor_ids()))
        ),
    )
