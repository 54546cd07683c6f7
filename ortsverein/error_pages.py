"""Error pages in the base layout, JSON errors under /api/."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, flash, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from . import db_outage
from .db import db
from .errors import DomainError, NotFound
from .i18n import _
from .web import back_url

TITLES = {
    400: lambda: _("Ungültige Anfrage"),
    401: lambda: _("Anmeldung nötig"),
    403: lambda: _("Kein Zugriff"),
    404: lambda: _("Seite nicht gefunden"),
    405: lambda: _("Methode nicht erlaubt"),
    410: lambda: _("Nicht mehr gültig"),
    413: lambda: _("Datei zu groß"),
    422: lambda: _("Eingabe nicht verarbeitbar"),
    429: lambda: _("Zu viele Versuche"),
    500: lambda: _("Interner Fehler"),
}
MESSAGES = {
    400: lambda: _("Die Anfrage konnte nicht verarbeitet werden."),
    403: lambda: _("Dafür fehlt dir die Berechtigung."),
    404: lambda: _("Diese Seite gibt es nicht, oder sie ist für dich nicht sichtbar."),
    405: lambda: _("Diese Adresse kann so nicht aufgerufen werden."),
    413: lambda: _("Die Datei ist größer als erlaubt (32 MB)."),
    429: lambda: _(
        "Zu viele Versuche in kurzer Zeit. Bitte warte eine Minute und "
        "versuche es dann noch einmal."
    ),
    500: lambda: _(
        "Etwas ist schiefgegangen. Deine Eingabe wurde nicht gespeichert; "
        "bitte versuche es noch einmal. Der Fehler wurde protokolliert."
    ),
}


def _page(code: int, message: str | None = None):
    title = TITLES.get(code, TITLES[500])()
    text = message or MESSAGES.get(code, MESSAGES[400])()
    return render_template(
        "errors/error.html", code=code, title=title, message=text
    ), code


def handle_http(err: HTTPException):
    if request.path.startswith("/api/"):
        from .api import http_error_as_json

        return http_error_as_json(err)
    code = err.code or 500
    message = None
    if (
        code in (400, 410)
        and err.description
        and not err.description.startswith("The ")
    ):
        message = err.description  # our own translated text passed to abort()
    return _page(code, message)


def handle_csrf(err: CSRFError):
    if request.path.startswith("/api/"):
        from .api.errors import api_error

        return api_error(400, "csrf_failed", err.description)
    return _page(
        400,
        _(
            "Das Formular ist abgelaufen oder wurde nicht von dieser Seite "
            "abgeschickt. Bitte lade die Seite neu und sende es noch einmal."
        ),
    )


def handle_domain(err: DomainError):
    """A service refused what a page asked (the API's blueprints answer in JSON
    themselves): nothing the request wrote is kept, an object the member may not
    see is a 404, anything else is shown as a message on the page the member
    came from (or the one the view named with web.back_to)."""
    db.session.rollback()
    if isinstance(err, NotFound):
        return _page(404)
    flash(err.message or _("Das ging nicht."), "error")
    return redirect(back_url())


RETRY_AFTER = "5"  # seconds: a restart or failover of the database
# Labels of the fields the unavailable page shows again (others by their name).
KEPT_LABELS = {
    "body": lambda: _("Dein Text"),
    "title": lambda: _("Titel"),
    "text": lambda: _("Dein Text"),
    "reason": lambda: _("Begründung"),
    "description": lambda: _("Beschreibung"),
}


def _kept_fields() -> list[dict]:
    """What the member sent with the form, to send again or to copy: texts shown in
    a box, the rest (ids, choices) along unseen."""
    kept = []
    for name, value in request.form.items(multi=True):
        if name == "csrf_token":
            continue
        shown = bool(value.strip()) and not value.isdigit() and value not in ("y", "on")
        label = KEPT_LABELS.get(name)
        kept.append(
            {
                "name": name,
                "value": value,
                "shown": shown,
                "label": label() if label else name,
                "rows": min(max(value.count("\n") + 2, 3), 15),
            }
        )
    return kept


def handle_unavailable(err: DBAPIError | PoolTimeout):
    """The database cannot be reached: 503 with a stable code, nothing the request
    wrote kept (or, when the connection died during the COMMIT, nobody knows: then
    say so). A page keeps what the member typed; it is rendered without the
    database, so the layout shows it as to a visitor."""
    current_app.logger.warning("database unavailable: %s", err)
    with contextlib.suppress(Exception):  # the connection is gone
        db.session.rollback()
    unknown = db_outage.commit_outcome_unknown(err)
    if request.path.startswith("/api/"):
        from .api.errors import api_error

        if unknown:
            response = api_error(
                503,
                "commit_outcome_unknown",
                "the database went away while saving: whether it was saved is "
                "unknown; read it back before sending it again",
            )
        else:
            response = api_error(
                503,
                "database_unavailable",
                "the database cannot be reached; nothing was saved, try again in "
                "a few seconds",
            )
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    from flask_login import AnonymousUserMixin

    g._login_user = AnonymousUserMixin()  # loading the member needs the database
    kept = _kept_fields() if request.method == "POST" else []
    if unknown:
        title = _("Vielleicht nicht gespeichert")
        message = _(
            "Die Verbindung zur Datenbank brach ab, während deine Eingabe "
            "gespeichert wurde. Ob sie gespeichert ist, ist nicht sicher. Lade die "
            "Seite in einem Moment neu und sieh nach, bevor du sie noch einmal "
            "sendest; unten steht sie zum Kopieren."
        )
    else:
        title = _("Gerade nicht erreichbar")
        message = (
            _(
                "Die Datenbank ist gerade nicht erreichbar, meist nur für einige "
                "Sekunden. Deine Eingabe wurde nicht gespeichert; sie steht unten, "
                "du kannst sie in einem Moment noch einmal senden."
            )
            if kept
            else _(
                "Die Datenbank ist gerade nicht erreichbar, meist nur für einige "
                "Sekunden. Bitte lade die Seite in einem Moment neu."
            )
        )
    reload_url = back_url() if request.method == "POST" else request.full_path
    html = render_template(
        "errors/unavailable.html",
        title=title,
        message=message,
        kept=kept,
        resend=not unknown,
        action=request.full_path.rstrip("?"),
        reload_url=reload_url.rstrip("?"),
    )
    return html, 503, {"Retry-After": RETRY_AFTER}


def init_app(app: Flask) -> None:
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, handle_unavailable)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(DomainError, handle_domain)
    # Also serves unhandled exceptions: Flask logs them, rolls nothing back itself
    # (the session is closed, so rolled back, at teardown) and asks for the 500 page.
    app.register_error_handler(HTTPException, handle_http)
