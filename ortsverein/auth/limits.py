"""Throttles of login, token, two-factor and reset attempts: per client address
(the limiter's default key) and per account, so that attempts spread over many
addresses still meet a limit. An account's key is the submitted address itself,
counted whether or not a member has it: a limit reveals nothing about membership."""

from __future__ import annotations

from flask import current_app, request, session
from flask_limiter.util import get_remote_address

from ..extensions import limiter

# The form and the API count together: guessing a password through both gains nothing.
LOGIN_SCOPE = "account-login"
PENDING_2FA = "pending_2fa_member"


def login_limit() -> str:
    """The configured number of attempts (LOGIN_RATE_LIMIT), e.g. 10 per minute."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account(email) -> str:
    if not isinstance(email, str) or not email.strip():
        return "address:" + get_remote_address()  # no account named: the address
    return "account:" + email.strip().lower()[:254]


def form_account() -> str:
    """The account named by a form's email field."""
    return _account(request.form.get("email"))


def json_account() -> str:
    """The account named by a JSON body's email field."""
    data = request.get_json(silent=True)
    return _account(data.get("email") if isinstance(data, dict) else None)


def pending_totp_account() -> str:
    """The member whose two-factor code is asked for (after the password)."""
    pending = session.get(PENDING_2FA)
    if isinstance(pending, dict) and isinstance(pending.get("id"), int):
        return f"member:{pending['id']}"
    return "address:" + get_remote_address()


def per_account(key_func, scope: str | None = None):
    """A limit of LOGIN_RATE_LIMIT POSTs per account, on top of the per-address one."""
    if scope is not None:
        return limiter.shared_limit(
            login_limit, scope=scope, key_func=key_func, methods=["POST"]
        )
    return limiter.limit(login_limit, key_func=key_func, methods=["POST"])
