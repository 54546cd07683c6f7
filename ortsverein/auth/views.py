"""Login, two-factor step, logout, activation and password reset pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from models import LinkPurpose, Member, utcnow

from ..db import db
from ..errors import ValidationFailed
from ..extensions import limiter
from ..i18n import _
from ..security import safe_next
from . import login_sessions, services
from .forms import LoginForm, ResetRequestForm, SetPasswordForm, TotpForm
from .limits import (
    LOGIN_SCOPE,
    PENDING_2FA,
    form_account,
    login_limit,
    pending_totp_account,
    per_account,
)
from .tokens import LinkError, find_link
from .totp import verify_once

bp = Blueprint("auth", __name__)


def start_session(member) -> None:
    """A fresh session on every login, so nothing from before carries over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(member)
    session[login_sessions.SESSION_KEY] = login_sessions.begin(db.session, member)
    session.permanent = True
    member.last_login_at = utcnow()
    db.session.commit()


LINK_MESSAGES = {
    "invalid": lambda: _(
        "Dieser Link ist ungültig. Bitte prüfe, ob du ihn vollständig kopiert hast."
    ),
    "used": lambda: _(
        "Dieser Link wurde schon benutzt. Du kannst dich anmelden oder ein "
        "neues Passwort anfordern."
    ),
    "expired": lambda: _(
        "Dieser Link ist abgelaufen. Fordere einen neuen an oder wende "
        "dich an deinen Vorstand."
    ),
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@per_account(form_account, LOGIN_SCOPE)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        member = services.authenticate(
            db.session, form.email.data or "", form.password.data or ""
        )
        if member is None:
            db.session.commit()  # a rehash on success is the only write; nothing here
            flash(_("E-Mail-Adresse oder Passwort ist falsch."), "error")
            return render_template("auth/login.html", form=form), 401
        target = safe_next(form.next.data)
        if member.totp_enabled:
            session[PENDING_2FA] = {
                "id": member.id,
                "v": member.session_version,
                "next": target,
            }
            return redirect(url_for("auth.two_factor"))
        start_session(member)
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@per_account(pending_totp_account)
def two_factor():
    pending = session.get(PENDING_2FA)
    if not pending:
        return redirect(url_for("auth.login"))
    member = db.session.get(Member, pending["id"])
    if member is None or not member.active or member.session_version != pending["v"]:
        session.pop(PENDING_2FA, None)
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if verify_once(member, form.code.data or ""):
            start_session(member)  # commits the spent time step too
            return redirect(pending["next"])
        flash(_("Der Code stimmt nicht. Prüfe die Uhrzeit deines Geräts."), "error")
    return render_template("auth/two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the login session on the server too: a copy of the cookie is refused."""
    secret = session.get(login_sessions.SESSION_KEY)
    if isinstance(secret, str):
        login_sessions.end(db.session, secret)
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Du bist abgemeldet."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/activate/<secret>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def activate(secret: str):
    try:
        link = find_link(db.session, secret, LinkPurpose.ACTIVATE)
    except LinkError as err:
        return _link_error_page(err)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            member = services.activate(db.session, secret, form.password.data or "")
        except ValidationFailed as err:
            db.session.rollback()
            form.password.errors = [*form.password.errors, err.message]
        except LinkError as err:
            db.session.rollback()
            return _link_error_page(err)
        else:
            start_session(member)
            flash(
                _(
                    "Willkommen, %(name)s! Dein Zugang ist eingerichtet.",
                    name=member.first_name,
                ),
                "success",
            )
            return redirect(url_for("main.index"))
    return render_template(
        "auth/set_password.html",
        form=form,
        member=link.member,
        title=_("Zugang einrichten"),
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@per_account(form_account)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_reset(db.session, form.email.data or "")
        flash(
            _(
                "Wenn die Adresse zu einem Zugang gehört, haben wir einen Link zum "
                "Zurücksetzen geschickt. Schau in dein Postfach."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<secret>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset(secret: str):
    try:
        link = find_link(db.session, secret, LinkPurpose.RESET)
    except LinkError as err:
        return _link_error_page(err)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, secret, form.password.data or "")
        except ValidationFailed as err:
            db.session.rollback()
            form.password.errors = [*form.password.errors, err.message]
        else:
            logout_user()
            flash(_("Dein Passwort ist geändert. Bitte melde dich neu an."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/set_password.html",
        form=form,
        member=link.member,
        title=_("Neues Passwort festlegen"),
    )


def _link_error_page(err: LinkError):
    status = 404 if err.reason == "invalid" else 410
    return render_template(
        "auth/link_error.html", message=LINK_MESSAGES[err.reason]()
    ), status
