"""Member administration by the board: list, roles, deactivation, invitations."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import ApiToken, Member, Organisation, Role, RoleName, utcnow

from .. import audit
from ..auth import login_sessions
from ..errors import Forbidden, NotFound
from ..i18n import _
from ..pagination import Page, paginate
from ..permissions import (
    can_manage_member,
    has_role,
    manageable_members_query,
    orgs_with_role,
)
from ..realtime import disconnect_member

STATUS_FILTERS = ("all", "active", "inactive", "not_activated")


def board_orgs(actor: Member) -> list[Organisation]:
    return orgs_with_role(actor, RoleName.BOARD)


def list_members(
    session: Session,
    actor: Member,
    *,
    org: Organisation | None = None,
    query: str = "",
    status: str = "all",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Members of the subtrees where the actor sits on the board, searchable."""
    stmt = manageable_members_query(actor).where(Member.deleted_at.is_(None))
    if org is not None:
        if not has_role(actor, org, RoleName.BOARD):
            raise NotFound()
        stmt = stmt.where(Organisation.path.startswith(org.path, autoescape=True))
    query = query.strip()
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                Member.email.like(like),
                Member.membership_number == query,
                (Member.first_name + " " + Member.last_name).ilike(like),
                Member.last_name.ilike(like),
            )
        )
    if status == "active":
        stmt = stmt.where(Member.active.is_(True))
    elif status == "inactive":
        stmt = stmt.where(Member.active.is_(False))
    elif status == "not_activated":
        stmt = stmt.where(Member.password_hash.is_(None), Member.active.is_(True))
    stmt = stmt.order_by(Member.last_name, Member.first_name, Member.id)
    return paginate(session, stmt, page, per_page)


def get_member(session: Session, actor: Member, member_id: int) -> Member:
    """A member the actor may manage; any other id does not exist for them."""
    member = session.get(Member, member_id)
    if (
        member is None
        or member.deleted_at is not None
        or not can_manage_member(actor, member)
    ):
        raise NotFound()
    return member


def role_choices(
    actor: Member, target: Member
) -> list[tuple[Organisation, list[RoleName]]]:
    """Where the actor may grant roles to target: the target's home branch and its
    ancestors inside the actor's board subtree; admin only by admins."""
    choices: list[tuple[Organisation, list[RoleName]]] = []
    branch: Organisation | None = target.home_branch
    chain: list[Organisation] = []
    while branch is not None:
        chain.append(branch)
        branch = branch.parent
    for org in reversed(chain):
        if not has_role(actor, org, RoleName.BOARD):
            continue
        roles = [RoleName.ORGANISER, RoleName.BOARD]
        if has_role(actor, org, RoleName.ADMIN):
            roles.append(RoleName.ADMIN)
        choices.append((org, roles))
    return choices


def grant_role(
    session: Session, actor: Member, member_id: int, org_id: int, role: RoleName
) -> Role:
    target = get_member(session, actor, member_id)
    allowed = {(o.id, r) for o, roles in role_choices(actor, target) for r in roles}
    if (org_id, role) not in allowed:
        raise Forbidden(_("Diese Rolle kannst du hier nicht vergeben."))
    if target.id == actor.id:
        raise Forbidden(_("Deine eigenen Rollen ändert ein anderes Vorstandsmitglied."))
    existing = next(
        (r for r in target.roles if r.organisation_id == org_id and r.role == role),
        None,
    )
    if existing is not None:
        return existing
    org = session.get(Organisation, org_id)
    granted = Role(member=target, organisation=org, role=role)
    session.add(granted)
    session.flush()
    audit.record(
        session, actor, "role.granted", organisation=org, target=target, role=role.value
    )
    session.commit()
    return granted


def revoke_role(session: Session, actor: Member, member_id: int, role_id: int) -> None:
    target = get_member(session, actor, member_id)
    role = next((r for r in target.roles if r.id == role_id), None)
    if role is None:
        raise NotFound()
    if target.id == actor.id:
        raise Forbidden(_("Deine eigenen Rollen ändert ein anderes Vorstandsmitglied."))
    if not has_role(actor, role.organisation, RoleName.BOARD) or (
        role.role == RoleName.ADMIN
        and not has_role(actor, role.organisation, RoleName.ADMIN)
    ):
        raise Forbidden(_("Diese Rolle kannst du nicht entziehen."))
    org = role.organisation
    target.roles.remove(role)
    audit.record(
        session,
        actor,
        "role.revoked",
        organisation=org,
        target=target,
        role=role.role.value,
    )
    session.commit()
    # Rooms joined under the revoked role (another branch's forum) end now; the
    # client reconnects and joins again under the same checks as the pages.
    disconnect_member(target.id, "access_changed")


def set_active(session: Session, actor: Member, member_id: int, active: bool) -> Member:
    """Deactivation ends every session, token and socket of the member at once."""
    target = get_member(session, actor, member_id)
    if target.id == actor.id:
        raise Forbidden(_("Du kannst dich nicht selbst deaktivieren."))
    if target.active == active:
        return target
    target.active = active
    target.session_version += 1
    login_sessions.end_all(session, target.id)
    if not active:
        now = utcnow()
        for token in session.scalars(
            select(ApiToken).where(
                ApiToken.member_id == target.id, ApiToken.revoked_at.is_(None)
            )
        ):
            token.revoked_at = now
    audit.record(
        session,
        actor,
        "member.deactivated" if not active else "member.reactivated",
        organisation=target.home_branch,
        target=target,
    )
    session.commit()
    if not active:
        disconnect_member(target.id)
    return target


def set_require_2fa(
    session: Session, actor: Member, org_id: int, required: bool
) -> None:
    org = session.get(Organisation, org_id)
    if org is None or not has_role(actor, org, RoleName.BOARD):
        raise NotFound()
    org.require_2fa_for_staff = required
    audit.record(
        session, actor, "organisation.2fa_policy", organisation=org, required=required
    )
    session.commit()


def check_scope(actor: Member, org: Organisation | None) -> Organisation:
    if org is None or not has_role(actor, org, RoleName.BOARD):
        raise NotFound()
    return org
