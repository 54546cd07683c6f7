"""Helpers every feature's HTML views share: loading what the member may see, and
turning a service's domain error into a flash on the page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, g, request, url_for
from flask_login import current_user

from .db import db
from .errors import DomainError, NotFound


def load(getter, *args):
    """Run a loader; anything the member may not see is a 404."""
    try:
        return getter(db.session, current_user, *args)
    except NotFound:
        abort(404)


def form_errors(form, err: DomainError) -> None:
    """Put a service's field errors on the form, so the page shows them in place."""
    for name, message in err.context.get("fields", {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    if not err.context.get("fields"):
        flash(err.message, "error")


def back_to(target: str) -> None:
    """Where this request's form sends the member back to when a service refuses
    it (error_pages.handle_domain shows the reason there)."""
    g.back_to = target


def back_url() -> str:
    """The page to go back to: the one the view named, else the page the form was
    on when that is one of ours, else the start page."""
    if g.get("back_to"):
        return g.back_to
    came_from = urlsplit(request.referrer or "")
    path = came_from.path
    # One of our pages: same host, and a path (never "//host", another site)
    if came_from.netloc == request.host and path.startswith("/") and path[1:2] != "/":
        return path + (f"?{came_from.query}" if came_from.query else "")
    return url_for("main.index")
