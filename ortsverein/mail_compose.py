"""Notification and digest emails for one member: plain text and accessible HTML
from templates/mail/, in the member's language, with signed links and the
one-click unsubscribe of RFC 8058."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale

from models import Member

from . import mail, mail_links


def member_locale(member: Member) -> str:
    return member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _render(name: str, **context: Any) -> str:
    # Straight from the Jinja environment: no request and no context processors
    # (the digest runs from cron), only what is passed in and the gettext calls.
    return current_app.jinja_env.get_template(name).render(**context)


def unsubscribe_headers(member_id: int, topic: str) -> dict[str, str]:
    """RFC 8058: the https link, and that a POST to it is the one click."""
    return {
        "List-Unsubscribe": f"<{mail_links.unsubscribe_url(member_id, topic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def compose(
    member: Member, template: str, topic: str, subject: str, **context: Any
) -> EmailMessage:
    """The email `template` (mail/<template>_text.html and .html) to the member, in the
    current locale (callers wrap it in force_locale), with an unsubscribe link for
    `topic` in the footer and the List-Unsubscribe headers."""
    headers = unsubscribe_headers(member.id, topic)
    unsubscribe = headers["List-Unsubscribe"].strip("<>")
    context.update(
        member=member,
        subject=subject,
        topic=topic,
        unsubscribe_url=unsubscribe,
        settings_url=mail_links.settings_url(),
        lang=member_locale(member),
    )
    return mail.build_message(
        member.email,
        subject,
        _render(f"mail/{template}_text.html", **context),
        html=_render(f"mail/{template}.html", **context),
        headers=headers,
    )


def compose_in_locale(
    member: Member,
    template: str,
    topic: str,
    build: Callable[[], tuple[str, dict[str, Any]]],
) -> EmailMessage:
    """compose() in the member's language: `build` is called there and returns the
    subject and the template's context."""
    with force_locale(member_locale(member)):
        subject, context = build()
        return compose(member, template, topic, subject, **context)
