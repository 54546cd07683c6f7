"""Moderation pages: thread flags, moving, hiding posts, the report queue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import Forbidden, NotFound, ValidationFailed
from ortsverein.i18n import _, _l
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import holds_role
from ortsverein.web import back_to, load

from . import bp, moderation
from .access import get_post, get_thread
from .forms import MoveForm, ReasonForm, RenameForm
from .thread_views import _move_choices, post_url

FLAGS = {
    "pin": ({"pinned": True}, _l("Das Thema ist oben angeheftet.")),
    "unpin": ({"pinned": False}, _l("Das Thema ist nicht mehr angeheftet.")),
    "lock": ({"locked": True}, _l("Das Thema ist geschlossen.")),
    "unlock": ({"locked": False}, _l("Das Thema ist wieder offen.")),
}


@bp.route(
    "/threads/<int:thread_id>/moderate/<any(pin,unpin,lock,unlock):action>",
    methods=["POST"],
)
@member_required
def thread_flag(thread_id: int, action: str):
    thread = load(get_thread, thread_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    values, message = FLAGS[action]
    try:
        moderation.set_thread_flags(db.session, current_user, thread.id, **values)
    except Forbidden:
        abort(404)
    flash(str(message), "success")
    return redirect(url_for("discussions.thread", thread_id=thread.id))


@bp.route("/threads/<int:thread_id>/move", methods=["POST"])
@member_required
def move(thread_id: int):
    form = MoveForm()
    form.forum.choices = _move_choices()
    return _thread_form(
        thread_id,
        form,
        _("Bitte wähle ein Forum, das du moderierst."),
        lambda thread: moderation.move_thread(
            db.session, current_user, thread.id, form.forum.data
        ),
        _("Das Thema ist verschoben."),
    )


@bp.route("/threads/<int:thread_id>/rename", methods=["POST"])
@member_required
def rename(thread_id: int):
    form = RenameForm()
    return _thread_form(
        thread_id,
        form,
        _("Bitte gib einen Titel mit höchstens 200 Zeichen an."),
        lambda thread: moderation.rename_thread(
            db.session, current_user, thread.id, form.title.data or ""
        ),
        _("Der Titel ist geändert."),
    )


def _thread_form(thread_id: int, form, invalid: str, action, done: str):
    """A moderator's form on the thread page: checked, done, and back to the page
    with what happened (a member who does not moderate gets 404)."""
    thread = load(get_thread, thread_id)
    target = url_for("discussions.thread", thread_id=thread.id)
    if not form.validate_on_submit():
        flash(invalid, "error")
        return redirect(target)
    back_to(target)
    try:
        action(thread)
    except Forbidden:  # not a moderator here: the page does not exist for them
        abort(404)
    except ValidationFailed as err:
        # The form is on the thread page, which shows no field marks: say which
        # field each message is about ("Neuer Titel: Bitte ausfüllen.").
        db.session.rollback()
        fields = err.context.get("fields") or {}
        for name, message in fields.items():
            f = getattr(form, name, None)
            flash(f"{f.label.text}: {message}" if f is not None else message, "error")
        if not fields:
            flash(err.message, "error")
        return redirect(target)
    flash(done, "success")
    return redirect(target)


@bp.route("/posts/<int:post_id>/hide", methods=["POST"])
@member_required
def hide(post_id: int):
    post = load(get_post, post_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(
            _("Bitte gib eine Begründung an; die Autorin oder der Autor sieht sie."),
            "error",
        )
        return redirect(post_url(post))
    back_to(post_url(post))
    try:
        moderation.hide_post(db.session, current_user, post.id, form.reason.data or "")
    except Forbidden:
        abort(404)
    flash(_("Der Beitrag ist ausgeblendet."), "success")
    if request.form.get("from_queue"):
        return redirect(url_for("discussions.queue"))
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>/unhide", methods=["POST"])
@member_required
def unhide(post_id: int):
    post = load(get_post, post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        moderation.unhide_post(db.session, current_user, post.id)
    except Forbidden:
        abort(404)
    flash(_("Der Beitrag ist wieder sichtbar."), "success")
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>/revisions")
@member_required
def revisions(post_id: int):
    try:
        post, rows = moderation.revisions(db.session, current_user, post_id)
    except (NotFound, Forbidden):
        abort(404)
    return render_template("discussions/revisions.html", post=post, revisions=rows)


@bp.route("/moderation")
@member_required
def queue():
    if not holds_role(current_user, RoleName.ORGANISER):
        abort(404)
    page, per_page = parse_page_args(request.args, 20)
    result = moderation.open_reports(db.session, current_user, page, per_page)
    return render_template(
        "discussions/queue.html",
        page=result,
        reason_form=ReasonForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/moderation/reports/<int:report_id>/dismiss", methods=["POST"])
@member_required
def dismiss(report_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        moderation.dismiss_report(db.session, current_user, report_id)
    except (NotFound, Forbidden):
        abort(404)
    flash(_("Die Meldung ist erledigt; der Beitrag bleibt sichtbar."), "success")
    return redirect(url_for("discussions.queue"))
