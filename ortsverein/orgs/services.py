"""The admins' management of the organisation tree: create, rename and move
branches (merging and dissolving are in merge.py). Only an admin of a branch (or
above it) may touch it; a branch outside the actor's authority is NotFound. Each
write is one audited transaction."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from models import (
    Member,
    Organisation,
    OrgLevel,
    RoleName,
)

from .. import audit
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import _
from ..permissions import has_role, orgs_with_role, subtree_clause
from .tree import level_fits

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def live() -> ColumnElement[bool]:
    """SQL condition: an organisation still in the tree."""
    return Organisation.dissolved_at.is_(None)


def admin_orgs(session: Session, actor: Member) -> list[Organisation]:
    """The live organisations the actor administers, in tree order."""
    roots = orgs_with_role(actor, RoleName.ADMIN)
    return list(
        session.scalars(
            select(Organisation)
            .where(subtree_clause(roots), live())
            .order_by(Organisation.path)
        )
    )


def get_admin_org(session: Session, actor: Member, org_id: int | None) -> Organisation:
    """An organisation the actor administers; anything else is NotFound."""
    org = session.get(Organisation, org_id) if org_id else None
    if (
        org is None
        or org.dissolved_at is not None
        or not has_role(actor, org, RoleName.ADMIN)
    ):
        raise NotFound(_("Diese Gliederung gibt es nicht."))
    return org


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200 or any(ch < " " for ch in name):
        raise ValidationFailed(
            _("Der Name fehlt oder ist zu lang."),
            fields={"name": _("Der Name fehlt oder ist zu lang.")},
        )
    return name


def check_place(org_level: OrgLevel, parent: Organisation) -> None:
    if not level_fits(org_level, parent):
        raise ValidationFailed(
            _(
                "Eine Gliederung der Ebene „%(l)s“ kann nicht unter „%(p)s“ liegen.",
                l=org_level.value,
                p=parent.name,
            ),
            fields={"parent_id": _("Die Ebene passt nicht unter diese Gliederung.")},
        )


def create_org(
    session: Session,
    actor: Member,
    parent_id: int,
    *,
    name: str,
    slug: str,
    level: str,
) -> Organisation:
    """A new branch below one the actor administers, at a level below its parent."""
    parent = get_admin_org(session, actor, parent_id)
    name = _check_name(name)
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationFailed(
            _("Das Kürzel ist ungültig."),
            fields={"slug": _("Kleinbuchstaben, Ziffern, - und _, bis 100 Zeichen.")},
        )
    try:
        org_level = OrgLevel(level)
    except ValueError:
        raise ValidationFailed(
            _("Die Ebene ist unbekannt."), fields={"level": _("Unbekannte Ebene.")}
        ) from None
    check_place(org_level, parent)
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise ValidationFailed(
            _("Das Kürzel ist schon vergeben."),
            fields={"slug": _("Das Kürzel ist schon vergeben.")},
        )
    org = Organisation(name=name, slug=slug, level=org_level, parent=parent, path="/")
    session.add(org)
    session.flush()
    org.path = f"{parent.path}{org.id}/"
    audit.record(session, actor, "org.created", organisation=org, target=org, slug=slug)
    session.commit()
    return org


def rename_org(session: Session, actor: Member, org_id: int, name: str) -> Organisation:
    """A new name; the slug (used by imports) stays."""
    org = get_admin_org(session, actor, org_id)
    name = _check_name(name)
    old = org.name
    org.name = name
    audit.record(
        session, actor, "org.renamed", organisation=org, target=org, old=old, new=name
    )
    session.commit()
    return org


def reroot(session: Session, org: Organisation, new_prefix: str) -> None:
    """Give org and its whole subtree the path below new_prefix in one statement."""
    old = org.path
    new = f"{new_prefix}{org.id}/"
    session.execute(
        update(Organisation)
        .where(Organisation.path.startswith(old, autoescape=True))
        .values(path=new + func.substr(Organisation.path, len(old) + 1)),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()


def move_org(
    session: Session, actor: Member, org_id: int, parent_id: int
) -> Organisation:
    """Hang a branch, with its subtree, below another one the actor administers;
    never below itself or its own subtree, never the root."""
    org = get_admin_org(session, actor, org_id)
    parent = get_admin_org(session, actor, parent_id)
    if org.parent_id is None:
        raise Conflict(_("Die Wurzel des Baums kann nicht verschoben werden."))
    if parent.path.startswith(org.path):
        raise Conflict(
            _("Eine Gliederung kann nicht unter sich selbst verschoben werden.")
        )
    check_place(org.level, parent)
    # The subtree's levels already rank below org's, and org fits its new parent.
    old_parent = org.parent
    org.parent = parent
    session.flush()
    reroot(session, org, parent.path)
    audit.record(
        session,
        actor,
        "org.moved",
        organisation=org,
        target=org,
        old_parent=old_parent.slug if old_parent else None,
        new_parent=parent.slug,
    )
    session.commit()
    return session.get_one(Organisation, org_id)
