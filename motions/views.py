"""Motion pages: the books of an organisation, a book with its motions, a motion,
and the forms to open a book, submit, support, withdraw and decide."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Motion, MotionStatus, Organisation, RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError, ValidationFailed
from ortsverein.i18n import _
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import can_see_org, holds_role
from ortsverein.web import back_to, form_errors, load

from . import amendments, bp, services, workflow
from .access import (
    deadline_passed,
    in_membership,
    working_groups,
)
from .forms import MotionForm, StatusForm, VoteForm, WithdrawForm
from .forward_views import ForwardForm, page_context
from .labels import deadline_text


@bp.route("/")
@member_required
def index():
    org_id = request.args.get("org", type=int)
    org = db.session.get(Organisation, org_id) if org_id else None
    if org is not None and not can_see_org(current_user, org):
        org = None
    page, per_page = parse_page_args(request.args, 20)
    result = services.list_books(
        db.session,
        current_user,
        org_id=org.id if org else None,
        page=page,
        per_page=per_page,
    )
    return render_template(
        "motions/index.html",
        page=result,
        org=org,
        deadline_text=deadline_text,
        can_create=holds_role(current_user, RoleName.ORGANISER),
    )


FIELD_NAMES = {"meeting_id": "meeting", "conference_org_id": "conference_org"}


def save_form(form, action):
    """Validate and save; errors stay on the form with everything typed kept."""
    if not form.validate_on_submit():
        return None
    try:
        return action()
    except ValidationFailed as err:
        db.session.rollback()
        for name, message in err.context.get("fields", {}).items():
            field = getattr(form, FIELD_NAMES.get(name, name), None)
            if field is not None:
                field.errors = [*field.errors, message]
        flash(err.message, "error")
    except DomainError as err:
        db.session.rollback()
        form_errors(form, err)
    return None


@bp.route("/books/<int:book_id>")
@member_required
def book(book_id: int):
    book = load(services.get_book, book_id)
    groups: list[tuple[str, list[Motion]]] = [
        (c.name, [m for m in book.motions if m.category_id == c.id])
        for c in book.categories
    ]
    loose = [m for m in book.motions if m.category_id is None]
    if loose:
        groups.append((_("Ohne Sachgebiet"), loose))
    return render_template(
        "motions/book.html",
        book=book,
        groups=[g for g in groups if g[1]],
        deadline=deadline_text(book),
        closed=deadline_passed(book),
        may_submit=bool(services.capacities(current_user, book)),
        organiser=services.can_organise(current_user, book.organisation),
        working_groups=working_groups(book),
        description_html=book.description_html,
    )


@bp.route("/books/<int:book_id>/submit", methods=["GET", "POST"])
@member_required
def submit(book_id: int):
    book = load(services.get_book, book_id)
    allowed = services.capacities(current_user, book)
    if not allowed:
        abort(404)
    form = MotionForm().setup(
        book, allowed, _("ich selbst (%(name)s)", name=current_user.name)
    )
    if deadline_passed(book) and request.method == "GET":
        flash(
            _(
                "Der Antragsschluss ist vorbei: %(deadline)s.",
                deadline=deadline_text(book),
            ),
            "error",
        )
    motion = save_form(
        form,
        lambda: services.submit(
            db.session,
            current_user,
            book,
            services.MotionInput(
                title=form.title.data or "",
                text=form.text.data or "",
                reasoning=form.reasoning.data or "",
                category_id=int(form.category.data) if form.category.data else None,
                on_behalf_of=form.on_behalf_of.data or "self",
                co_submitters=(form.co_submitters.data or "").split(","),
            ),
        ),
    )
    if motion is not None:
        flash(
            _("Dein Antrag %(number)s ist eingereicht.", number=motion.number),
            "success",
        )
        return redirect(url_for("motions.motion", motion_id=motion.id))
    return render_template(
        "motions/submit.html", form=form, book=book, deadline=deadline_text(book)
    ), (422 if request.method == "POST" else 200)


@bp.route("/<int:motion_id>")
@member_required
def motion(motion_id: int):
    motion = load(services.get_motion, motion_id)
    # A vote sealed since the last look decides now (the tick does it too).
    services.refresh_decisions(db.session, motion)
    return _motion_page(motion)


def _targets(motion: Motion) -> list[MotionStatus]:
    order = list(MotionStatus)
    return sorted(workflow.TRANSITIONS[motion.status], key=order.index)


def _motion_page(
    motion: Motion,
    status_form: StatusForm | None = None,
    code=200,
    forward_form: ForwardForm | None = None,
):
    """The motion page; after a refused status change or forwarding, with the
    form as it was sent (its errors marked, its note kept)."""
    book = motion.book
    committee = services.is_committee(current_user, book)
    submitter = any(s.member_id == current_user.id for s in motion.submitters)
    if status_form is None and committee and _targets(motion):
        status_form = StatusForm(formdata=None).setup(_targets(motion))
    return render_template(
        "motions/motion.html",
        motion=motion,
        book=book,
        text_html=motion.text_html,
        reasoning_html=motion.reasoning_html,
        deadline=deadline_text(book),
        supported=any(s.member_id == current_user.id for s in motion.supporters),
        may_support=(
            in_membership(current_user, book)
            and not submitter
            and motion.status in workflow.SUPPORTABLE
            and not deadline_passed(book)
        ),
        may_withdraw=submitter and motion.status in workflow.WITHDRAWABLE,
        status_form=status_form,
        withdraw_form=WithdrawForm(formdata=None),
        confirm=ConfirmForm(),
        votes=services.vote_panel(db.session, current_user, motion),
        agenda=services.agenda_meetings(db.session, current_user, motion),
        vote_form=VoteForm(formdata=None),
        amendment_rows=amendments.list_amendments(db.session, motion),
        **page_context(motion, forward_form),
    ), code


def _motion_action(motion_id: int, action):
    motion = load(services.get_motion, motion_id)
    back_to(url_for("motions.motion", motion_id=motion.id))
    action(motion)
    return redirect(url_for("motions.motion", motion_id=motion.id))


@bp.route("/<int:motion_id>/support", methods=["POST"])
@member_required
def support(motion_id: int):
    def act(motion):
        services.support(db.session, current_user, motion)
        flash(_("Du unterstützt den Antrag %(n)s.", n=motion.number), "success")

    return _motion_action(motion_id, act)


@bp.route("/<int:motion_id>/unsupport", methods=["POST"])
@member_required
def unsupport(motion_id: int):
    def act(motion):
        services.unsupport(db.session, current_user, motion)
        flash(_("Deine Unterstützung ist zurückgenommen."), "success")

    return _motion_action(motion_id, act)


@bp.route("/<int:motion_id>/withdraw", methods=["POST"])
@member_required
def withdraw(motion_id: int):
    form = WithdrawForm()

    def act(motion):
        if not form.validate_on_submit():
            flash(_("Bitte korrigiere die markierten Angaben."), "error")
            return
        services.withdraw(db.session, current_user, motion, form.note.data or "")
        flash(_("Der Antrag ist zurückgezogen."), "success")

    return _motion_action(motion_id, act)


@bp.route("/<int:motion_id>/status", methods=["POST"])
@member_required
def change_status(motion_id: int):
    motion = load(services.get_motion, motion_id)
    if not services.is_committee(current_user, motion.book):
        abort(404)
    # Every status validates here, so that a step the workflow refuses gets the
    # service's reason; the form is shown again with the allowed steps only.
    form = StatusForm().setup(list(MotionStatus))
    back_to(url_for("motions.motion", motion_id=motion.id))
    if form.validate_on_submit():
        try:
            services.change_status(
                db.session,
                current_user,
                motion,
                form.status.data or "",
                recommendation=form.recommendation.data or None,
                referral_target=form.referral_target.data or "",
                note=form.note.data or "",
            )
        except DomainError as err:  # the form stays, with the note kept
            db.session.rollback()
            form_errors(form, err)
            motion = load(services.get_motion, motion_id)
            return _motion_page(motion, form.setup(_targets(motion)), 422)
        flash(_("Der Status ist geändert."), "success")
        return redirect(url_for("motions.motion", motion_id=motion.id))
    return _motion_page(motion, form.setup(_targets(motion)), 422)


@bp.route("/<int:motion_id>/forward", methods=["POST"])
@member_required
def forward(motion_id: int):
    motion = load(services.get_motion, motion_id)
    if not services.may_forward(current_user, motion):
        abort(404)
    form = ForwardForm()
    if form.validate_on_submit():
        book = load(services.get_book, form.book.data)  # 404 for a hidden book
        try:
            copy = services.forward(db.session, current_user, motion, book)
        except DomainError as err:  # the form stays, with the choice kept
            db.session.rollback()
            form_errors(form, err)
            motion = load(services.get_motion, motion_id)
        else:
            flash(
                _(
                    "Der Antrag ist an „%(book)s“ weitergeleitet, dort als %(number)s.",
                    book=copy.book.title,
                    number=copy.number,
                ),
                "success",
            )
            return redirect(url_for("motions.motion", motion_id=motion.id))
    books = services.target_books(db.session, current_user, motion)
    return _motion_page(motion, code=422, forward_form=form.setup(books))
