"""A member's own data: the export (download) and deleting the account; the same
for a board, for a member it manages."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from models import Member, utcnow

from ..app_object import app_object
from ..auth.decorators import member_required, role_required
from ..db import db
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import _
from ..members.services import get_member
from ..web import form_errors
from . import bp, deletion, exports
from .forms import BoardDeleteForm, DeleteAccountForm, ExportForm


def _data_page(member: Member, delete_form, status: int = 200, board: bool = False):
    return render_template(
        "privacy/data.html",
        member=member,
        board=board,
        exports=exports.latest(db.session, member),
        export_form=ExportForm(),
        delete_form=delete_form,
        days=app_object().config["EXPORT_DAYS"],
        now=utcnow(),
    ), status


def _board_member(member_id: int) -> Member:
    try:
        member = get_member(db.session, current_user, member_id)
    except NotFound:
        abort(404)
    if member.deleted_at is not None:
        abort(404)
    return member


def _start_export(member: Member, back: str):
    try:
        export = exports.request_export(db.session, current_user, member)
    except Conflict as err:
        db.session.rollback()
        flash(err.message, "warning")
        return redirect(back)
    exports.start_in_background(app_object(), export.id)
    flash(
        _(
            "Die Auskunft wird erstellt. Sobald sie fertig ist, kommt eine E-Mail "
            "mit dem Link; diese Seite zeigt den Stand."
        ),
        "success",
    )
    return redirect(back)


@bp.route("/profile/data")
@member_required
def my_data():
    return _data_page(current_user, DeleteAccountForm())


@bp.route("/profile/data/export", methods=["POST"])
@member_required
def request_my_export():
    if not ExportForm().validate_on_submit():
        abort(400)
    return _start_export(current_user, url_for("privacy.my_data"))


@bp.route("/profile/data/exports/<int:export_id>")
@member_required
def download_export(export_id: int):
    """Only the member whose data it is; anyone else (the board too) gets a 404."""
    try:
        export, path = exports.download(db.session, current_user, export_id)
    except NotFound:
        abort(404)
    created = export.created_at.strftime("%Y-%m-%d")
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"ortsverein-daten-{created}.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/delete", methods=["POST"])
@member_required
def delete_my_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _data_page(current_user, form, 422)
    try:
        deletion.delete_account(
            db.session,
            current_user,
            current_user,
            delete_texts=bool(form.delete_texts.data),
            password=form.password.data,
        )
    except ValidationFailed as err:
        db.session.rollback()
        form_errors(form, err)
        return _data_page(current_user, form, 422)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Dein Konto ist gelöscht. Danke für deine Mitarbeit."), "info")
    return redirect(url_for("main.index"))


@bp.route("/members/<int:member_id>/data")
@role_required("board")
def member_data(member_id: int):
    return _data_page(_board_member(member_id), BoardDeleteForm(), board=True)


@bp.route("/members/<int:member_id>/data/export", methods=["POST"])
@role_required("board")
def request_member_export(member_id: int):
    member = _board_member(member_id)
    if not ExportForm().validate_on_submit():
        abort(400)
    return _start_export(member, url_for("privacy.member_data", member_id=member.id))


@bp.route("/members/<int:member_id>/delete", methods=["POST"])
@role_required("board")
def delete_member(member_id: int):
    member = _board_member(member_id)
    form = BoardDeleteForm()
    if not form.validate_on_submit():
        return _data_page(member, form, 422, board=True)
    deletion.delete_account(
        db.session, current_user, member, delete_texts=bool(form.delete_texts.data)
    )
    flash(_("Das Konto ist gelöscht."), "success")
    return redirect(url_for("members.index"))
