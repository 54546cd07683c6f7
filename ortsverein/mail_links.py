"""Signed links in emails (itsdangerous, with the app's secret key). An open link
names a member and a page and expires; it never logs anyone in, it only leads to
the page (through the login when there is no session). An unsubscribe link names
a member and a topic and does not expire: RFC 8058 clients keep the header."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

OPEN_SALT = "ortsverein.mail.open"
UNSUBSCRIBE_SALT = "ortsverein.mail.unsubscribe"
DEFAULT_MAX_AGE = 60 * 24 * 3600  # an open link works for 60 days


class LinkInvalid(Exception):
    """A link whose signature does not match (tampered, or another instance's)."""


class LinkExpired(LinkInvalid):
    """A genuine link past its time."""


@dataclass(frozen=True)
class OpenLink:
    member_id: int
    path: str
    notification_id: int | None


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _timed() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=OPEN_SALT)


def _plain() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def open_url(member_id: int, path: str, notification_id: int | None = None) -> str:
    """The absolute URL of a signed link to `path` (a path of this site)."""
    token = _timed().dumps({"m": member_id, "p": path, "n": notification_id})
    return f"{_base()}/mail/open/{token}"


def read_open(token: str) -> OpenLink:
    max_age = current_app.config.get("MAIL_LINK_MAX_AGE") or DEFAULT_MAX_AGE
    try:
        data = _timed().loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise LinkExpired() from err
    except BadSignature as err:
        raise LinkInvalid() from err
    try:
        note = data.get("n")
        return OpenLink(
            int(data["m"]), str(data["p"]), int(note) if note is not None else None
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise LinkInvalid() from err


def unsubscribe_url(member_id: int, topic: str) -> str:
    token = _plain().dumps({"m": member_id, "t": topic})
    return f"{_base()}/mail/unsubscribe/{token}"


def read_unsubscribe(token: str) -> tuple[int, str]:
    """(member id, topic) of a genuine unsubscribe link; LinkInvalid otherwise."""
    try:
        data = _plain().loads(token)
        return int(data["m"]), str(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError) as err:
        raise LinkInvalid() from err


def settings_url() -> str:
    return f"{_base()}/profile/notifications"
