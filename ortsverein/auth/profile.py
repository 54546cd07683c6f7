"""The member's own profile: language, password, two-factor login, API tokens."""

from __future__ import annotations

import pyotp
import segno
from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user
from markupsafe import Markup
from sqlalchemy import select

from models import ApiToken, utcnow

from .. import audit
from ..db import db
from ..errors import ValidationFailed
from ..i18n import _
from ..permissions import staff_requires_2fa
from . import login_sessions, services
from .decorators import member_required
from .forms import (
    ChangePasswordForm,
    ConfirmForm,
    DisableTotpForm,
    GenderForm,
    LanguageForm,
    TokenForm,
    TotpForm,
)
from .passwords import check_password
from .tokens import create_api_token
from .totp import seal, verify_once

bp = Blueprint("profile", __name__, url_prefix="/profile")

PENDING_SECRET = "pending_totp_secret"  # noqa: S105  (a session key name)


def _tokens():
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.member_id == current_user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    ).all()


def _render(**forms):
    defaults: dict[str, object] = {
        "password_form": ChangePasswordForm(),
        "token_form": TokenForm(),
        "confirm_form": ConfirmForm(),
        "disable_form": DisableTotpForm(),
        "gender_form": GenderForm(gender=current_user.gender or ""),
    }
    defaults.update(forms)
    defaults["mention_handle"] = (
        f"{current_user.first_name}.{current_user.last_name}".replace(" ", "-")
    )
    return render_template(
        "profile/index.html",
        tokens=_tokens(),
        requires_2fa=staff_requires_2fa(db.session, current_user),
        **defaults,
    )


def _keep_this_device(login: str) -> None:
    """After every login of the member ended, this device goes on under a new one."""
    login_user(current_user._get_current_object())
    session[login_sessions.SESSION_KEY] = login


@bp.route("/")
@member_required
def index():
    return _render()


@bp.route("/gender", methods=["POST"])
@member_required
def gender():
    """The optional gender for election quotas (models.Member.gender)."""
    form = GenderForm()
    if not form.validate_on_submit():
        return _render(gender_form=form), 422
    services.set_gender(db.session, current_user, form.gender.data or None)
    flash(_("Deine Angabe ist gespeichert."), "success")
    return redirect(url_for("profile.index"))


@bp.route("/password", methods=["POST"])
@member_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            login = services.change_password(
                db.session,
                current_user,
                form.current.data or "",
                form.password.data or "",
            )
        except ValidationFailed as err:
            db.session.rollback()
            form.password.errors = [*form.password.errors, err.message]
        else:
            # keep this device; the others are logged out
            _keep_this_device(login)
            flash(
                _("Dein Passwort ist geändert. Andere Geräte sind abgemeldet."),
                "success",
            )
            return redirect(url_for("profile.index"))
    return _render(password_form=form), 422


@bp.route("/tokens", methods=["POST"])
@member_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(token_form=form), 422
    token = create_api_token(db.session, current_user, (form.name.data or "").strip())
    audit.record(db.session, current_user, "api_token.created", name=form.name.data)
    db.session.commit()
    return render_template(
        "profile/token_created.html", token=token, name=(form.name.data or "").strip()
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@member_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if (
        token is None
        or token.member_id != current_user.id
        or not ConfirmForm().validate_on_submit()
    ):
        abort(404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(db.session, current_user, "api_token.revoked", target=token)
        db.session.commit()
    flash(_("Das Token „%(name)s“ ist widerrufen.", name=token.name), "success")
    return redirect(url_for("profile.index"))


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _keep_this_device(services.end_all_sessions(db.session, current_user))
    flash(_("Alle anderen Sitzungen sind beendet."), "success")
    return redirect(url_for("profile.index"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch language; logged-in members keep the choice on their profile."""
    from ..security import safe_next

    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            services.update_settings(db.session, current_user, locale=form.lang.data)
    return redirect(safe_next(form.next.data, url_for("main.index")))


@bp.route("/2fa", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up TOTP: show a new secret as QR code, enable it once a code matches."""
    if current_user.totp_enabled:
        return redirect(url_for("profile.index"))
    secret = session.get(PENDING_SECRET)
    if not secret:
        secret = session[PENDING_SECRET] = pyotp.random_base32()
    form = TotpForm()
    totp = pyotp.TOTP(secret)
    if form.validate_on_submit():
        if verify_once(current_user, form.code.data or "", secret):
            current_user.totp_secret = seal(secret)
            current_user.totp_enabled = True
            current_user.session_version += 1
            login_sessions.end_all(db.session, current_user.id)
            login = login_sessions.begin(db.session, current_user)
            audit.record(
                db.session,
                current_user,
                "member.2fa_enabled",
                target=current_user,
                organisation=current_user.home_branch,
            )
            db.session.commit()
            session.pop(PENDING_SECRET, None)
            _keep_this_device(login)
            flash(_("Die Anmeldung mit zweitem Faktor ist eingerichtet."), "success")
            return redirect(url_for("profile.index"))
        form.code.errors = [
            *form.code.errors,
            _("Der Code stimmt nicht. Prüfe die Uhrzeit deines Geräts."),
        ]
    uri = totp.provisioning_uri(name=current_user.email, issuer_name="Ortsverein")
    # segno builds the SVG from our own URI; the title is escaped by segno.
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR-Code"))
    qr_svg = Markup(svg)  # noqa: S704
    return render_template(
        "profile/two_factor.html",
        form=form,
        secret=secret,
        qr_svg=qr_svg,
        required=staff_requires_2fa(db.session, current_user),
    )


@bp.route("/2fa/disable", methods=["POST"])
@member_required
def disable_two_factor():
    form = DisableTotpForm()
    if staff_requires_2fa(db.session, current_user):
        flash(
            _(
                "Deine Gliederung verlangt den zweiten Faktor; du kannst ihn nicht "
                "abschalten."
            ),
            "error",
        )
        return redirect(url_for("profile.index"))
    if form.validate_on_submit() and check_password(
        current_user, form.password.data or ""
    ):
        current_user.totp_enabled = False
        current_user.totp_secret = None
        audit.record(
            db.session,
            current_user,
            "member.2fa_disabled",
            target=current_user,
            organisation=current_user.home_branch,
        )
        db.session.commit()
        flash(_("Der zweite Faktor ist abgeschaltet."), "success")
        return redirect(url_for("profile.index"))
    form.password.errors = [_("Das Passwort stimmt nicht.")]
    return _render(disable_form=form), 422
