"""In-app notifications: stored per member, shown in the reader's language, pushed
live to `member:<id>` for small fan-outs, and by email to members who opted in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, to_user_timezone
from flask_login import current_user
from sqlalchemy import Select, func, insert, literal, select, update
from sqlalchemy.orm import Session

from models import Member, Notification, utcnow

from . import mail, mail_links
from .auth.decorators import member_required
from .auth.forms import ConfirmForm
from .db import db, reading_after_commit, rowcount
from .errors import NotFound
from .i18n import _
from .mail_compose import compose_in_locale
from .notification_prefs import TOPIC_LABELS, wants_topic
from .pagination import paginate, parse_page_args
from .realtime import MAX_ID, member_room, publish
from .security import safe_next
from .templating import register_nav_count

# What a use case notified in its transaction, for deliver() after the commit: the
# members' select, kind, subject, url and how many notify() wrote.
Pending = tuple[Select[Any], str, str, str, int]

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# kind -> function(subject) -> sentence in the current locale; features register theirs
_texts: dict[str, Callable[[str], str]] = {}
# Kinds that go out by email in the daily digest; the others are mailed at once.
_digest_kinds: set[str] = set()
# kind -> the topic (notification_prefs.TOPICS) a member switches email of on or off
_topics: dict[str, str] = {}
LIVE_FANOUT_LIMIT = 1000  # beyond this, clients learn through the feature's own event


def register_kind(
    kind: str,
    text: Callable[[str], str],
    *,
    digest: bool = False,
    topic: str | None = None,
) -> None:
    """A notification kind and its sentence. `digest` kinds (forum news) are mailed
    in the digest to members who want it; the others (polls, meetings) at once to
    members who want email: each by one route, as the profile says. A member who
    switched the kind's `topic` off by email gets it in the app only."""
    _texts[kind] = text
    if digest:
        _digest_kinds.add(kind)
    if topic is not None:
        _topics[kind] = topic


def digest_kinds() -> set[str]:
    return set(_digest_kinds)


def topic_of(kind: str) -> str | None:
    return _topics.get(kind)


def kinds_of(topics: set[str]) -> set[str]:
    """The kinds that belong to the given topics."""
    return {kind for kind, topic in _topics.items() if topic in topics}


def text_for(notification: Notification) -> str:
    render = _texts.get(notification.kind)
    return render(notification.subject) if render else notification.subject


def notify(
    session: Session,
    members: Select,
    kind: str,
    subject: str,
    url: str,
    forum_id: int | None = None,
) -> int:
    """Notify every member the select yields (one column: member ids), in the
    caller's transaction, as one INSERT ... SELECT. Returns how many. `forum_id`:
    the forum that forum news comes from (a member may mute its email)."""
    now = utcnow()
    ids = members.subquery()
    result = session.execute(
        insert(Notification).from_select(
            ["member_id", "kind", "subject", "url", "created_at", "forum_id"],
            select(
                ids.c[0],
                literal(kind),
                literal(subject[:300]),
                literal(url[:300]),
                literal(now, type_=Notification.created_at.type),
                literal(forum_id, type_=Notification.forum_id.type),
            ),
        ),
        # SQLAlchemy keeps an INSERT's row count only when asked (psycopg's came
        # back as -1 otherwise, and every member of a national vote got a push).
        execution_options={"preserve_rowcount": True},
    )
    return max(rowcount(result), 0)


def push(
    session: Session, members: Select, kind: str, subject: str, url: str, count: int
) -> None:
    """After commit: the new notifications to their members' sockets, for small
    fan-outs only (beyond LIVE_FANOUT_LIMIT clients learn through the feature's
    own event)."""
    if count > LIVE_FANOUT_LIMIT:
        return
    rows = session.execute(
        select(Notification.id, Notification.member_id, Member.locale)
        .join(Member, Member.id == Notification.member_id)
        .where(
            Notification.member_id.in_(members),
            Notification.kind == kind,
            Notification.subject == subject[:300],
            Notification.url == url[:300],
            Notification.read_at.is_(None),
        )
    ).all()
    sentences: dict[str, str] = {}  # the sentence in each member's language
    for note_id, member_id, locale in rows:
        locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        if locale not in sentences:
            with force_locale(locale):
                sentences[locale] = _texts[kind](subject) if kind in _texts else subject
        publish(
            "notification",
            {"id": note_id, "kind": kind, "text": sentences[locale], "url": url},
            member_room(member_id),
        )


def deliver(
    session: Session, members: Select, kind: str, subject: str, url: str, count: int
) -> None:
    """After commit: push small fan-outs live, and mail those who opted in."""
    with reading_after_commit(session):
        _deliver(session, members, kind, subject, url, count)


def _deliver(
    session: Session, members: Select, kind: str, subject: str, url: str, count: int
) -> None:
    push(session, members, kind, subject, url, count)
    if kind in _digest_kinds:
        return  # by email in the digest only
    topic = _topics.get(kind)
    messages = []
    rows = session.execute(
        select(Member, func.max(Notification.id))
        .join(Notification, Notification.member_id == Member.id)
        .where(
            Member.id.in_(members),
            Member.notify_by_email.is_(True),
            Member.active.is_(True),
            wants_topic(topic),
            Notification.kind == kind,
            Notification.subject == subject[:300],
            Notification.url == url[:300],
        )
        .group_by(Member.id)
    )
    for member, note_id in rows:
        messages.append(_message(member, kind, subject, url, note_id, topic))
    if messages:
        mail.send_in_background(messages)


def _message(member: Member, kind: str, subject: str, url: str, note_id, topic):
    """One notification email: the sentence, a signed link to the very page, and
    the one-click unsubscribe of its topic."""

    def build():
        sentence = _texts[kind](subject) if kind in _texts else subject
        return sentence, {
            "sentence": sentence,
            "action": _("Ansehen"),
            "link": mail_links.open_url(member.id, url, note_id),
            "topic_label": str(TOPIC_LABELS.get(topic or "", kind)),
        }

    return compose_in_locale(member, "notification", topic or kind, build)


def mark_one_read(
    session: Session, member: Member, notification_id: int
) -> Notification:
    """A member marks one of their own notifications read (once: the first time
    stays); anybody else's is NotFound."""
    notification = (
        session.get(Notification, notification_id)
        if 0 < notification_id <= MAX_ID
        else None
    )
    if notification is None or notification.member_id != member.id:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.commit()
    return notification


def mark_all_read(session: Session, member: Member, upto: int | None = None) -> int:
    """Every unread notification of the member, up to `upto` (the newest one the
    member was shown: one that arrived since was never seen). Returns how many."""
    mine = update(Notification).where(
        Notification.member_id == member.id, Notification.read_at.is_(None)
    )
    if upto is not None:
        mine = mine.where(Notification.id <= upto)
    result = session.execute(
        mine.values(read_at=utcnow()), execution_options={"preserve_rowcount": True}
    )
    session.commit()
    return max(rowcount(result), 0)


def _unread(member: Member):
    return select(func.count(Notification.id)).where(
        Notification.member_id == member.id, Notification.read_at.is_(None)
    )


def by_day_and_kind(
    items: list[Notification],
) -> list[tuple[date, list[tuple[str, list[Notification]]]]]:
    """The page's notifications by day in the member's time zone (newest first),
    and within a day by kind, the kind with the newest notification first."""
    days: dict[date, dict[str, list[Notification]]] = {}
    for n in items:
        day = to_user_timezone(n.created_at.replace(tzinfo=n.created_at.tzinfo or UTC))
        days.setdefault(day.date(), {}).setdefault(n.kind, []).append(n)
    return [(day, list(days[day].items())) for day in sorted(days, reverse=True)]


@bp.route("/")
@member_required
def index():
    page, per_page = parse_page_args(request.args, 30)
    result = paginate(
        db.session,
        select(Notification)
        .where(Notification.member_id == current_user.id)
        .order_by(Notification.id.desc()),
        page,
        per_page,
    )
    return render_template(
        "notifications/index.html",
        page=result,
        newest=db.session.scalar(
            select(func.max(Notification.id)).where(
                Notification.member_id == current_user.id
            )
        ),
        text_for=text_for,
        days=by_day_and_kind(list(result.items)),
        today=to_user_timezone(utcnow()).date(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:notification_id>")
@member_required
def open_one(notification_id: int):
    """Follow a notification: it counts as read from now on, as in any mature app."""
    notification = mark_one_read(db.session, current_user, notification_id)
    return redirect(safe_next(notification.url))


@bp.route("/read", methods=["POST"])
@member_required
def mark_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # Up to the newest the page showed: one that arrived since was never seen.
    upto = request.form.get("upto", type=int)
    if upto is not None and not 0 <= upto <= MAX_ID:
        upto = None
    mark_all_read(db.session, current_user, upto)
    flash(_("Alle Benachrichtigungen sind als gelesen markiert."), "success")
    return redirect(url_for("notifications.index"))


def init_app(app) -> None:
    app.register_blueprint(bp)
    register_nav_count(app, "unread_notifications", _unread)
