"""Merging two branches (after a preview of what moves) and dissolving an empty
one. Only an admin of both may merge; a branch outside the actor's authority is
NotFound. Each write is one audited transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models import (
    Forum,
    Meeting,
    Member,
    Organisation,
    Poll,
    Role,
    RulePreset,
    utcnow,
)

from .. import audit
from ..errors import Conflict
from ..i18n import _
from .services import check_place, get_admin_org, reroot


@dataclass(frozen=True)
class MergePreview:
    """What merging `source` into `target` moves."""

    source: Organisation
    target: Organisation
    members: int
    forums: int
    polls: int
    meetings: int
    branches: int
    roles: int


def _count(session: Session, model, org_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.organisation_id == org_id)
        )
        or 0
    )


def merge_preview(
    session: Session, actor: Member, source_id: int, target_id: int
) -> MergePreview:
    """Check a merge and count what it would move; writes nothing."""
    source = get_admin_org(session, actor, source_id)
    target = get_admin_org(session, actor, target_id)
    if source.id == target.id:
        raise Conflict(_("Eine Gliederung kann nicht mit sich selbst zusammengehen."))
    if source.parent_id is None or target.path.startswith(source.path):
        raise Conflict(
            _(
                "„%(s)s“ kann nicht in „%(t)s“ aufgehen: das Ziel liegt in ihrem "
                "eigenen Teilbaum.",
                s=source.name,
                t=target.name,
            )
        )
    children = list(
        session.scalars(select(Organisation).where(Organisation.parent_id == source.id))
    )
    for child in children:
        check_place(child.level, target)
    members = session.scalar(
        select(func.count(Member.id)).where(Member.home_branch_id == source.id)
    )
    return MergePreview(
        source=source,
        target=target,
        members=members or 0,
        forums=_count(session, Forum, source.id),
        polls=_count(session, Poll, source.id),
        meetings=_count(session, Meeting, source.id),
        branches=len(children),
        roles=_count(session, Role, source.id),
    )


def _retire(session: Session, org: Organisation) -> None:
    """Take an emptied branch out of the tree; its row stays for the audit log."""
    org.dissolved_at = utcnow()
    org.parent = None
    org.slug = f"{org.slug[:80]}~{org.id}"  # free the slug for a new branch
    org.path = f"/0/{org.id}/"


def merge_orgs(
    session: Session, actor: Member, source_id: int, target_id: int
) -> MergePreview:
    """Move the source's members, forums, polls, meetings, rule presets, offices and
    sub-branches to the target, then retire the source; one transaction."""
    preview = merge_preview(session, actor, source_id, target_id)
    source, target = preview.source, preview.target
    sid, tid = source.id, target.id
    session.execute(
        update(Member).where(Member.home_branch_id == sid).values(home_branch_id=tid)
    )
    for model in (Forum, Poll, Meeting, RulePreset):
        session.execute(
            update(model)
            .where(model.organisation_id == sid)
            .values(organisation_id=tid)
        )
    held = select(Role.member_id, Role.role).where(Role.organisation_id == tid)
    duplicate = {(m, r) for m, r in session.execute(held)}
    for role in session.scalars(select(Role).where(Role.organisation_id == sid)):
        if (role.member_id, role.role) in duplicate:
            session.delete(role)
        else:
            role.organisation_id = tid
    session.flush()
    for child in session.scalars(
        select(Organisation).where(Organisation.parent_id == sid)
    ):
        child.parent_id = tid
        session.flush()
        reroot(session, child, target.path)
    source = session.get_one(Organisation, sid)
    target = session.get_one(Organisation, tid)
    audit.record(
        session,
        actor,
        "org.merged",
        organisation=target,
        target=source,
        source=source.slug,
        members=preview.members,
        forums=preview.forums,
        polls=preview.polls,
        meetings=preview.meetings,
        branches=preview.branches,
    )
    _retire(session, source)
    session.commit()
    return preview


def dissolve_org(session: Session, actor: Member, org_id: int) -> None:
    """Dissolve a branch that holds nothing: no members, forums, polls, meetings or
    sub-branches (merge it first otherwise). Its offices end with it."""
    org = get_admin_org(session, actor, org_id)
    if org.parent_id is None:
        raise Conflict(_("Die Wurzel des Baums kann nicht aufgelöst werden."))
    holds = {
        "members": session.scalar(
            select(func.count(Member.id)).where(Member.home_branch_id == org.id)
        ),
        "forums": _count(session, Forum, org.id),
        "polls": _count(session, Poll, org.id),
        "meetings": _count(session, Meeting, org.id),
        "branches": session.scalar(
            select(func.count(Organisation.id)).where(Organisation.parent_id == org.id)
        ),
    }
    if any(holds.values()):
        raise Conflict(
            _(
                "„%(name)s“ ist nicht leer (Mitglieder, Foren, Abstimmungen, "
                "Versammlungen oder Untergliederungen). Führe sie zuerst mit einer "
                "anderen Gliederung zusammen.",
                name=org.name,
            )
        )
    session.execute(delete(Role).where(Role.organisation_id == org.id))
    session.execute(delete(RulePreset).where(RulePreset.organisation_id == org.id))
    audit.record(session, actor, "org.dissolved", organisation=org, target=org)
    _retire(session, org)
    session.commit()
