"""Helpers every feature's HTML views share: loading what the member may see, and
turning a service's domain error into a flash on the page."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_login import current_user

from .db import db
from .errors_domain import DomainError, NotFound, ValidationFailed
from .i18n import _


def load(getter, *args):
    """Run a loader; anything the member may not see is a 404."""
    try:
        return getter(db.session, current_user, *args)
    except NotFound:
        abort(404)


def form_errors(form, err: ValidationFailed) -> None:
    """Put a service's field errors on the form, so the page shows them in place."""
    for name, message in err.context.get("fields", {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    if not err.context.get("fields"):
        flash(err.message, "error")


def refuse(err: DomainError, target: str):
    """Undo the request's writes, show the service's reason, and go back."""
    db.session.rollback()
    flash(err.message or _("Das ging nicht."), "error")
    return redirect(target)
