"""Live votes of a meeting in the JSON API: start, close, paper ballots (casting is
`POST /polls/{id}/ballots`)."""

from __future__ import annotations

from decimal import Decimal

from flask import g

from models import utcnow
from ortsverein.api import load_json, token_required
from ortsverein.db import db
from polls import services as polls

from . import votes
from .api_common import api_doc, bp, load_meeting, vote_json
from .api_schemas import CENT, PaperVotesSchema, VoteCreateSchema


@bp.route("/meetings/<int:meeting_id>/votes", methods=["POST"])
@token_required
@api_doc("""Start a live vote.
    ---
    post:
      summary: "Open a vote on the current item now (chair); the electorate is
        exactly the members present. Ballots go to POST /polls/{id}/ballots."
      tags: [meetings]
      parameters: [$ID]
      requestBody: {content: {application/json: {schema: VoteCreate}}}
      responses:
        201: $VOTE
        404: $NF
        409: {description: "not running, or another vote runs"}
        422: {description: "validation_error, or nobody is present"}
    """)
def start_vote(meeting_id: int):
    data = load_json(VoteCreateSchema())
    data["quorum_percent"] = Decimal(str(data["quorum_percent"])).quantize(CENT)
    meeting = load_meeting(meeting_id)
    now = utcnow()  # the service opens the vote now, whatever is passed
    poll = votes.start_vote(
        db.session,
        g.api_member,
        meeting,
        polls.PollInput(
            org_id=meeting.organisation_id, opens_at=now, closes_at=now, **data
        ),
    )
    return vote_json(poll), 201


@bp.route("/meetings/<int:meeting_id>/votes/<int:poll_id>/close", methods=["POST"])
@token_required
@api_doc("""Close a live vote.
    ---
    post:
      summary: Close the vote now (chair); the summary carries the result
      tags: [meetings]
      parameters: [$ID, $POLL]
      responses: {200: $VOTE, 404: $NF, 409: {description: poll_not_open}}
    """)
def close_vote(meeting_id: int, poll_id: int):
    meeting = load_meeting(meeting_id)
    return vote_json(votes.close_vote(db.session, g.api_member, meeting, poll_id))


@bp.route("/meetings/<int:meeting_id>/votes/<int:poll_id>/paper", methods=["POST"])
@token_required
@api_doc("""Enter the paper ballots of the room.
    ---
    post:
      summary: "Enter the paper ballots once (chair): for yes/no/abstain and single
        choice the counts per option and blank, for multiple choice and ranked
        each ballot (ballots); the members checked off must be in the room and
        the electorate and must not have voted online; counts and blank, or the
        ballots, are as many as they"
      tags: [meetings]
      parameters: [$ID, $POLL]
      requestBody: {content: {application/json: {schema: PaperVotes}}}
      responses:
        200: $VOTE
        404: $NF
        409: {description: "voted online already, entered already, or closed
          (poll_not_open)"}
        422: {description: "validation_error (counts, members or kind),
          invalid_paper_ballot (fields name ballots.<index>) or
          paper_ballot_count"}
    """)
def paper_votes(meeting_id: int, poll_id: int):
    data = load_json(PaperVotesSchema())
    meeting = load_meeting(meeting_id)
    if data["ballots"] is not None:
        votes.paper_ballots(
            db.session,
            g.api_member,
            meeting,
            poll_id,
            data["member_ids"],
            data["ballots"],
        )
    else:
        votes.paper_votes(
            db.session,
            g.api_member,
            meeting,
            poll_id,
            data["member_ids"],
            data["counts"],
            data["blank"],
        )
    return vote_json(votes.meeting_vote(db.session, meeting, poll_id))
