"""Election endpoints of the JSON API (documented in /api/v1/openapi.json)."""

from __future__ import annotations

import json

from flask import g, jsonify

from models import Candidacy, Election, Member
from ortsverein.api import load_json, make_blueprint, token_required
from ortsverein.db import db

from . import services
from .api_schemas import ConsentSchema, NominationSchema

bp = make_blueprint("elections_api", __name__)


def _person(member: Member | None) -> dict | None:
    return None if member is None else {"id": member.id, "name": member.name}


def candidacy_json(c: Candidacy) -> dict:
    return {
        "id": c.id,
        "member": _person(c.member),
        "nominated_by": _person(c.nominated_by),
        "consented": c.consent_at is not None,
        "withdrawn": c.withdrawn_at is not None,
        "standing": c.standing,
        "statement_html": c.statement_html,
    }


def election_json(e: Election) -> dict:
    return {
        "id": e.id,
        "title": e.title,
        "office": e.office,
        "body_html": e.body_html,
        "seats": e.seats,
        "open_seats": services.remaining_seats(e),
        "method": e.method.value,
        "status": e.status.value,
        "secret": e.secret,
        "quota_percent": str(e.quota_percent),
        "min_yes_percent": str(e.min_yes_percent),
        "statute_reference": e.statute_reference,
        "nominations_open_at": e.nominations_open_at.isoformat(),
        "nominations_close_at": e.nominations_close_at.isoformat(),
        "meeting_id": e.meeting_id,
        "organisation": {"id": e.organisation.id, "name": e.organisation.name},
        "candidacies": [candidacy_json(c) for c in e.candidacies],
    }


def result_json(e: Election) -> dict:
    return {
        "election_id": e.id,
        "status": e.status.value,
        "open_seats": services.remaining_seats(e),
        "elected": [
            {
                "id": s.id,
                "position": s.position,
                "member": _person(s.member),
                "round": s.round.number,
                "by_quota": s.by_quota,
                "acceptance": s.acceptance.value if s.acceptance else None,
                "acceptance_at": s.acceptance_at.isoformat()
                if s.acceptance_at
                else None,
            }
            for s in e.elected
        ],
        "rounds": [
            {
                "number": r.number,
                "poll_id": r.poll_id,
                "seats": r.seats,
                "candidacies": [rc.candidacy_id for rc in r.candidates],
                "counted": r.counted_at is not None,
                "result": json.loads(r.result_json) if r.result_json else None,
            }
            for r in e.rounds
        ],
    }


def _election(election_id: int) -> Election:
    election = services.get_election(db.session, g.api_member, election_id)
    services.refresh(db.session, election)
    return election


@bp.route("/elections")
@token_required
def list_elections():
    """Elections the member may see.
    ---
    get:
      summary: Elections of the organisations the member can see, newest first
      tags: [elections]
      responses:
        200: {description: a page, content: {application/json:
              {schema: ElectionPage}}}
    """
    items = services.visible_elections(db.session, g.api_member)
    return jsonify({"items": [election_json(e) for e in items], "next": None})


@bp.route("/elections/<int:election_id>")
@token_required
def get_election(election_id: int):
    """One election with its candidacies.
    ---
    get:
      summary: An election, its seats, method, nomination period and candidacies
      tags: [elections]
      parameters:
        - {in: path, name: election_id, required: true, schema: {type: integer}}
      responses:
        200: {description: The election, content: {application/json:
              {schema: Election}}}
    """
    return jsonify(election_json(_election(election_id)))


@bp.route("/elections/<int:election_id>/results")
@token_required
def election_results(election_id: int):
    """The rounds counted so far and the elected.
    ---
    get:
      summary: Rounds with their counts, the elected in order with acceptance
      tags: [elections]
      parameters:
        - {in: path, name: election_id, required: true, schema: {type: integer}}
      responses:
        200: {description: The result, content: {application/json:
              {schema: ElectionResult}}}
    """
    return jsonify(result_json(_election(election_id)))


@bp.route("/elections/<int:election_id>/candidacies", methods=["POST"])
@token_required
def nominate(election_id: int):
    """Nominate a member (yourself: counts at once; another: awaits consent).
    ---
    post:
      summary: Nominate a member of the organisation's subtree
      tags: [elections]
      parameters:
        - {in: path, name: election_id, required: true, schema: {type: integer}}
      requestBody: {required: true, content: {application/json:
                    {schema: Nomination}}}
      responses:
        201: {description: The candidacy, content: {application/json:
              {schema: Candidacy}}}
        409: {description: "conflict: nominations closed, or already nominated"}
    """
    data = load_json(NominationSchema())
    election = _election(election_id)
    candidacy = services.nominate(
        db.session, g.api_member, election, data["member_id"], data["statement"]
    )
    return jsonify(candidacy_json(candidacy)), 201


@bp.route("/candidacies/<int:candidacy_id>/consent", methods=["POST"])
@token_required
def consent(candidacy_id: int):
    """The nominee consents to stand.
    ---
    post:
      summary: Consent to your nomination (only the nominee)
      tags: [elections]
      parameters:
        - {in: path, name: candidacy_id, required: true, schema: {type: integer}}
      requestBody: {required: true, content: {application/json:
                    {schema: Consent}}}
      responses:
        200: {description: The candidacy, content: {application/json:
              {schema: Candidacy}}}
        409: {description: "conflict: nominations closed, or withdrawn"}
    """
    data = load_json(ConsentSchema())
    candidacy = services.get_candidacy(db.session, g.api_member, candidacy_id)
    services.consent(db.session, g.api_member, candidacy, data["statement"])
    return jsonify(candidacy_json(candidacy))
