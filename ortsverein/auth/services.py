"""Use cases of login, activation, password reset and sessions."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import LinkPurpose, Member, utcnow

from .. import audit, mail
from ..errors import ValidationFailed
from ..i18n import _
from ..realtime import disconnect_member
from . import login_sessions
from .passwords import MIN_PASSWORD_LENGTH, check_password, hash_password
from .tokens import find_link, issue_link


def normalise_email(email: str) -> str:
    return email.strip().lower()


def member_by_email(session: Session, email: str) -> Member | None:
    return session.scalar(select(Member).where(Member.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> Member | None:
    """The member whose active account matches email and password, else None."""
    member = member_by_email(session, email)
    if member is not None and not member.active:
        check_password(None, password)  # same time as a wrong password
        return None
    if not check_password(member, password):
        return None
    return member


def check_new_password(password: str, member: Member) -> None:
    """A password must be long enough and not the member's email address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _(
                "Das Passwort muss mindestens %(n)d Zeichen lang sein.",
                n=MIN_PASSWORD_LENGTH,
            )
        )
    if password.strip().lower() == member.email:
        raise ValidationFailed(_("Das Passwort darf nicht die E-Mail-Adresse sein."))


def _link_url(path: str) -> str:
    base: str = current_app.config["BASE_URL"]
    return base.rstrip("/") + path


def invitation_message(member: Member, secret: str) -> EmailMessage:
    with force_locale(member.locale or "de"):
        body = _(
            "Hallo %(name)s,\n\n"
            "du bist zu Ortsverein eingeladen, der digitalen Plattform deines "
            "Ortsvereins %(branch)s.\n\n"
            "Lege hier dein Passwort fest (der Link gilt %(days)d Tage und nur "
            "einmal):\n%(url)s\n\n"
            "Wenn du diese Einladung nicht erwartet hast, ignoriere diese E-Mail.",
            name=member.first_name,
            branch=member.home_branch.name,
            days=current_app.config["INVITATION_DAYS"],
            url=_link_url(f"/activate/{secret}"),
        )
        subject = _("Einladung zu Ortsverein")
    return mail.build_message(member.email, subject, body)


def invite(session: Session, members: list[Member], actor: Member | None) -> int:
    """Email activation links to members who have not set a password yet; returns
    how many mails went out (the links are saved either way and can be re-sent)."""
    valid = timedelta(days=current_app.config["INVITATION_DAYS"])
    messages = []
    now = utcnow()
    for member in members:
        if member.activated or not member.active:
            continue
        secret = issue_link(session, member, LinkPurpose.ACTIVATE, valid)
        member.invited_at = now
        messages.append(invitation_message(member, secret))
    if messages:
        audit.record(
            session,
            actor,
            "members.invited",
            count=len(messages),
            member_ids=[m.id for m in members if not m.activated][:1000],
        )
    session.commit()
    return len(messages) - mail.send(messages)


def invite_numbers(session: Session, numbers: list[str], actor: Member | None) -> int:
    """Invite the members with these membership numbers, in chunks (large imports)."""
    sent = 0
    for start in range(0, len(numbers), 900):
        chunk = numbers[start : start + 900]
        members = session.scalars(
            select(Member).where(Member.membership_number.in_(chunk))
        ).all()
        sent += invite(session, list(members), actor)
    return sent


def activate(session: Session, secret: str, password: str) -> Member:
    """Set the first password through an activation link; the link is then spent."""
    link = find_link(session, secret, LinkPurpose.ACTIVATE)
    member = link.member
    check_new_password(password, member)
    now = utcnow()
    link.used_at = now
    member.password_hash = hash_password(password)
    member.activated_at = member.activated_at or now
    audit.record(
        session,
        member,
        "member.activated",
        target=member,
        organisation=member.home_branch,
    )
    session.commit()
    return member


def request_reset(session: Session, email: str) -> None:
    """Mail a reset link if the address belongs to an active, activated member.
    Says nothing either way, so the form does not reveal who is a member."""
    member = member_by_email(session, email)
    if member is None or not member.active or not member.activated:
        return
    secret = issue_link(
        session,
        member,
        LinkPurpose.RESET,
        timedelta(hours=current_app.config["RESET_HOURS"]),
    )
    with force_locale(member.locale or "de"):
        body = _(
            "Hallo %(name)s,\n\n"
            "jemand (hoffentlich du) möchte dein Passwort bei Ortsverein neu setzen. "
            "Der Link gilt %(hours)d Stunden und nur einmal:\n%(url)s\n\n"
            "Wenn du das nicht warst, ignoriere diese E-Mail; dein Passwort bleibt.",
            name=member.first_name,
            hours=current_app.config["RESET_HOURS"],
            url=_link_url(f"/reset/{secret}"),
        )
        msg = mail.build_message(member.email, _("Passwort zurücksetzen"), body)
    session.commit()
    mail.send_in_background([msg])


def reset_password(session: Session, secret: str, password: str) -> Member:
    """Set a new password through a reset link; all other sessions end."""
    link = find_link(session, secret, LinkPurpose.RESET)
    member = link.member
    check_new_password(password, member)
    link.used_at = utcnow()
    member.password_hash = hash_password(password)
    member.session_version += 1
    login_sessions.end_all(session, member.id)
    audit.record(
        session,
        member,
        "member.password_reset",
        target=member,
        organisation=member.home_branch,
    )
    session.commit()
    disconnect_member(member.id)
    return member


def change_password(session: Session, member: Member, current: str, new: str) -> str:
    """A new password ends every login session of the member; this device gets a
    new one, whose secret is returned for its cookie."""
    if not check_password(member, current):
        raise ValidationFailed(_("Das aktuelle Passwort stimmt nicht."))
    check_new_password(new, member)
    member.password_hash = hash_password(new)
    member.session_version += 1
    login_sessions.end_all(session, member.id)
    secret = login_sessions.begin(session, member)
    session.commit()
    return secret


def end_all_sessions(session: Session, member: Member) -> str:
    """Log the member out everywhere: cookies of every device and open sockets;
    this device gets a new login session, whose secret is returned."""
    member.session_version += 1
    login_sessions.end_all(session, member.id)
    secret = login_sessions.begin(session, member)
    session.commit()
    disconnect_member(member.id)
    return secret


def set_gender(session: Session, member: Member, gender: str | None) -> Member:
    """The member's optional gender ("w", "m", "d" or None: not stated), read only
    by the quota count of elections; not audit-logged (the log is widely read)."""
    if gender not in (None, "w", "m", "d"):
        raise ValidationFailed(
            _("Diese Angabe gibt es nicht."),
            fields={"gender": _("Diese Angabe gibt es nicht.")},
        )
    member.gender = gender
    session.commit()
    return member


def update_settings(
    session: Session,
    member: Member,
    *,
    notify_by_email: bool | None = None,
    digest_by_email: bool | None = None,
    locale: str | None = None,
) -> Member:
    """The member's own settings (what is None stays): notifications by email, the
    daily digest, and the interface language, one the app offers."""
    if locale is not None and locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(
            _("Diese Sprache gibt es nicht."),
            fields={"language": _("Diese Sprache gibt es nicht.")},
        )
    if notify_by_email is not None:
        member.notify_by_email = notify_by_email
    if digest_by_email is not None:
        member.digest_by_email = digest_by_email
    if locale is not None:
        member.locale = locale
    session.commit()
    return member
