"""What each member wants by email: topics and forums muted (EmailMute rows), the
digest on or off and how often. In-app notifications are never muted here."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from models import EmailMute, Member

from .errors import ValidationFailed
from .i18n import _, _l

# Topics a member sets by email, in the order the settings page shows them.
TOPICS = ("mentions", "replies", "new_threads", "polls", "meetings")
TOPIC_LABELS = {
    "mentions": _l("Erwähnungen"),
    "replies": _l("Antworten in Themen, denen du folgst"),
    "new_threads": _l("Neue Themen in Foren, denen du folgst"),
    "polls": _l("Abstimmungen"),
    "meetings": _l("Sitzungen"),
}
FORUM = "forum"  # the topic of a forum mute (with its forum_id)
DIGEST = "digest"  # what the digest's unsubscribe link switches off
FREQUENCIES = ("off", "daily", "weekly")


# The forums a member may see, as (id, name): a feature registers the function
# (the core knows no forums), and the settings page lists them.
_forum_choices: list[Callable[[Session, Member], list[tuple[int, str]]]] = []


def register_forum_choices(
    choices: Callable[[Session, Member], list[tuple[int, str]]],
) -> None:
    _forum_choices.append(choices)


def forum_choices(session: Session, member: Member) -> list[tuple[int, str]]:
    return [pair for choices in _forum_choices for pair in choices(session, member)]


def muted_topics(session: Session, member_id: int) -> set[str]:
    return set(
        session.scalars(
            select(EmailMute.topic).where(
                EmailMute.member_id == member_id, EmailMute.topic != FORUM
            )
        )
    )


def muted_forums(session: Session, member_id: int) -> set[int]:
    return set(
        session.scalars(
            select(EmailMute.forum_id).where(
                EmailMute.member_id == member_id, EmailMute.topic == FORUM
            )
        )
    )


def wants_topic(topic: str | None) -> ColumnElement[bool]:
    """A where-clause on Member: those who did not mute the topic by email."""
    if topic is None:
        return Member.id.is_not(None)
    return Member.id.not_in(
        select(EmailMute.member_id).where(
            EmailMute.topic == topic, EmailMute.forum_id == 0
        )
    )


def digest_frequency(member: Member) -> str:
    """off, daily or weekly: the digest switch and its cadence seen as one."""
    if not member.digest_by_email:
        return "off"
    return (
        member.digest_frequency if member.digest_frequency in FREQUENCIES else "daily"
    )


def set_digest_frequency(member: Member, frequency: str) -> None:
    member.digest_by_email = frequency != "off"
    if frequency != "off":
        member.digest_frequency = frequency


def _set_mutes(
    session: Session, member_id: int, topic: str, keys: Iterable[int], muted: set[int]
) -> None:
    """Make the member's mutes of `topic` for `keys` exactly `muted`."""
    keys = set(keys)
    existing = set(
        session.scalars(
            select(EmailMute.forum_id).where(
                EmailMute.member_id == member_id,
                EmailMute.topic == topic,
                EmailMute.forum_id.in_(keys),
            )
        )
    )
    gone = (existing - muted) & keys
    if gone:
        session.execute(
            delete(EmailMute).where(
                EmailMute.member_id == member_id,
                EmailMute.topic == topic,
                EmailMute.forum_id.in_(gone),
            )
        )
    for key in sorted((muted & keys) - existing):
        session.add(EmailMute(member_id=member_id, topic=topic, forum_id=key))


def set_topics(session: Session, member_id: int, email: dict[str, bool]) -> None:
    """Topics by email on (True) or off, in the caller's transaction; topics left
    out stay as they are."""
    for topic, wanted in email.items():
        if topic in TOPICS:
            _set_mutes(session, member_id, topic, {0}, set() if wanted else {0})


def set_forums(
    session: Session, member_id: int, forum_ids: Iterable[int], muted: set[int]
) -> None:
    """Of the forums `forum_ids`, exactly `muted` send no email; in the caller's
    transaction."""
    _set_mutes(session, member_id, FORUM, forum_ids, set(muted))


def unsubscribe(session: Session, member: Member, topic: str) -> None:
    """The one-click unsubscribe: a topic muted, or the digest switched off.
    Idempotent; the caller commits."""
    if topic == DIGEST:
        member.digest_by_email = False
    elif topic in TOPICS:
        set_topics(session, member.id, {topic: False})
    else:
        raise ValueError(topic)


def update(
    session: Session,
    member: Member,
    *,
    notify_by_email: bool | None = None,
    digest: str | None = None,
    topics: dict[str, bool] | None = None,
    muted_forum_ids: set[int] | None = None,
    commit: bool = True,
) -> None:
    """The member's email settings in one transaction (what is None stays): email
    at once, the digest's frequency, topics by email, and which of the forums they
    may see send no email. `commit=False`: the caller commits (with more)."""
    errors = {}
    if digest is not None and digest not in FREQUENCIES:
        errors["digest_frequency"] = _("Wähle aus, wie oft die Zusammenfassung kommt.")
    unknown = [t for t in topics or {} if t not in TOPICS]
    if unknown:
        errors["email_topics"] = _("Unbekannte Art: %(t)s", t=", ".join(unknown))
    visible = dict(forum_choices(session, member))
    if muted_forum_ids is not None and not muted_forum_ids <= set(visible):
        errors["forums_without_email"] = _("Dieses Forum gibt es nicht.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    if notify_by_email is not None:
        member.notify_by_email = notify_by_email
    if digest is not None:
        set_digest_frequency(member, digest)
    if topics:
        set_topics(session, member.id, topics)
    if muted_forum_ids is not None:
        set_forums(session, member.id, visible, muted_forum_ids)
    if commit:
        session.commit()
