"""Forwarding through the JSON API: the board sends an adopted motion to a motion
book of a higher level, through the same service as the motion page's form
(documented in /api/v1/openapi.json)."""

from __future__ import annotations

from flask import g, jsonify

from ortsverein.api import load_json, token_required
from ortsverein.db import db

from . import services
from .api import bp, motion_json
from .api_schemas import MotionForwardSchema
from .errors import NotHigherBook


@bp.route("/motions/<int:motion_id>/forward", methods=["POST"])
@token_required
def forward(motion_id: int):
    """Forward an adopted motion to a higher level's motion book.
    ---
    post:
      summary: Forward an adopted motion to an open book of a higher organisation
      description: The motion becomes a new motion of that book (numbered there,
        in the branch's name, its adopted text as version 1); the answer is that
        new motion, whose `forwarded_from` names the branch's motion.
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      requestBody: {required: true, content: {application/json:
                    {schema: MotionForward}}}
      responses:
        201: {description: "forwarded: the new motion in the higher book",
              content: {application/json: {schema: Motion}}}
        403: {description: "not_board: only the board or the organisers of the
              motion's organisation forward it"}
        404: {description: "not_found: no such motion or book visible to you"}
        409: {description: "not_adopted (the motion is not adopted),
              already_forwarded (it went to this book before) or deadline_passed
              (the message names the higher book's deadline in its time zone)"}
        422: {description: "book_not_higher (the book is not one of a higher
              organisation) or validation_error"}
    """
    motion = services.get_motion(db.session, g.api_member, motion_id)
    data = load_json(MotionForwardSchema())
    book = services.get_book(db.session, g.api_member, data["book_id"])
    try:
        copy = services.forward(db.session, g.api_member, motion, book)
    except NotHigherBook as err:  # the field is named as this request names it
        fields = err.context.get("fields", {})
        raise NotHigherBook(err.message, fields={"book_id": fields["book"]}) from None
    return jsonify(motion_json(copy, False)), 201
