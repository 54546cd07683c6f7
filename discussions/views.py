"""Forum pages: the forum list, a forum's threads, organisers' forum settings,
subscriptions and search."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models import Forum, Organisation, RoleName, Thread
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import ValidationFailed
from ortsverein.i18n import _
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import holds_role, visible_org_clause
from ortsverein.shared_pages import render_shared
from ortsverein.web import form_errors, load

from . import bp, reading, search, services
from .access import can_moderate, get_forum, moderated_orgs, visible_forums_query
from .forms import ForumForm
from .forum_page import ForumCard, forum_threads, open_forum, thread_rows_html


@bp.route("/")
@member_required
def index():
    forums = db.session.scalars(visible_forums_query(current_user)).all()
    return render_shared(
        "discussions/index.html",
        slots={},
        forums=[ForumCard.of(forum) for forum in forums],
        can_create=holds_role(current_user, RoleName.ORGANISER),
    )


@bp.route("/<int:forum_id>")
@member_required
def forum(forum_id: int):
    opened = load(open_forum, forum_id)
    page, _per_page = parse_page_args(request.args, services.THREADS_PER_PAGE)
    result, reads = forum_threads(
        db.session, opened, current_user.id, page, services.THREADS_PER_PAGE
    )
    if page > 1 and not result.items:
        abort(404)  # past the last page, as on a thread: not "no threads yet"
    return render_shared(
        "discussions/forum.html",
        slots={"rows": thread_rows_html(result.items, reads)},
        forum=opened.facts,
        page=replace(result, items=[]),  # the rows are the slot
        has_threads=bool(result.items),
        subscribed=opened.subscribed,
        moderator=can_moderate(current_user, opened.organisation),
    )


def _org_choices(forum: Forum | None = None):
    if forum is not None:
        return [(forum.organisation.id, forum.organisation.name)]
    return [(o.id, o.name) for o in moderated_orgs(current_user)]


@bp.route("/new", methods=["GET", "POST"])
@member_required
def create_forum():
    form = ForumForm()
    form.org.choices = _org_choices()
    if not form.org.choices:
        abort(404)
    if form.validate_on_submit():
        try:
            forum = services.save_forum(
                db.session,
                current_user,
                org_id=form.org.data,
                name=form.name.data or "",
                description=form.description.data or "",
                position=form.position.data or 0,
                archived=form.archived.data,
            )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        else:
            flash(_("Das Forum ist angelegt."), "success")
            return redirect(url_for("discussions.forum", forum_id=forum.id))
    return render_template("discussions/forum_form.html", form=form, forum=None)


@bp.route("/<int:forum_id>/edit", methods=["GET", "POST"])
@member_required
def edit_forum(forum_id: int):
    forum = load(get_forum, forum_id)
    if not can_moderate(current_user, forum.organisation):
        abort(404)
    form = ForumForm(obj=forum if request.method == "GET" else None)
    form.org.choices = _org_choices(forum)
    form.org.data = forum.organisation_id
    if form.validate_on_submit():
        try:
            services.save_forum(
                db.session,
                current_user,
                forum_id=forum.id,
                name=form.name.data or "",
                description=form.description.data or "",
                position=form.position.data or 0,
                archived=form.archived.data,
            )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        else:
            flash(_("Das Forum ist gespeichert."), "success")
            return redirect(url_for("discussions.forum", forum_id=forum.id))
    return render_template("discussions/forum_form.html", form=form, forum=forum)


@bp.route("/<int:forum_id>/subscription", methods=["POST"])
@member_required
def forum_subscription(forum_id: int):
    forum = load(get_forum, forum_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = request.form.get("subscribe") == "1"
    reading.set_subscription(db.session, current_user.id, on, forum_id=forum.id)
    db.session.commit()
    flash(
        _("Du bekommst Bescheid über neue Themen in diesem Forum.")
        if on
        else _("Du bekommst keine Benachrichtigungen mehr zu diesem Forum."),
        "success",
    )
    return redirect(url_for("discussions.forum", forum_id=forum.id))


@bp.route("/search")
@member_required
def search_page():
    q = request.args.get("q", "").strip()[:200]
    page, per_page = parse_page_args(request.args, 20)
    result = search.search(db.session, current_user, q, page, per_page) if q else None
    return render_template("discussions/search.html", q=q, page=result)


def panel(session, member) -> dict:
    """Home page panel: unread posts in the threads the member follows (under
    "Jetzt dran"), then the newest threads in forums the member can see."""
    threads = session.scalars(
        select(Thread)
        .join(Forum, Thread.forum_id == Forum.id)
        .join(Organisation, Forum.organisation_id == Organisation.id)
        .where(visible_org_clause(member))
        .order_by(Thread.last_post_at.desc())
        .limit(5)
    ).all()
    unread = services.unread_followed(session, member)
    return {"order": 30, "unread": unread, "threads": threads}


def forum_choices(session, member) -> list[tuple[int, str]]:
    """The forums the member may see (not archived), for their email settings."""
    return [
        (forum.id, f"{forum.name} ({forum.organisation.name})")
        for forum in session.scalars(visible_forums_query(member)).unique()
        if not forum.archived
    ]
