"""Amendment pages: a motion's amendments with their diffs, the form to propose one
(choose lines, load their text, change it; no JavaScript needed), the committee's
decisions and merge, the diff between any two versions; the book and a motion as
PDF."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError
from ortsverein.i18n import _
from ortsverein.web import back_to, form_errors, load

from . import amendments, bp, printouts, services, text
from .access import deadline_passed
from .amendment_forms import AmendmentForm, DecisionForm, VersionsForm
from .labels import deadline_text


def _page(motion, form: AmendmentForm, code: int = 200):
    committee = services.is_committee(current_user, motion.book)
    return render_template(
        "motions/amendments.html",
        motion=motion,
        book=motion.book,
        items=amendments.views(db.session, motion),
        form=form,
        # A refused amendment's form stays, with what was typed, to copy it.
        may_propose=amendments.may_propose(current_user, motion)
        or (code == 422 and bool(form.text.data)),
        deadline_passed=deadline_passed(motion.book),
        deadline=deadline_text(motion.book),
        withdrawable=amendments.withdrawable(db.session, current_user, motion),
        committee=committee,
        decision_form=DecisionForm(formdata=None),
        confirm=ConfirmForm(),
        lines=text.number_lines(motion.text),
    ), code


@bp.route("/<int:motion_id>/amendments", methods=["GET", "POST"])
@member_required
def amendments_page(motion_id: int):
    motion = load(services.get_motion, motion_id)
    form = AmendmentForm()
    if request.method == "GET":
        form.process(formdata=None)
        return _page(motion, form)
    if not form.validate_on_submit():
        return _page(motion, form, 422)
    first, last = form.first.data or 0, form.last.data or 0
    try:
        if "load" in request.form:  # fill the text field with the chosen lines
            form.text.data = text.excerpt(motion.text, first, last)
            return _page(motion, form)
        row = amendments.propose(
            db.session,
            current_user,
            motion,
            first,
            last,
            form.text.data or "",
            form.reasoning.data or "",
        )
    except DomainError as err:
        db.session.rollback()
        form_errors(form, err)
        if err.context.get("fields"):
            flash(err.message, "error")
        motion = load(services.get_motion, motion_id)
        return _page(motion, form, 422)
    flash(_("Der Änderungsantrag %(label)s ist gestellt.", label=row.label), "success")
    return redirect(url_for("motions.amendments_page", motion_id=motion.id))


@bp.route("/<int:motion_id>/amendments/<int:amendment_id>/decide", methods=["POST"])
@member_required
def decide_amendment(motion_id: int, amendment_id: int):
    motion = load(services.get_motion, motion_id)
    if not services.is_committee(current_user, motion.book):
        abort(404)
    form = DecisionForm()
    back_to(url_for("motions.amendments_page", motion_id=motion.id))
    if form.validate_on_submit():
        row = amendments.decide(
            db.session,
            current_user,
            motion,
            amendment_id,
            form.decision.data == "accept",
        )
        flash(_("Entschieden: %(label)s.", label=row.label), "success")
    else:
        flash(_("Bitte korrigiere die markierten Angaben."), "error")
    return redirect(url_for("motions.amendments_page", motion_id=motion.id))


@bp.route("/<int:motion_id>/amendments/<int:amendment_id>/withdraw", methods=["POST"])
@member_required
def withdraw_amendment(motion_id: int, amendment_id: int):
    """The submitter takes their amendment back (a refusal is shown on the
    amendments page, with its reason)."""
    motion = load(services.get_motion, motion_id)
    back_to(url_for("motions.amendments_page", motion_id=motion.id))
    if ConfirmForm().validate_on_submit():
        row = amendments.withdraw(db.session, current_user, motion, amendment_id)
        flash(
            _("Der Änderungsantrag %(label)s ist zurückgezogen.", label=row.label),
            "success",
        )
    else:
        flash(_("Bitte korrigiere die markierten Angaben."), "error")
    return redirect(url_for("motions.amendments_page", motion_id=motion.id))


@bp.route("/<int:motion_id>/merge", methods=["POST"])
@member_required
def merge_amendments(motion_id: int):
    motion = load(services.get_motion, motion_id)
    if not services.is_committee(current_user, motion.book):
        abort(404)
    back_to(url_for("motions.amendments_page", motion_id=motion.id))
    if ConfirmForm().validate_on_submit():
        amendments.merge_accepted(db.session, current_user, motion)
        flash(
            _("Neue Fassung %(n)s mit den übernommenen Änderungen.", n=motion.version),
            "success",
        )
    return redirect(url_for("motions.amendments_page", motion_id=motion.id))


@bp.route("/<int:motion_id>/versions")
@member_required
def versions(motion_id: int):
    motion = load(services.get_motion, motion_id)
    numbers = [v.number for v in motion.versions]
    form = VersionsForm(request.args)
    choices = [SelectChoice(n, _("Fassung %(n)s", n=n)) for n in numbers]
    form.old.choices = choices
    form.new.choices = choices
    if form.old.data not in numbers:
        form.old.data = numbers[0]
    if form.new.data not in numbers:
        form.new.data = numbers[-1]
    return render_template(
        "motions/versions.html",
        motion=motion,
        book=motion.book,
        form=form,
        diff=amendments.version_diff(motion, form.old.data, form.new.data),
    )


def _pdf(body: bytes, filename: str) -> Response:
    response = Response(body, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/books/<int:book_id>/antragsbuch.pdf")
@member_required
def book_pdf(book_id: int):
    """The motion book as PDF: contents, numbered lines, amendments with diffs."""
    book = load(services.get_book, book_id)
    return _pdf(printouts.book_document(db.session, book), f"antragsbuch-{book.id}.pdf")


@bp.route("/<int:motion_id>/antrag.pdf")
@member_required
def motion_pdf(motion_id: int):
    motion = load(services.get_motion, motion_id)
    name = "".join(c for c in motion.number if c.isalnum()) or str(motion.id)
    return _pdf(printouts.motion_document(db.session, motion), f"antrag-{name}.pdf")
