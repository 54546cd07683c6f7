"""Motion pages: the books of an organisation, a book with its motions, a motion,
and the forms to open a book, submit, support, withdraw and decide."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import Motion, MotionStatus, Organisation, RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError, ValidationFailed
from ortsverein.i18n import _
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import can_see_org, orgs_with_role
from ortsverein.web import back_to, form_errors, load

from . import bp, services, workflow
from .access import (
    deadline_passed,
    in_membership,
    local,
    working_groups,
)
from .forms import BookForm, MotionForm, StatusForm, WithdrawForm
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
        can_create=bool(orgs_with_role(current_user, RoleName.ORGANISER)),
    )


def _book_form(orgs, book=None) -> BookForm:
    org = book.organisation if book else orgs[0]
    form = BookForm(obj=book) if book else BookForm()
    return form.setup(
        orgs,
        services.meeting_choices(db.session, current_user, org.id),
        _ancestors(org),
        services.ZONES,
    )


def _ancestors(org: Organisation) -> list[Organisation]:
    ids = org.ancestor_ids()
    found = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids))
        )
    }
    return [found[i] for i in reversed(ids) if i in found]


def _book_input(form: BookForm, org_id: int) -> services.BookInput:
    def number(value):
        return int(value) if value and str(value).isdigit() else None

    return services.BookInput(
        org_id=org_id,
        title=form.title.data or "",
        description=form.description.data or "",
        occasion=form.occasion.data or "standing",
        meeting_id=number(form.meeting.data),
        conference_title=form.conference_title.data or "",
        conference_org_id=number(form.conference_org.data),
        deadline=form.deadline.data,
        timezone=form.timezone.data or "Europe/Berlin",
        members_may_submit=form.members_may_submit.data,
        boards_may_submit=form.boards_may_submit.data,
        working_groups=(form.working_groups.data or "").splitlines(),
        supporters_needed=form.supporters_needed.data or 0,
        categories=(form.categories.data or "").splitlines(),
        prefix=form.prefix.data or "",
    )


FIELD_NAMES = {"meeting_id": "meeting", "conference_org_id": "conference_org"}


def _save(form, action):
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


@bp.route("/books/new", methods=["GET", "POST"])
@member_required
def create_book():
    orgs = orgs_with_role(current_user, RoleName.ORGANISER)
    if not orgs:
        abort(404)
    chosen = request.values.get("org", type=int)
    orgs.sort(key=lambda o: o.id != chosen)  # the organisation asked for first
    form = _book_form(orgs)
    if request.method == "GET":
        form.members_may_submit.data = form.boards_may_submit.data = True
        form.timezone.data = "Europe/Berlin"
    book = _save(
        form,
        lambda: services.create_book(
            db.session, current_user, _book_input(form, form.org.data)
        ),
    )
    if book is not None:
        flash(_("Das Antragsbuch ist angelegt."), "success")
        return redirect(url_for("motions.book", book_id=book.id))
    return render_template("motions/book_form.html", form=form, book=None), (
        422 if request.method == "POST" else 200
    )


@bp.route("/books/<int:book_id>/edit", methods=["GET", "POST"])
@member_required
def edit_book(book_id: int):
    book = load(services.get_book, book_id)
    if not services.can_organise(current_user, book.organisation):
        abort(404)
    form = _book_form([book.organisation], book)
    del form.org
    if request.method == "GET":
        form.occasion.data = book.occasion.value
        form.meeting.data = str(book.meeting_id or "")
        form.conference_org.data = str(book.conference_organisation_id or "")
        form.deadline.data = local(book, book.deadline)
        form.categories.data = "\n".join(c.name for c in book.categories)
    result = _save(
        form,
        lambda: services.update_book(
            db.session, current_user, book, _book_input(form, book.organisation_id)
        ),
    )
    if result is not None:
        flash(_("Das Antragsbuch ist gespeichert."), "success")
        return redirect(url_for("motions.book", book_id=book.id))
    return render_template("motions/book_form.html", form=form, book=book), (
        422 if request.method == "POST" else 200
    )


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
    motion = _save(
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
    book = motion.book
    committee = services.is_committee(current_user, book)
    targets = sorted(workflow.TRANSITIONS[motion.status], key=list(MotionStatus).index)
    submitter = any(s.member_id == current_user.id for s in motion.submitters)
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
        status_form=StatusForm(formdata=None).setup(targets)
        if committee and targets
        else None,
        withdraw_form=WithdrawForm(formdata=None),
        confirm=ConfirmForm(),
    )


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
    form = StatusForm().setup(list(MotionStatus))
    back_to(url_for("motions.motion", motion_id=motion.id))
    if not form.validate_on_submit():
        flash(_("Bitte korrigiere die markierten Angaben."), "error")
        return redirect(url_for("motions.motion", motion_id=motion.id))
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
    except ValidationFailed as err:
        db.session.rollback()
        for message in err.context.get("fields", {}).values():
            flash(message, "error")
        return redirect(url_for("motions.motion", motion_id=motion.id))
    flash(_("Der Status ist geändert."), "success")
    return redirect(url_for("motions.motion", motion_id=motion.id))
