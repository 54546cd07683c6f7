"""View decorators: login, two-factor set-up and roles."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from models import RoleName

from ..i18n import _
from ..permissions import holds_role


def member_required(view):
    """Logged in; staff of a branch that requires 2FA must have set it up first."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        from ..db import db
        from ..permissions import staff_requires_2fa

        if not current_user.totp_enabled and staff_requires_2fa(
            db.session, current_user
        ):
            flash(
                _(
                    "Deine Gliederung verlangt für Vorstand und Moderation eine "
                    "Anmeldung mit zweitem Faktor. Bitte richte ihn jetzt ein."
                ),
                "warning",
            )
            return redirect(url_for("profile.two_factor"))
        return view(*args, **kwargs)

    return wrapper


def role_required(role: str):
    """The member holds `role` somewhere; otherwise the page does not exist (404)."""

    def decorator(view):
        @wraps(view)
        @member_required
        def wrapper(*args, **kwargs):
            if not holds_role(current_user, RoleName(role)):
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator
