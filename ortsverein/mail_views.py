"""The pages behind the links in emails: a signed link to a post, poll or meeting
(through the login when there is no session; it never logs anyone in), and the
one-click unsubscribe (RFC 8058: a POST without cookies or CSRF token, the signed
token being the authorisation; a GET shows a page with a button for people)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Member

from . import mail_links
from .db import db
from .errors import NotFound
from .extensions import csrf
from .i18n import _
from .notification_prefs import DIGEST, TOPIC_LABELS, TOPICS, unsubscribe
from .notifications import mark_one_read
from .security import safe_next

bp = Blueprint("mail", __name__, url_prefix="/mail")


def _refused(err: mail_links.LinkInvalid):
    if isinstance(err, mail_links.LinkExpired):
        message = _(
            "Dieser Link aus einer E-Mail ist abgelaufen. Melde dich an und öffne "
            "die Seite von dort aus."
        )
    else:
        message = _(
            "Dieser Link ist ungültig: Er wurde beim Kopieren verändert oder "
            "stammt nicht von uns. Melde dich an und öffne die Seite von dort aus."
        )
    return render_template("mail/link_error.html", message=message), 400


@bp.route("/open/<token>")
def open_link(token: str):
    """Lead to the page the email is about. The link is not a login: without a
    session the member logs in first and lands on the page."""
    try:
        link = mail_links.read_open(token)
    except mail_links.LinkInvalid as err:
        return _refused(err)
    target = safe_next(link.path)
    if not current_user.is_authenticated:
        flash(_("Bitte melde dich an; danach geht es direkt weiter."), "info")
        return redirect(url_for("auth.login", next=target))
    if link.notification_id is not None and current_user.id == link.member_id:
        try:
            mark_one_read(db.session, current_user, link.notification_id)
        except NotFound:  # deleted meanwhile: the page still opens
            db.session.rollback()
    return redirect(target)


def _topic_label(topic: str) -> str:
    if topic == DIGEST:
        return _("die Zusammenfassung per E-Mail")
    return str(TOPIC_LABELS[topic])


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_link(token: str):
    """GET: a page with a button. POST (the button, or a mail client's one-click
    `List-Unsubscribe=One-Click`): switch the topic's email off at once."""
    try:
        member_id, topic = mail_links.read_unsubscribe(token)
    except mail_links.LinkInvalid as err:
        return _refused(err)
    member = db.session.get(Member, member_id)
    if member is None or topic not in (*TOPICS, DIGEST):
        return _refused(mail_links.LinkInvalid())
    label = _topic_label(topic)
    if request.method == "GET":
        return render_template(
            "mail/unsubscribe.html", label=label, email=member.email, done=False
        )
    unsubscribe(db.session, member, topic)
    db.session.commit()
    return render_template(
        "mail/unsubscribe.html", label=label, email=member.email, done=True
    )
