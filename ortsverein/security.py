"""Security headers on every response, and safe redirect targets."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from .caches import Cache

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static":
        # Pages carry personal data and CSRF tokens: never cache or share them.
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: in a
# Location header they would split it (werkzeug refuses, a 500) or be read apart.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths without control characters are followed after
    login, never another host; anything else means the default."""
    if not target or _CONTROL.search(target):
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return default
    if "\\" in target:
        return default
    return target


SESSION_REFRESH_SECONDS = 3600
SESSIONS_KEPT = 4096  # per process; a cookie and its few values each
_PLAIN = (str, int, float, bool, type(None))
# Key: the whole signed cookie; value: its values and signing time. Safe: only a
# cookie whose signature was checked is kept, so no one gets a session they could
# not have sent; its age is checked on every request as if it had been decoded; and
# each request gets a copy of the values. Per app (its secret key).
SESSIONS = Cache("sessions", SESSIONS_KEPT, per_app=True)


class HourlySessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose expiry slides as the member uses the app, but
    re-issued at most once an hour (or when the session changed), not signed and
    sent again with every response: that cost a fifth of a millisecond per page.

    The same cookie then comes back with every page for up to an hour, so a cookie
    whose signature was checked is remembered with its values and signing time:
    checking and decoding it again cost a tenth of a millisecond. Its age is still
    checked on every request, and only sessions of plain values are remembered (a
    request gets its own copy, which it may change freely)."""

    def open_session(self, app: Flask, request):
        if not app.secret_key:  # as get_signing_serializer() decides
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = SESSIONS.get(cookie, app=app)
        if kept is not None and 0 <= time.time() - kept[1] <= max_age:
            return self.session_class(kept[0])
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # no secret key, returned for above already
            return None
        try:
            data, signed = serializer.loads(
                cookie, max_age=max_age, return_timestamp=True
            )
        except BadSignature:  # expired ones too
            return self.session_class()
        if all(isinstance(value, _PLAIN) for value in data.values()):
            SESSIONS.put(cookie, (data, signed.timestamp()), app=app)
        return self.session_class(data)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if not session.permanent:
            return session.modified
        now = int(time.time())
        due = now - session.get("_refreshed", 0) >= SESSION_REFRESH_SECONDS
        if not (session.modified or due):
            return False
        session["_refreshed"] = now  # stored with the cookie now being issued
        return True


CSRF_TOKENS_KEPT = 4096  # per process; a session's secret and its signed token
# Key: a session's CSRF secret; value: that secret signed. Safe: the secret is the
# session's own (only a request carrying it finds the token), tokens have no time
# limit here, and a token is only what Flask-WTF would sign again. Per app (its key).
CSRF_TOKENS = Cache("csrf_tokens", CSRF_TOKENS_KEPT, per_app=True)


def _signed_csrf_tokens(app: Flask) -> None:
    """Flask-WTF signs the session's CSRF secret anew for every request that
    shows a form: a tenth of a millisecond on nearly every page. Tokens here have
    no time limit (WTF_CSRF_TIME_LIMIT is None: they are tied to the session), so
    a token signed once for a session's secret stays valid as long as the secret,
    and is handed to later requests of that session. Flask-WTF's generate_csrf()
    returns the request's token from `g` when it is there; where it is not, the
    token is signed as before."""
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:  # Flask-WTF's default
        return  # a token's age matters: sign each one afresh
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")

    @app.before_request
    def _reuse_signed_csrf_token():
        if request.endpoint == "static":
            return  # reading the session would add "Vary: Cookie" to a static file
        secret = session.get(field)
        token = CSRF_TOKENS.get(secret, app=app) if secret else None
        if token is not None:
            setattr(g, field, token)
            g.ortsverein_csrf_reused = token

    @app.after_request
    def _keep_signed_csrf_token(response: Response) -> Response:
        token = g.get(field)
        secret = session.get(field) if token else None
        if secret and g.get("ortsverein_csrf_reused") != token:
            CSRF_TOKENS.put(secret, token, app=app)
        return response


def init_app(app: Flask) -> None:
    app.session_interface = HourlySessionInterface()
    app.after_request(set_security_headers)
    _signed_csrf_tokens(app)
