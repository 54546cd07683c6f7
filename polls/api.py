"""Poll endpoints of the JSON API (documented in /api/v1/openapi.json)."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, g, jsonify, request, stream_with_context, url_for

from models import Member, Poll, utcnow
from ortsverein.api import (
    ApiError,
    load_json,
    make_blueprint,
    paginated,
    token_required,
)
from ortsverein.db import db, reads_first, write_intent
from ortsverein.i18n import _
from ortsverein.pagination import parse_page_args

from . import ballot_box as published
from . import casting, open_polls, services, visibility
from .api_schemas import BallotSchema, PollCreateSchema
from .errors import InvalidChoices, PollNotClosed
from .lifecycle import ensure_current
from .records import sealed_result
from .rules import EACH, each_ballot
from .state import CLOSED, status

bp = make_blueprint("polls_api", __name__)


def poll_json(poll: Poll, member: Member, voted: bool | None = None) -> dict:
    state = status(poll)
    if voted is None:
        voted = casting.has_voted(db.session, poll, member)
    opened = poll.opened_at is not None
    return {
        "id": poll.id,
        "title": poll.title,
        "body_html": poll.body_html,
        "kind": poll.kind.value,
        "status": state,
        "secret": poll.secret,
        "escrow_threshold": poll.escrow_threshold,
        "options": [{"id": o.id, "label": o.label} for o in poll.options],
        "voted": voted,
        "eligible": opened and casting.is_eligible(db.session, poll, member),
        "electorate_size": poll.electorate_size,
        "electorate_hash": poll.electorate_hash,
        "ballots_cast": casting.turnout(db.session, poll) if opened else None,
        "opens_at": poll.opens_at.isoformat(),
        "closes_at": poll.closes_at.isoformat(),
        "organisation": {
            "id": poll.organisation.id,
            "name": poll.organisation.name,
            "slug": poll.organisation.slug,
        },
        "quorum_percent": str(poll.quorum_percent),
        "majority": poll.majority.value,
        "rule_name": poll.rule_name,
        "statute_reference": poll.statute_reference,
    }


def _poll(poll_id: int) -> Poll:
    poll = visibility.get_poll(db.session, g.api_member, poll_id)
    ensure_current(db.session, poll)
    return poll


@bp.route("/polls")
@token_required
def list_polls():
    """Polls the member may see.
    ---
    get:
      summary: Polls the member may see, with status and whether they voted
      tags: [polls]
      parameters:
        - {in: query, name: state, schema: {type: string,
           enum: [open, closed, upcoming]}}
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: PollPage}}}
    """
    page, per_page = parse_page_args(request.args, 20)
    state = request.args.get("state", "")
    result = visibility.list_polls(
        db.session, g.api_member, state=state, page=page, per_page=per_page
    )
    voted = visibility.voted_ids(db.session, g.api_member, result.items)
    result = result.__class__(
        [poll_json(p, g.api_member, p.id in voted) for p in result.items],
        result.page,
        result.per_page,
        result.total,
    )
    return jsonify(
        paginated(
            result,
            lambda n: url_for(
                "polls_api.list_polls", page=n, per_page=per_page, state=state or None
            ),
        )
    )


@bp.route("/polls/<int:poll_id>")
@token_required
def get_poll(poll_id: int):
    """One poll.
    ---
    get:
      summary: A poll with its options, status, electorate and whether you voted
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: The poll, content: {application/json: {schema: Poll}}}
        404: {description: Unknown or not visible, content: {application/json:
              {schema: Error}}}
    """
    return jsonify(poll_json(_poll(poll_id), g.api_member))


@bp.route("/polls", methods=["POST"])
@token_required
def create_poll():
    """Create a poll (organisers).
    ---
    post:
      summary: Create a poll for an organisation's subtree; scheduled unless
        schedule is false
      tags: [polls]
      requestBody: {required: true, content: {application/json:
                    {schema: PollCreate}}}
      responses:
        201: {description: The new poll, content: {application/json: {schema: Poll}}}
        404: {description: Unknown organisation or not its organiser}
        422: {description: Invalid fields, content: {application/json:
              {schema: Error}}}
    """
    data = load_json(PollCreateSchema())
    do_schedule = data.pop("schedule")
    data["quorum_percent"] = Decimal(str(data["quorum_percent"])).quantize(
        Decimal("0.01")
    )
    if do_schedule and data["closes_at"] <= utcnow():
        # Checked before anything is stored, so a refused request leaves no draft.
        raise ApiError(
            422,
            "validation_error",
            "closes_at lies in the past",
            fields={"closes_at": ["lies in the past"]},
        )
    with write_intent():
        poll = services.create_poll(
            db.session, g.api_member, services.PollInput(**data)
        )
        if do_schedule:
            services.schedule(db.session, g.api_member, poll)
    response = jsonify(poll_json(poll, g.api_member, False))
    response.status_code = 201
    return response


@bp.route("/polls/<int:poll_id>/ballots", methods=["POST"])
@token_required
@reads_first
def cast_ballot(poll_id: int):
    """Cast your ballot.
    ---
    post:
      summary: Cast the member's one ballot; the receipt is shown only now
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      requestBody: {required: true, content: {application/json: {schema: Ballot}}}
      responses:
        201: {description: Counted, content: {application/json: {schema: Receipt}}}
        409: {description: "already_voted, poll_not_open, or ballot_key_missing
              (the poll's key is gone: a ballot now could never be counted)",
              content: {application/json: {schema: Error}}}
        403: {description: not_eligible, content: {application/json: {schema: Error}}}
        422: {description: "invalid_ballot: the message names the rule",
              content: {application/json: {schema: Error}}}
    """
    data = load_json(BallotSchema())
    poll = open_polls.for_ballot(db.session, g.api_member, poll_id)
    choices = data["choices"]
    if data["votes"] is not None:
        if poll.definition.kind != EACH:
            raise InvalidChoices(
                _(
                    "Ja, Nein oder Enthaltung je Option (votes) gibt es nur bei "
                    "Abstimmungen dieser Art; nenne die gewählten Optionen (choices)."
                )
            )
        choices = each_ballot({int(k): v for k, v in data["votes"].items()})
    code = casting.cast_into(db.session, poll, g.api_member, choices)
    response = jsonify({"receipt": code})
    response.status_code = 201
    return response


@bp.route("/polls/<int:poll_id>/results")
@token_required
def results(poll_id: int):
    """Results after closing.
    ---
    get:
      summary: Counts, turnout, quorum, outcome and ranking; 409 before closing
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: The result, content: {application/json:
              {schema: PollResult}}}
        409: {description: "poll_not_closed, or poll_not_counted (its time is up
              but it is not sealed: counting, or its key is missing)",
              content: {application/json: {schema: Error}}}
    """
    poll = _poll(poll_id)
    if status(poll) != CLOSED:
        raise PollNotClosed("results are published when the poll has closed")
    body = sealed_result(poll)
    body.update(
        poll_id=poll.id,
        rule_name=poll.rule_name,
        statute_reference=poll.statute_reference,
        majority=poll.majority.value,
        quorum_percent=str(poll.quorum_percent),
        digest=poll.ballot_digest,
        receipts_digest=poll.receipts_digest,
    )
    return jsonify(body)


@bp.route("/polls/<int:poll_id>/ballot-box")
@token_required
def ballot_box(poll_id: int):
    """The published ballot box.
    ---
    get:
      summary: Sorted ballots and, apart from them, sorted receipt hashes
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: The box, content: {application/json: {schema: BallotBox}}}
        409: {description: "poll_not_closed, or poll_not_counted", content:
              {application/json: {schema: Error}}}
    """
    pieces = published.ballot_box_json(db.session, _poll(poll_id))
    return Response(stream_with_context(pieces), mimetype="application/json")
