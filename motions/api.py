"""Motion endpoints of the JSON API: books, motions with their status history,
submitting and supporting (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from models import Motion, MotionBook, MotionDecision
from ortsverein.api import load_json, make_blueprint, paginated, token_required
from ortsverein.db import db
from ortsverein.pagination import parse_page_args

from . import services
from .access import deadline_passed, working_groups
from .api_schemas import MotionSubmitSchema

bp = make_blueprint("motions_api", __name__)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _org(org) -> dict | None:
    return {"id": org.id, "name": org.name, "slug": org.slug} if org else None


def book_json(book: MotionBook) -> dict:
    conference = None
    if book.conference_organisation is not None:
        conference = {
            "title": book.conference_title,
            "organisation": _org(book.conference_organisation),
        }
    return {
        "id": book.id,
        "title": book.title,
        "description": book.description,
        "organisation": _org(book.organisation),
        "occasion": book.occasion.value,
        "meeting_id": book.meeting_id,
        "conference": conference,
        "deadline": _iso(book.deadline),
        "timezone": book.timezone,
        "deadline_passed": deadline_passed(book),
        "members_may_submit": book.members_may_submit,
        "boards_may_submit": book.boards_may_submit,
        "working_groups": working_groups(book),
        "supporters_needed": book.supporters_needed,
        "categories": [{"id": c.id, "name": c.name} for c in book.categories],
        "forum_id": book.forum_id,
        "may_submit": bool(services.capacities(g.api_member, book)),
    }


def _link(motion: Motion | None) -> dict | None:
    """The other end of a forwarding: where the motion stands in that book."""
    if motion is None:
        return None
    return {
        "motion_id": motion.id,
        "number": motion.number,
        "book_id": motion.book_id,
        "book_title": motion.book.title,
        "organisation": _org(motion.book.organisation),
        "status": motion.status.value,
    }


def vote_json(decision: MotionDecision) -> dict:
    amendment = decision.amendment
    return {
        "poll_id": decision.poll_id,
        "meeting_id": decision.meeting_id,
        "amendment": {"id": amendment.id, "label": amendment.label}
        if amendment
        else None,
        "status": "decided" if decision.decided_at else "open",
        "outcome": decision.outcome,
        "yes": decision.yes,
        "no": decision.no,
        "abstain": decision.abstain,
        "majority": decision.majority,
        "rule": decision.rule,
        "started_at": _iso(decision.started_at),
        "decided_at": _iso(decision.decided_at),
    }


def motion_json(
    motion: Motion, supported: bool, votes: list[MotionDecision] | None = None
) -> dict:
    votes = votes or []
    own = [v for v in votes if v.amendment_id is None and v.decided_at is not None]
    return {
        "id": motion.id,
        "book_id": motion.book_id,
        "number": motion.number,
        "title": motion.title,
        "text": motion.text,
        "reasoning": motion.reasoning,
        "category": {"id": motion.category.id, "name": motion.category.name}
        if motion.category
        else None,
        "submitters": [
            {"id": s.member.id, "name": s.member.name} for s in motion.submitters
        ],
        "on_behalf_of": _org(motion.on_behalf_of),
        "working_group": motion.working_group,
        "status": motion.status.value,
        "recommendation": motion.recommendation.value
        if motion.recommendation
        else None,
        "referral_target": motion.referral_target,
        "version": motion.version,
        "supporter_count": motion.supporter_count,
        "supported": supported,
        "thread_id": motion.thread_id,
        "created_at": _iso(motion.created_at),
        "forwarded_from": _link(motion.forwarded_from),
        "forwarded_to": [_link(m) for m in motion.forwards],
        "history": [
            {
                "from_status": h.from_status.value if h.from_status else None,
                "to_status": h.to_status.value,
                "recommendation": h.recommendation.value if h.recommendation else None,
                "referral_target": h.referral_target,
                "actor": {"id": h.actor.id, "name": h.actor.name} if h.actor else None,
                "note": h.note,
                "at": _iso(h.created_at),
            }
            for h in motion.history
        ],
        "decision": vote_json(own[-1]) if own else None,
        "votes": [vote_json(v) for v in votes],
    }


def _one(motion: Motion):
    mine = services.supported_by(db.session, g.api_member, [motion.id])
    services.refresh_decisions(db.session, motion)
    return motion_json(
        motion, motion.id in mine, services.decisions(db.session, motion)
    )


@bp.route("/motion-books")
@token_required
def books():
    """Motion books the member may see.
    ---
    get:
      summary: Motion books the member may see, newest first
      tags: [motions]
      parameters:
        - {in: query, name: org, schema: {type: integer},
           description: only the books of this organisation}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: MotionBookPage}}}
    """
    page, per_page = parse_page_args(request.args, 20)
    org_id = request.args.get("org", type=int)
    result = services.list_books(
        db.session, g.api_member, org_id=org_id, page=page, per_page=per_page
    )
    body = paginated(
        result,
        lambda n: url_for("motions_api.books", page=n, per_page=per_page, org=org_id),
    )
    body["items"] = [book_json(b) for b in result.items]
    return jsonify(body)


@bp.route("/motion-books/<int:book_id>")
@token_required
def book(book_id: int):
    """One motion book.
    ---
    get:
      summary: A motion book with its deadline, rules and categories
      tags: [motions]
      parameters:
        - {in: path, name: book_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the book, content: {application/json:
              {schema: MotionBook}}}
    """
    return jsonify(book_json(services.get_book(db.session, g.api_member, book_id)))


@bp.route("/motion-books/<int:book_id>/motions", methods=["GET", "POST"])
@token_required
def motions(book_id: int):
    """A book's motions; a new motion.
    ---
    get:
      summary: The book's motions by number, with status and history
      tags: [motions]
      parameters:
        - {in: path, name: book_id, required: true, schema: {type: integer}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: MotionPage}}}
    post:
      summary: Submit a motion before the book's deadline
      tags: [motions]
      parameters:
        - {in: path, name: book_id, required: true, schema: {type: integer}}
      requestBody: {content: {application/json: {schema: MotionSubmit}}}
      responses:
        201: {description: submitted, content: {application/json:
              {schema: Motion}}}
        403: {description: "forbidden: you may not submit to this book"}
        409: {description: "deadline_passed: the message names the deadline in
              the book's time zone"}
    """
    book = services.get_book(db.session, g.api_member, book_id)
    if request.method == "POST":
        data = load_json(MotionSubmitSchema())
        motion = services.submit(
            db.session, g.api_member, book, services.MotionInput(**data)
        )
        return jsonify(motion_json(motion, False)), 201
    page, per_page = parse_page_args(request.args, 50)
    result = services.list_motions(db.session, book, page=page, per_page=per_page)
    mine = services.supported_by(db.session, g.api_member, [m.id for m in result.items])
    body = paginated(
        result,
        lambda n: url_for(
            "motions_api.motions", book_id=book.id, page=n, per_page=per_page
        ),
    )
    votes = services.decisions_of(db.session, [m.id for m in result.items])
    body["items"] = [
        motion_json(m, m.id in mine, votes.get(m.id, [])) for m in result.items
    ]
    return jsonify(body)


@bp.route("/motions/<int:motion_id>")
@token_required
def motion(motion_id: int):
    """One motion.
    ---
    get:
      summary: A motion with its text, status and status history
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the motion, content: {application/json:
              {schema: Motion}}}
    """
    return jsonify(_one(services.get_motion(db.session, g.api_member, motion_id)))


@bp.route("/motions/<int:motion_id>/support", methods=["POST", "DELETE"])
@token_required
def support(motion_id: int):
    """Support a motion, or take the support back.
    ---
    post:
      summary: Sign the motion as a supporter (again changes nothing)
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the motion, content: {application/json:
              {schema: Motion}}}
        403: {description: "forbidden: not a member of the book's organisation"}
        409: {description: "deadline_passed, transition_not_allowed (decided or
              withdrawn), or conflict: your own motion"}
    delete:
      summary: Take the signature back, before the deadline
      tags: [motions]
      parameters:
        - {in: path, name: motion_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the motion, content: {application/json:
              {schema: Motion}}}
        403: {description: "forbidden: not a member of the book's organisation"}
        409: {description: "deadline_passed or transition_not_allowed"}
    """
    motion = services.get_motion(db.session, g.api_member, motion_id)
    if request.method == "POST":
        services.support(db.session, g.api_member, motion)
    else:
        services.unsupport(db.session, g.api_member, motion)
    return jsonify(_one(motion))
