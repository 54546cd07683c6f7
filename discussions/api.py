"""Forum endpoints of the JSON API (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from flask import g, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import Forum, Post, Thread
from ortsverein.api import load_json, make_blueprint, paginated, token_required
from ortsverein.db import db
from ortsverein.pagination import Page, paginate, parse_page_args

from . import search, services
from .access import get_forum, get_thread, visible_forums_query
from .api_schemas import PostCreateSchema, ThreadCreateSchema
from .live import author_name, post_html

bp = make_blueprint("discussions_api", __name__)


def forum_json(forum: Forum) -> dict:
    org = forum.organisation
    return {
        "id": forum.id,
        "name": forum.name,
        "description": forum.description,
        "archived": forum.archived,
        "organisation": {"id": org.id, "name": org.name, "slug": org.slug},
        "thread_count": forum.thread_count,
        "post_count": forum.post_count,
    }


def thread_json(thread: Thread) -> dict:
    return {
        "id": thread.id,
        "forum_id": thread.forum_id,
        "title": thread.title,
        "author": thread.author.name if thread.author else "",
        "pinned": thread.pinned,
        "locked": thread.locked,
        "post_count": thread.post_count,
        "created_at": thread.created_at.isoformat(),
        "last_post_at": thread.last_post_at.isoformat(),
    }


def post_json(post: Post) -> dict:
    state = "deleted" if post.deleted_at else "hidden" if post.hidden_at else "visible"
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "number": post.number,
        "author": author_name(post),
        "html": post_html(post),
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "state": state,
        "agree_count": post.agree_count,
    }


def _mapped(page: Page, fn) -> Page:
    return Page([fn(x) for x in page.items], page.page, page.per_page, page.total)


@bp.route("/forums")
@token_required
def list_forums():
    """Forums the member may see.
    ---
    get:
      summary: Forums the member may see
      tags: [forums]
      parameters:
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: ForumPage}}}
    """
    page, per_page = parse_page_args(request.args, 50)
    result = paginate(db.session, visible_forums_query(g.api_member), page, per_page)
    return jsonify(
        paginated(
            _mapped(result, forum_json),
            lambda n: url_for("discussions_api.list_forums", page=n, per_page=per_page),
        )
    )


@bp.route("/forums/<int:forum_id>/threads", methods=["GET", "POST"])
@token_required
def threads(forum_id: int):
    """Threads of a forum; a new thread.
    ---
    get:
      summary: Threads of a forum, pinned first, then by last post
      tags: [forums]
      parameters:
        - {in: path, name: forum_id, required: true, schema: {type: integer}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: ThreadPage}}}
        404: {description: unknown or not visible}
    post:
      summary: Open a thread with its first post
      tags: [forums]
      parameters:
        - {in: path, name: forum_id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: ThreadCreateSchema
      responses:
        201:
          description: created
          content:
            application/json:
              schema: ThreadSchema
        409: {description: forum_archived}
        422: {description: validation_error}
    """
    if request.method == "POST":
        data = load_json(ThreadCreateSchema())
        thread = services.create_thread(
            db.session, g.api_member, forum_id, data["title"], data["body"]
        )
        return jsonify(thread_json(thread)), 201
    forum = get_forum(db.session, g.api_member, forum_id)
    page, per_page = parse_page_args(request.args, services.THREADS_PER_PAGE)
    result = services.list_threads(db.session, forum, page, per_page)
    return jsonify(
        paginated(
            _mapped(result, thread_json),
            lambda n: url_for(
                "discussions_api.threads", forum_id=forum.id, page=n, per_page=per_page
            ),
        )
    )


@bp.route("/threads/<int:thread_id>/posts", methods=["GET", "POST"])
@token_required
def posts(thread_id: int):
    """Posts of a thread; a reply.
    ---
    get:
      summary: Posts in order; with `after`, only those after that post id
      tags: [forums]
      parameters:
        - {in: path, name: thread_id, required: true, schema: {type: integer}}
        - {in: query, name: after, schema: {type: integer}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: PostPage}}}
        404: {description: unknown or not visible}
    post:
      summary: Reply in a thread
      tags: [forums]
      parameters:
        - {in: path, name: thread_id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: PostCreateSchema
      responses:
        201:
          description: created
          content:
            application/json:
              schema: PostSchema
        409: {description: thread_locked or forum_archived}
        422: {description: validation_error}
    """
    if request.method == "POST":
        data = load_json(PostCreateSchema())
        post = services.create_post(db.session, g.api_member, thread_id, data["body"])
        return jsonify(post_json(post)), 201
    thread = get_thread(db.session, g.api_member, thread_id)
    page, per_page = parse_page_args(request.args, services.POSTS_PER_PAGE)
    after = request.args.get("after", type=int) or 0
    stmt = (
        select(Post)
        .where(Post.thread_id == thread.id, Post.id > max(0, min(after, 2**31 - 1)))
        .options(joinedload(Post.author))
        .order_by(Post.number)
    )
    result = paginate(db.session, stmt, page, per_page)
    return jsonify(
        paginated(
            _mapped(result, post_json),
            lambda n: url_for(
                "discussions_api.posts",
                thread_id=thread.id,
                page=n,
                per_page=per_page,
                after=after or None,
            ),
        )
    )


@bp.route("/search")
@token_required
def search_posts():
    """Full-text search over the posts the member may see.
    ---
    get:
      summary: Posts matching q, best first, with highlighted excerpts
      tags: [forums]
      parameters:
        - {in: query, name: q, required: true, schema: {type: string, maxLength: 200}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: SearchHitPage}}}
    """
    q = request.args.get("q", "")
    page, per_page = parse_page_args(request.args, 20)
    result = search.search(db.session, g.api_member, q, page, per_page)
    hits = _mapped(
        result,
        lambda h: {
            "post_id": h.post_id,
            "thread_id": h.thread_id,
            "thread_title": h.thread_title,
            "forum": h.forum_name,
            "excerpt": str(h.excerpt),
        },
    )
    return jsonify(
        paginated(
            hits,
            lambda n: url_for(
                "discussions_api.search_posts", q=q, page=n, per_page=per_page
            ),
        )
    )
