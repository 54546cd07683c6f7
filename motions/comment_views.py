"""A comment on a motion's lines: the member picks a line range, its printed lines
come into the comment as a quote headed by their numbers, and the comment goes
into the motion's thread through `discussions.services` (which checks that the
member may write there). Works without JavaScript: the motion page's small GET
form opens this page with the range chosen."""

from __future__ import annotations

from flask import abort, redirect, render_template, request
from flask_login import current_user

from discussions import services as discussions
from ortsverein.auth.decorators import member_required
from ortsverein.db import db
from ortsverein.errors import DomainError
from ortsverein.i18n import _
from ortsverein.web import form_errors, load

from . import bp, services, text
from .amendment_forms import LineCommentForm

MAX_LINE = 100_000  # beyond any motion; a larger number is simply out of range


def _line_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_LINE else None


def _quote_into(form: LineCommentForm, motion) -> bool:
    """Put the chosen lines' quote before what the member wrote; False (and the
    reason on the range's field) when the range does not fit the motion."""
    first, last = form.first.data, form.last.data or form.first.data
    if first is None or last is None:
        form.first.errors = [
            *form.first.errors,
            _("Bitte gib an, welche Zeilen du zitieren möchtest."),
        ]
        return False
    try:
        quoted = text.quote(motion.text, first, last)
    except DomainError as err:
        form.first.errors = [*form.first.errors, err.message]
        return False
    form.last.data = last
    form.body.data = quoted + (form.body.data or "")
    return True


@bp.route("/<int:motion_id>/comment", methods=["GET", "POST"])
@member_required
def comment(motion_id: int):
    motion = load(services.get_motion, motion_id)
    if motion.thread_id is None:
        abort(404)
    form = LineCommentForm()
    code = 200
    if request.method == "GET":
        form.process(formdata=None)
        form.first.data, form.last.data = _line_arg("first"), _line_arg("last")
        if form.first.data is not None and not _quote_into(form, motion):
            code = 422
    elif "load" in request.form:  # quote the chosen lines, keep what was written
        valid = form.validate_on_submit() or not (
            form.first.errors or form.last.errors or form.csrf_token.errors
        )
        form.body.errors = []  # nothing written yet is fine before the quote
        if not valid or not _quote_into(form, motion):
            code = 422
    elif form.validate_on_submit():
        try:
            post = discussions.create_post(
                db.session, current_user, motion.thread_id, form.body.data or ""
            )
        except DomainError as err:  # the page shows it, the text stays
            db.session.rollback()
            form_errors(form, err)
            code = 422
        else:
            return redirect(discussions.post_url(post))
    else:
        code = 422
    return render_template(
        "motions/comment.html",
        motion=motion,
        form=form,
        lines=text.number_lines(motion.text),
    ), code
