"""Error pages in the base layout, JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(DomainError, handle_domain)
    # Also serves unhandled exceptions: Flask logs them, rolls nothing back itself
    # (the session is closed, so rolled back, at teardown) and asks for the 500 page.
    app.register_error_handler(HTTPException, handle_http)
