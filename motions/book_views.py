"""The pages where organisers open and change a motion book."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import Organisation, RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.db import db
from ortsverein.i18n import _
from ortsverein.permissions import orgs_with_role
from ortsverein.web import load

from . import bp, services
from .access import local
from .forms import BookForm
from .views import save_form


def _book_form(orgs, book=None) -> BookForm:
    form = BookForm(obj=book) if book else BookForm()
    return form.setup(
        orgs,
        services.meeting_choices(db.session, current_user, [o.id for o in orgs]),
        list({o.id: o for x in orgs for o in _ancestors(x)}.values()),
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
    book = save_form(
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
    result = save_form(
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
