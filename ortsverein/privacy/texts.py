"""The privacy notice and the Impressum: Markdown written by admins, one text for
the instance and a section an organisation may add; every save is a new version,
and a member's first login after a new notice shows it once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    LegalKind,
    LegalText,
    Member,
    NoticeAcknowledgement,
    Organisation,
    RoleName,
    utcnow,
)

from .. import audit
from ..errors import NotFound, ValidationFailed
from ..i18n import _
from ..markdown import render
from ..permissions import has_role

MAX_CHARS = 100_000


def current(
    session: Session, kind: LegalKind, organisation_id: int | None = None
) -> LegalText | None:
    """The newest version of a text (None: not written yet)."""
    owner = (
        LegalText.organisation_id.is_(None)
        if organisation_id is None
        else LegalText.organisation_id == organisation_id
    )
    return session.scalar(
        select(LegalText)
        .where(LegalText.kind == kind, owner)
        .order_by(LegalText.id.desc())
        .limit(1)
    )


def sections(session: Session, kind: LegalKind, orgs: list[int]) -> list[LegalText]:
    """The newest non-empty section of each of these organisations, in their order."""
    if not orgs:
        return []
    newest = (
        select(func.max(LegalText.id))
        .where(LegalText.kind == kind, LegalText.organisation_id.in_(orgs))
        .group_by(LegalText.organisation_id)
    )
    rows = session.scalars(select(LegalText).where(LegalText.id.in_(newest))).all()
    by_org = {row.organisation_id: row for row in rows if row.body.strip()}
    return [by_org[org] for org in orgs if org in by_org]


def organisations_with_sections(
    session: Session, kind: LegalKind
) -> list[Organisation]:
    """Organisations that have written a section (for the public list of links)."""
    ids = select(LegalText.organisation_id).where(
        LegalText.kind == kind, LegalText.organisation_id.is_not(None)
    )
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids))
            .order_by(Organisation.path)
        )
    )


def may_edit(member: Member, org: Organisation | None, root: Organisation | None):
    """The instance's text is the root's admins'; a section its organisation's."""
    place = org or root
    return place is not None and has_role(member, place, RoleName.ADMIN)


def root_organisation(session: Session) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.parent_id.is_(None))
        .order_by(Organisation.id)
        .limit(1)
    )


def save(
    session: Session,
    actor: Member,
    kind: LegalKind,
    org: Organisation | None,
    body: str,
) -> LegalText:
    """A new version of the text, written by an admin who may edit it; audit-logged."""
    if not may_edit(actor, org, root_organisation(session)):
        raise NotFound()
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_CHARS:
        raise ValidationFailed(
            _("Der Text ist zu lang (höchstens %(n)d Zeichen).", n=MAX_CHARS),
            fields={"body": _("Höchstens %(n)d Zeichen.", n=MAX_CHARS)},
        )
    if org is None and not body:
        raise ValidationFailed(
            _("Der Text darf nicht leer sein."),
            fields={"body": _("Der Text darf nicht leer sein.")},
        )
    text = LegalText(
        kind=kind,
        organisation_id=org.id if org else None,
        body=body,
        body_html=render(body),
        created_by_id=actor.id,
    )
    session.add(text)
    session.flush()
    audit.record(
        session,
        actor,
        # spelled out, so the change log's sentences can be checked against the code
        "legal_text.privacy" if kind == LegalKind.PRIVACY else "legal_text.imprint",
        organisation=org,
        target=text,
    )
    session.commit()
    return text


def notice_due(session: Session, member: Member) -> bool:
    """The member has not yet been shown the current privacy notice."""
    notice = current(session, LegalKind.PRIVACY)
    if notice is None:
        return False
    return session.get(NoticeAcknowledgement, (member.id, notice.id)) is None


def acknowledge(session: Session, member: Member) -> LegalText | None:
    """Record that the member was shown the current notice (which one, and when)."""
    notice = current(session, LegalKind.PRIVACY)
    if notice is None:
        return None
    if session.get(NoticeAcknowledgement, (member.id, notice.id)) is None:
        session.add(
            NoticeAcknowledgement(
                member_id=member.id, text_id=notice.id, seen_at=utcnow()
            )
        )
    session.commit()
    return notice
