"""What a member does to an existing post over the JSON API (edit, delete, agree,
report) and which threads and forums they follow; on the services of the pages."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from models import PostReport
from ortsverein.api import load_json, token_required
from ortsverein.db import db

from . import post_actions, reading
from .access import get_forum, get_thread
from .api import bp, post_json
from .api_schemas import PostEditSchema, ReportCreateSchema


@bp.route("/posts/<int:post_id>", methods=["PATCH", "DELETE"])
@token_required
def post(post_id: int):
    """Edit or delete your post.
    ---
    patch:
      summary: "Edit your post (its author); the earlier version is kept for the
        moderators. With `title`, the opening post also renames its thread"
      tags: [forums]
      parameters: [{in: path, name: post_id, required: true,
                    schema: {type: integer}}]
      requestBody: {required: true, content: {application/json:
                    {schema: PostEdit}}}
      responses:
        200: {description: the post, content: {application/json: {schema: Post}}}
        403: {description: "forbidden: not your post"}
        409: {description: "post_gone, thread_locked or forum_archived"}
    delete:
      summary: Delete your post; its place in the thread stays, marked deleted
      tags: [forums]
      parameters: [{in: path, name: post_id, required: true,
                    schema: {type: integer}}]
      responses:
        204: {description: deleted}
        403: {description: "forbidden: not your post"}
        409: {description: "post_gone, thread_locked or forum_archived"}
    """
    if request.method == "DELETE":
        post_actions.delete_post(db.session, g.api_member, post_id)
        return "", 204
    data = load_json(PostEditSchema())
    edited = post_actions.edit_post(
        db.session, g.api_member, post_id, data["body"], data.get("title")
    )
    return jsonify(post_json(edited))


@bp.route("/posts/<int:post_id>/agree", methods=["POST", "DELETE"])
@token_required
def agreement(post_id: int):
    """Agree with a post, or take it back.
    ---
    post:
      summary: Agree with a post (once; again changes nothing)
      tags: [forums]
      parameters: [{in: path, name: post_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: agreed, content: {application/json:
              {schema: Agreement}}}
        403: {description: "forbidden: your own post"}
        409: {description: "post_gone or forum_archived"}
    delete:
      summary: Take your agreement back
      tags: [forums]
      parameters: [{in: path, name: post_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: not agreed, content: {application/json:
              {schema: Agreement}}}
        403: {description: "forbidden: your own post"}
        409: {description: "post_gone or forum_archived"}
    """
    agree = request.method == "POST"
    post = post_actions.set_agreement(db.session, g.api_member, post_id, agree)
    return jsonify(
        {"post_id": post.id, "agreed": agree, "agree_count": post.agree_count}
    )


@bp.route("/posts/<int:post_id>/reports", methods=["POST"])
@token_required
def report(post_id: int):
    """Report a post to the moderators.
    ---
    post:
      summary: "Report a post into its forum's moderation queue; while your report
        is open, a second one answers the first"
      tags: [forums]
      parameters: [{in: path, name: post_id, required: true,
                    schema: {type: integer}}]
      requestBody: {required: true, content: {application/json:
                    {schema: ReportCreate}}}
      responses:
        201: {description: the report, content: {application/json:
              {schema: Report}}}
        403: {description: "forbidden: your own post"}
        409: {description: post_gone}
    """
    reason = load_json(ReportCreateSchema())["reason"]
    created: PostReport = post_actions.report_post(
        db.session, g.api_member, post_id, reason
    )
    body = {
        "id": created.id,
        "post_id": created.post_id,
        "reason": created.reason,
        "created_at": created.created_at.isoformat(),
    }
    return jsonify(body), 201


def _subscription(on: bool, **target: int) -> Response:
    reading.set_subscription(db.session, g.api_member.id, on, **target)
    db.session.commit()
    return jsonify({"subscribed": on})


@bp.route("/threads/<int:thread_id>/subscription", methods=["PUT", "DELETE"])
@token_required
def thread_subscription(thread_id: int):
    """Follow a thread, or stop following it.
    ---
    put:
      summary: Be notified of new replies in the thread
      tags: [forums]
      parameters: [{in: path, name: thread_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: following, content: {application/json:
              {schema: Subscription}}}
    delete:
      summary: Stop the notifications of the thread
      tags: [forums]
      parameters: [{in: path, name: thread_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: not following, content: {application/json:
              {schema: Subscription}}}
    """
    thread = get_thread(db.session, g.api_member, thread_id)
    return _subscription(request.method == "PUT", thread_id=thread.id)


@bp.route("/forums/<int:forum_id>/subscription", methods=["PUT", "DELETE"])
@token_required
def forum_subscription(forum_id: int):
    """Follow a forum, or stop following it.
    ---
    put:
      summary: Be notified of new threads in the forum
      tags: [forums]
      parameters: [{in: path, name: forum_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: following, content: {application/json:
              {schema: Subscription}}}
    delete:
      summary: Stop the notifications of the forum
      tags: [forums]
      parameters: [{in: path, name: forum_id, required: true,
                    schema: {type: integer}}]
      responses:
        200: {description: not following, content: {application/json:
              {schema: Subscription}}}
    """
    forum = get_forum(db.session, g.api_member, forum_id)
    return _subscription(request.method == "PUT", forum_id=forum.id)
