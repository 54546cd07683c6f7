"""The organisation tree in the JSON API, for admins; the rules are in services.py."""

from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import Schema, fields, validate

from models import Organisation, OrgLevel

from ..api import load_json, make_blueprint, token_required
from ..api.errors import ApiError
from ..db import db, write_intent
from . import merge as tree_merge
from . import services

bp = make_blueprint("orgs_api", __name__)


class OrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    level = fields.String(metadata={"enum": [lv.value for lv in OrgLevel]})
    parent_id = fields.Integer(allow_none=True)


class OrganisationListSchema(Schema):
    items = fields.List(fields.Nested(OrganisationSchema))


class OrganisationCreateSchema(Schema):
    parent_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    slug = fields.String(required=True, validate=validate.Length(1, 100))
    level = fields.String(
        required=True, validate=validate.OneOf([lv.value for lv in OrgLevel])
    )


class OrganisationUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    parent_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "move the branch, with its subtree, below this one"},
    )


class MergeSchema(Schema):
    into = fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "the organisation that takes everything over"},
    )


class MergePreviewSchema(Schema):
    source = fields.Nested(OrganisationSchema)
    target = fields.Nested(OrganisationSchema)
    members = fields.Integer()
    forums = fields.Integer()
    polls = fields.Integer()
    meetings = fields.Integer()
    branches = fields.Integer()
    roles = fields.Integer()


SCHEMAS = [
    OrganisationSchema,
    OrganisationListSchema,
    OrganisationCreateSchema,
    OrganisationUpdateSchema,
    MergeSchema,
    MergePreviewSchema,
]


def org_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "level": org.level.value,
        "parent_id": org.parent_id,
    }


def preview_json(preview: tree_merge.MergePreview) -> dict:
    return {
        "source": org_json(preview.source),
        "target": org_json(preview.target),
        "members": preview.members,
        "forums": preview.forums,
        "polls": preview.polls,
        "meetings": preview.meetings,
        "branches": preview.branches,
        "roles": preview.roles,
    }


@bp.route("/orgs", methods=["GET", "POST"])
@token_required
def orgs():
    """The organisation tree an admin manages.
    ---
    get:
      summary: The organisations you administer, in tree order (empty for others)
      tags: [organisations]
      responses:
        200: {description: the tree, content: {application/json:
              {schema: OrganisationList}}}
    post:
      summary: A new branch below one you administer, at a level below its parent's
      tags: [organisations]
      requestBody: {required: true, content: {application/json:
                    {schema: OrganisationCreate}}}
      responses:
        201: {description: created, content: {application/json:
              {schema: Organisation}}}
        404: {description: "not_found: the parent is unknown or not yours"}
    """
    if request.method == "POST":
        data = load_json(OrganisationCreateSchema())
        with write_intent():
            org = services.create_org(
                db.session,
                g.api_member,
                data["parent_id"],
                name=data["name"],
                slug=data["slug"],
                level=data["level"],
            )
        response = jsonify(org_json(org))
        response.status_code = 201
        return response
    items = services.admin_orgs(db.session, g.api_member)
    return jsonify({"items": [org_json(o) for o in items]})


@bp.route("/orgs/<int:org_id>", methods=["GET", "PATCH", "DELETE"])
@token_required
def org(org_id: int):
    """One organisation.
    ---
    get:
      summary: An organisation you administer
      tags: [organisations]
      parameters: [{in: path, name: org_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: the organisation, content: {application/json:
              {schema: Organisation}}}
    patch:
      summary: Rename it, or move it with its subtree (never below itself)
      tags: [organisations]
      parameters: [{in: path, name: org_id, required: true, schema: {type: integer}}]
      requestBody: {required: true, content: {application/json:
                    {schema: OrganisationUpdate}}}
      responses:
        200: {description: the organisation now, content: {application/json:
              {schema: Organisation}}}
        409: {description: "conflict: a move below its own subtree, or of the root"}
    delete:
      summary: Dissolve an empty branch (no members, forums, polls, meetings or
        sub-branches)
      tags: [organisations]
      parameters: [{in: path, name: org_id, required: true, schema: {type: integer}}]
      responses:
        204: {description: dissolved}
        409: {description: "conflict: not empty (merge it first), or the root"}
    """
    if request.method == "DELETE":
        with write_intent():
            tree_merge.dissolve_org(db.session, g.api_member, org_id)
        return "", 204
    if request.method == "PATCH":
        data = load_json(OrganisationUpdateSchema())
        if not data:
            raise ApiError(422, "validation_error", "give name or parent_id")
        with write_intent():
            if "name" in data:
                services.rename_org(db.session, g.api_member, org_id, data["name"])
            if "parent_id" in data:
                services.move_org(db.session, g.api_member, org_id, data["parent_id"])
    return jsonify(org_json(services.get_admin_org(db.session, g.api_member, org_id)))


@bp.route("/orgs/<int:org_id>/merge-preview")
@token_required
def merge_preview(org_id: int):
    """What a merge would move.
    ---
    get:
      summary: Count what merging this organisation into `into` would move;
        writes nothing
      tags: [organisations]
      parameters:
        - {in: path, name: org_id, required: true, schema: {type: integer}}
        - {in: query, name: into, required: true, schema: {type: integer}}
      responses:
        200: {description: the preview, content: {application/json:
              {schema: MergePreview}}}
        409: {description: "conflict: the target lies in the source's subtree"}
        422: {description: "validation_error: no valid `into`"}
    """
    into = request.args.get("into", type=int)
    if not into or into < 1:
        raise ApiError(422, "validation_error", "give ?into=ORG_ID")
    return jsonify(
        preview_json(tree_merge.merge_preview(db.session, g.api_member, org_id, into))
    )


@bp.route("/orgs/<int:org_id>/merge", methods=["POST"])
@token_required
def merge(org_id: int):
    """Merge into another organisation.
    ---
    post:
      summary: Move members, forums, polls, meetings, offices and sub-branches to
        `into`, then dissolve this organisation; one transaction
      tags: [organisations]
      parameters: [{in: path, name: org_id, required: true, schema: {type: integer}}]
      requestBody: {required: true, content: {application/json: {schema: Merge}}}
      responses:
        200: {description: what moved, content: {application/json:
              {schema: MergePreview}}}
        409: {description: "conflict: the target lies in the source's subtree"}
    """
    data = load_json(MergeSchema())
    with write_intent():
        preview = tree_merge.merge_orgs(db.session, g.api_member, org_id, data["into"])
    return jsonify(preview_json(preview))
