"""Amendment endpoints of the JSON API: a motion's amendments with their overlaps,
and proposing one (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from flask import g, jsonify, request

from models import MotionAmendment
from ortsverein.api import load_json, token_required
from ortsverein.db import db

from . import amendments, services
from .api import bp
from .api_schemas import AmendmentProposeSchema


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def amendment_json(
    row: MotionAmendment, overlaps: tuple[str, ...] = (), stale: str = ""
) -> dict:
    return {
        "id": row.id,
        "motion_id": row.motion_id,
        "label": row.label,
        "version": row.version,
        "first_line": row.first_line,
        "last_line": row.last_line,
        "text": row.text,
        "reasoning": row.reasoning,
        "status": row.status.value,
        "merged_into": row.merged_into,
        "submitter": {"id": row.submitter.id, "name": row.submitter.name}
        if row.submitter
        else None,
        "overlaps": list(overlaps),
        "stale": stale,
        "created_at": _iso(row.created_at),
    }


@bp.route("/motions/<int:motion_id>/amendments", methods=["GET", "POST"])
@token_required
def amendment_list(motion_id: int):
    """A motion's amendments; a new amendment.
    ---
    get:
      summary: The motion's amendments by line, overlapping open ones named
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the amendments, content: {application/json:
              {schema: AmendmentList}}}
    post:
      summary: Propose new text for lines of the motion's current version
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      requestBody: {content: {application/json: {schema: AmendmentPropose}}}
      responses:
        201: {description: proposed, content: {application/json:
              {schema: Amendment}}}
        403: {description: "forbidden: not a member of the book's organisation"}
        409: {description: "amendment_lines_gone (the version has fewer lines),
              transition_not_allowed (the motion is decided or withdrawn) or
              deadline_passed (after the book's deadline, named in its time zone;
              the motion committee may still propose)"}
        422: {description: "validation_error or invalid_line_range"}
    """
    motion = services.get_motion(db.session, g.api_member, motion_id)
    if request.method == "POST":
        data = load_json(AmendmentProposeSchema())
        row = amendments.propose(
            db.session,
            g.api_member,
            motion,
            data["first_line"],
            data["last_line"],
            data["text"],
            data["reasoning"],
        )
        return jsonify(amendment_json(row)), 201
    items = [
        amendment_json(v.amendment, v.overlaps, v.stale)
        for v in amendments.views(db.session, motion)
    ]
    return jsonify({"items": items})


@bp.route(
    "/motions/<int:motion_id>/amendments/<int:amendment_id>/withdraw",
    methods=["POST"],
)
@token_required
def amendment_withdraw(motion_id: int, amendment_id: int):
    """Withdraw one's own amendment.
    ---
    post:
      summary: The submitter takes the amendment back before it is voted on
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
        - {in: path, name: amendment_id, required: true, schema: {type: integer}}
      responses:
        200: {description: "withdrawn: the amendment, status withdrawn",
              content: {application/json: {schema: Amendment}}}
        403: {description: "forbidden: not the amendment's submitter"}
        409: {description: "transition_not_allowed: decided, merged, withdrawn or
              put to a vote already, or the motion is decided"}
    """
    motion = services.get_motion(db.session, g.api_member, motion_id)
    row = amendments.withdraw(db.session, g.api_member, motion, amendment_id)
    return jsonify(amendment_json(row))
