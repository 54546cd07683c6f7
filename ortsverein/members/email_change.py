"""Changing a member's email address: by the member, confirmed through a signed,
expiring link sent to the new address (the old one is told once it changed), or by
the board of the member's branch, audit-logged (both addresses are told)."""

from __future__ import annotations

from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

from .. import audit, mail
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import _
from .services import get_member

CONFIRM_HOURS = 24  # how long the link to the new address is valid
_SALT = "ortsverein.email-change"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _check_new(session: Session, member: Member, new_email: str) -> str:
    """A valid address that no other member uses. The refusal does not say whether
    another member holds it (GDPR Art. 9: party membership)."""
    try:
        email = validate_email(new_email or "", check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(
            _("Das ist keine gültige E-Mail-Adresse."),
            fields={"email": _("Das ist keine gültige E-Mail-Adresse.")},
        ) from None
    address = email.normalized.lower()
    if address == member.email:
        raise ValidationFailed(
            _("Das ist schon die hinterlegte Adresse."),
            fields={"email": _("Das ist schon die hinterlegte Adresse.")},
        )
    holder = session.scalar(select(Member.id).where(Member.email == address))
    if holder is not None:
        raise ValidationFailed(
            _("Diese Adresse kann nicht verwendet werden."),
            fields={"email": _("Diese Adresse kann nicht verwendet werden.")},
        )
    return address


def _link(token: str) -> str:
    base: str = current_app.config["BASE_URL"]
    return base.rstrip("/") + f"/members/email/confirm/{token}"


def _message(member: Member, to: str, body: str) -> EmailMessage:
    with force_locale(member.locale or "de"):
        subject = _("Deine E-Mail-Adresse bei Ortsverein")
    return mail.build_message(to, subject, body)


def request_change(session: Session, member: Member, new_email: str) -> str:
    """Send the confirmation link to the new address; nothing changes until it is
    followed. Returns the normalised new address."""
    address = _check_new(session, member, new_email)
    token = _serializer().dumps({"m": member.id, "old": member.email, "new": address})
    with force_locale(member.locale or "de"):
        body = _(
            "Hallo %(name)s,\n\nbestätige deine neue E-Mail-Adresse für Ortsverein "
            "(der Link gilt %(hours)d Stunden):\n%(url)s\n\nWenn du das nicht "
            "angefordert hast, ignoriere diese E-Mail.",
            name=member.first_name,
            hours=CONFIRM_HOURS,
            url=_link(token),
        )
    audit.record(session, member, "member.email_change_requested", target=member)
    session.commit()
    mail.send([_message(member, address, body)])
    return address


def read_token(session: Session, token: str) -> tuple[Member, str]:
    """The member and new address of a valid, unexpired link whose old address is
    still the member's (so a link works once); NotFound otherwise."""
    try:
        data = _serializer().loads(token, max_age=CONFIRM_HOURS * 3600)
    except SignatureExpired:
        raise Conflict(
            _("Dieser Link ist abgelaufen. Bitte fordere die Änderung neu an.")
        ) from None
    except BadSignature:
        raise NotFound() from None
    member = session.get(Member, data.get("m"))
    if member is None or not member.active or member.email != data.get("old"):
        raise NotFound()
    return member, str(data.get("new"))


def _notify_old(member: Member, old: str, by_board: bool) -> EmailMessage:
    with force_locale(member.locale or "de"):
        if by_board:
            body = _(
                "Hallo %(name)s,\n\nder Vorstand hat deine E-Mail-Adresse bei "
                "Ortsverein auf %(new)s geändert. Nachrichten gehen ab jetzt "
                "dorthin.\n\nWenn das nicht stimmt, wende dich bitte an den Vorstand "
                "deines Ortsvereins.",
                name=member.first_name,
                new=member.email,
            )
        else:
            body = _(
                "Hallo %(name)s,\n\ndeine E-Mail-Adresse bei Ortsverein wurde auf "
                "%(new)s geändert. Nachrichten gehen ab jetzt dorthin.\n\nWenn du das "
                "nicht warst, wende dich bitte an den Vorstand deines Ortsvereins.",
                name=member.first_name,
                new=member.email,
            )
    return _message(member, old, body)


def confirm_change(session: Session, token: str) -> Member:
    """Follow the link: the address changes, the old address is told."""
    member, address = read_token(session, token)
    old = member.email
    address = _check_new(session, member, address)
    member.email = address
    audit.record(session, member, "member.email_changed", target=member, via="member")
    session.commit()
    mail.send([_notify_old(member, old, by_board=False)])
    return member


def change_by_board(
    session: Session, actor: Member, member_id: int, new_email: str
) -> Member:
    """The board of the member's branch sets a new address (audit-logged; both
    addresses are told)."""
    member = get_member(session, actor, member_id)
    address = _check_new(session, member, new_email)
    old = member.email
    member.email = address
    audit.record(
        session,
        actor,
        "member.email_changed",
        organisation=member.home_branch,
        target=member,
        via="board",
    )
    session.commit()
    with force_locale(member.locale or "de"):
        body = _(
            "Hallo %(name)s,\n\nder Vorstand hat diese Adresse als deine "
            "E-Mail-Adresse bei Ortsverein hinterlegt.",
            name=member.first_name,
        )
    mail.send(
        [_notify_old(member, old, by_board=True), _message(member, address, body)]
    )
    return member
