"""Pages for changing an email address: the member's own (with a link to the new
address) and the board's on a member's page; the rules are in email_change.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from ortsverein.forms import Form

from ..auth.decorators import member_required, role_required
from ..db import db, write_intent
from ..errors import ValidationFailed
from ..i18n import _, _l
from ..web import back_to, form_errors
from . import email_change
from .views import bp


class EmailForm(Form):
    email = EmailField(
        _l("Neue E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)]
    )


class ConfirmEmailForm(Form):
    pass


@bp.route("/email", methods=["GET", "POST"])
@member_required
def change_own_email():
    """The member asks for a new address; a link goes to it."""
    form = EmailForm()
    if form.validate_on_submit():
        try:
            with write_intent():
                address = email_change.request_change(
                    db.session, current_user, form.email.data or ""
                )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        else:
            flash(
                _(
                    "Wir haben einen Bestätigungslink an %(email)s geschickt. Die "
                    "Adresse ändert sich, sobald du ihm folgst.",
                    email=address,
                ),
                "success",
            )
            return redirect(url_for("profile.index"))
    status = 422 if form.errors else 200
    return render_template("members/email.html", form=form), status


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link from the mail: a page with one button (a mail scanner that fetches
    the link changes nothing), then the change."""
    member, address = email_change.read_token(db.session, token)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        with write_intent():
            email_change.confirm_change(db.session, token)
        flash(_("Deine E-Mail-Adresse ist jetzt %(email)s.", email=address), "success")
        return redirect(url_for("main.index"))
    return render_template(
        "members/email_confirm.html", form=form, member=member, address=address
    )


@bp.route("/<int:member_id>/email", methods=["POST"])
@role_required("board")
def change_member_email(member_id: int):
    """The board sets a member's address."""
    target = url_for("members.detail", member_id=member_id)
    back_to(target)
    form = EmailForm(prefix="board")
    if not form.validate_on_submit():
        flash(_("Das ist keine gültige E-Mail-Adresse."), "error")
        return redirect(target)
    with write_intent():
        member = email_change.change_by_board(
            db.session, current_user, member_id, form.email.data or ""
        )
    flash(_("Die E-Mail-Adresse ist jetzt %(email)s.", email=member.email), "success")
    return redirect(target)
