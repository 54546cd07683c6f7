"""Thread pages: reading, writing, quoting, editing, agreeing and reporting."""

from __future__ import annotations

from dataclasses import replace

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from models import Forum, Organisation, Post
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError, ValidationFailed
from ortsverein.i18n import _
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import subtree_clause
from ortsverein.realtime import MAX_ID
from ortsverein.shared_pages import render_shared
from ortsverein.web import back_to, form_errors, load

from . import bp, post_actions, reading, services
from .access import can_moderate, get_forum, get_post, get_thread, moderated_orgs
from .forms import (
    MoveForm,
    OpeningPostForm,
    PostForm,
    ReasonForm,
    RenameForm,
    ThreadForm,
)
from .post_html import posts_html
from .thread_page import open_thread, posts_by_id, quote_text, thread_page

post_url = services.post_url


def _post_id(raw: str) -> int:
    """A post id from a query argument: digits within the id range, else ignored."""
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise ValueError(raw)
    return int(raw)


@bp.route("/<int:forum_id>/threads/new", methods=["GET", "POST"])
@member_required
def create_thread(forum_id: int):
    forum = load(get_forum, forum_id)
    if forum.archived:
        flash(_("Dieses Forum ist archiviert."), "error")
        return redirect(url_for("discussions.forum", forum_id=forum.id))
    form = ThreadForm()
    if form.validate_on_submit():
        back_to(url_for("discussions.forum", forum_id=forum.id))
        try:
            thread = services.create_thread(
                db.session,
                current_user,
                forum.id,
                form.title.data or "",
                form.body.data or "",
            )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        else:
            flash(_("Dein Thema ist eröffnet."), "success")
            return redirect(url_for("discussions.thread", thread_id=thread.id))
    return render_template("discussions/thread_form.html", form=form, forum=forum)


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@member_required
def thread(thread_id: int):
    opened = load(open_thread, thread_id)
    form = None
    if request.method == "POST":
        form = PostForm()
        if form.validate_on_submit():
            try:
                post = services.create_post(
                    db.session, current_user, thread_id, form.body.data or ""
                )
            except DomainError as err:  # the page shows it, the text stays in the box
                db.session.rollback()
                form_errors(form, err)
            else:
                return redirect(post_url(post))
        opened = load(open_thread, thread_id)
    thread = opened.facts
    page, _per_page = parse_page_args(request.args, services.POSTS_PER_PAGE)
    last_page = services.page_of(thread.post_count)
    quote_id = request.args.get("quote", type=_post_id)
    replying = request.args.get("reply") == "1"  # a post's "Antworten" link
    if request.method == "POST" or quote_id or replying:
        page = last_page  # the reply box (with kept or quoted text) is on the last page
    result, agreed = thread_page(db.session, current_user, thread, page)
    if page > 1 and not result.items:
        abort(404)
    if form is None and page >= last_page:
        form = PostForm()  # only the last page has the reply box
    if quote_id and request.method == "GET":
        # A quote link to a post this thread does not show (gone, hidden, another
        # thread's) opens the reply box empty rather than refusing the thread.
        quoted = db.session.get(Post, quote_id)
        # A quote puts the page on the last one, where the reply box always is.
        if (
            form is not None
            and quoted is not None
            and quoted.thread_id == thread.id
            and quoted.visible
        ):
            form.body.data = quote_text(quoted)
    last_read = opened.last_read
    if result.items and result.items[-1].number > last_read:
        reading.mark_read(current_user.id, thread.id, result.items[-1].number)
    moderator, writable = _relation(opened)
    move_form = None
    if moderator:
        move_form = MoveForm()
        move_form.forum.choices = _move_choices()
        move_form.forum.data = thread.forum_id
    posts = posts_html(
        result.items,
        thread_id=thread.id,
        archived=thread.forum_archived,
        moderator=moderator,
        writable=writable,
        me=current_user.id,
        agreed=agreed,
        last_read=last_read,
    )
    return render_shared(
        "discussions/thread.html",
        slots={"posts": posts},
        thread=thread,
        page=replace(result, items=[]),  # the posts are the slot
        last_page=last_page,
        unread_link=0 < last_read < thread.post_count,
        form=form,
        subscribed=opened.subscribed,
        moderator=moderator,
        writable=writable,
        move_form=move_form,
        rename_form=RenameForm(title=thread.title) if moderator else None,
    )


def _relation(opened) -> tuple[bool, bool]:
    """Whether the member moderates the thread, and may write in it."""
    moderator = can_moderate(current_user, opened.organisation)
    facts = opened.facts
    return moderator, not facts.forum_archived and (not facts.locked or moderator)


LIVE_POSTS_LIMIT = 300  # a reconnecting page asks for at most 200 new and 100 shown


@bp.route("/threads/<int:thread_id>/posts")
@member_required
def live_posts(thread_id: int):
    """Some posts of a thread (`?ids=3,4`) as its page shows them to this member,
    from the same macro and cache: static/js/forum.js puts posts that arrive over
    Socket.IO, and posts changed meanwhile, in place with these, so a live post
    looks exactly like one the page was rendered with. Ids of other threads or of
    no post are left out; the articles come without the page around them. Like
    the page, this marks them read."""
    opened = load(open_thread, thread_id)
    try:
        ids = {_post_id(raw) for raw in request.args.get("ids", "").split(",")}
    except ValueError:
        abort(400)
    if len(ids) > LIVE_POSTS_LIMIT:
        abort(400)
    posts, agreed = posts_by_id(db.session, current_user, opened.facts, ids)
    # The page shows them now: read, as if it had been loaded with them (a reload
    # would otherwise mark a post watched arriving as new since the last visit).
    if posts and posts[-1].number > opened.last_read:
        reading.mark_read(current_user.id, thread_id, posts[-1].number)
    moderator, writable = _relation(opened)
    html = posts_html(
        posts,
        thread_id=thread_id,
        archived=opened.facts.forum_archived,
        moderator=moderator,
        writable=writable,
        me=current_user.id,
        agreed=agreed,
        last_read=0,  # no "new since your last visit" marker on a live post
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"  # the hide forms' CSRF token
    return response


def _move_choices():
    forums = db.session.scalars(
        select(Forum)
        .join(Organisation, Forum.organisation_id == Organisation.id)
        .where(subtree_clause(moderated_orgs(current_user)))
        .order_by(Organisation.path, Forum.position, Forum.name)
    ).all()
    return [(f.id, f"{f.organisation.name}: {f.name}") for f in forums]


@bp.route("/threads/<int:thread_id>/unread")
@member_required
def first_unread(thread_id: int):
    """Jump to the first post the member has not seen yet."""
    thread = load(get_thread, thread_id)
    last_read = reading.last_read(db.session, current_user.id, [thread.id])[thread.id]
    number = services.first_unread(thread, last_read)
    page = services.page_of(number)
    post_id = db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.number == number)
    )
    anchor = f"#post-{post_id}" if post_id else ""
    return redirect(
        url_for(
            "discussions.thread", thread_id=thread.id, page=page if page > 1 else None
        )
        + anchor
    )


@bp.route("/posts/<int:post_id>")
@member_required
def post(post_id: int):
    """The stable address of a post: its thread page at its place."""
    return redirect(post_url(load(get_post, post_id)))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@member_required
def edit_post(post_id: int):
    post = load(get_post, post_id)
    if post.author_id != current_user.id:
        abort(404)
    back_to(post_url(post))
    if request.method == "GET":  # hidden, deleted, locked or archived: say so
        post_actions.check_editable(current_user, post)  # before any typing
    form_class = OpeningPostForm if post.number == 1 else PostForm
    form = (
        form_class(body=post.body, title=post.thread.title)
        if request.method == "GET"
        else form_class()
    )
    form.body.label.text = _("Beitrag")
    if form.validate_on_submit():
        title = form.title.data if post.number == 1 and form.title.raw_data else None
        try:
            post_actions.edit_post(
                db.session, current_user, post.id, form.body.data or "", title
            )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        except DomainError as err:  # became uneditable while the member typed
            db.session.rollback()
            flash(err.message, "error")
            return render_template(
                "discussions/post_edit.html", form=form, post=post, blocked=True
            ), 409
        else:
            flash(_("Dein Beitrag ist geändert."), "success")
            return redirect(post_url(post))
    return render_template("discussions/post_edit.html", form=form, post=post)


def _post_action(post_id: int, action, success: str):
    post = load(get_post, post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back_to(post_url(post))
    action(db.session, current_user, post.id)
    if success:
        flash(success, "success")
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>/delete", methods=["POST"])
@member_required
def delete_post(post_id: int):
    return _post_action(
        post_id, post_actions.delete_post, _("Dein Beitrag ist gelöscht.")
    )


@bp.route("/posts/<int:post_id>/agree", methods=["POST"])
@member_required
def agree(post_id: int):
    return _post_action(post_id, post_actions.toggle_agreement, "")


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@member_required
def report(post_id: int):
    post = load(get_post, post_id)
    form = ReasonForm()
    if form.validate_on_submit():
        back_to(post_url(post))  # their own post, or one gone meanwhile
        try:
            post_actions.report_post(
                db.session, current_user, post.id, form.reason.data or ""
            )
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        else:
            flash(_("Danke. Die Moderation sieht sich den Beitrag an."), "success")
            return redirect(post_url(post))
    return render_template("discussions/report.html", form=form, post=post)


@bp.route("/threads/<int:thread_id>/subscription", methods=["POST"])
@member_required
def thread_subscription(thread_id: int):
    thread = load(get_thread, thread_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = request.form.get("subscribe") == "1"
    reading.set_subscription(db.session, current_user.id, on, thread_id=thread.id)
    db.session.commit()
    flash(
        _("Du bekommst Bescheid über neue Antworten.")
        if on
        else _("Du bekommst keine Benachrichtigungen mehr zu diesem Thema."),
        "success",
    )
    return redirect(url_for("discussions.thread", thread_id=thread.id))
