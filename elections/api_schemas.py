"""The JSON shapes of the election API, for validation and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import ElectionMethod, ElectionStatus
from ortsverein.api.schemas import no_nul, page_schema

ID = validate.Range(1, 2**31 - 1)


class CandidacySchema(Schema):
    id = fields.Integer()
    member = fields.Dict(metadata={"description": "{id, name}"})
    nominated_by = fields.Dict(allow_none=True)
    consented = fields.Boolean()
    withdrawn = fields.Boolean()
    standing = fields.Boolean()
    statement_html = fields.String()


class ElectedSeatSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    member = fields.Dict(metadata={"description": "{id, name}"})
    round = fields.Integer()
    by_quota = fields.Boolean()
    acceptance = fields.String(
        allow_none=True, metadata={"enum": ["accepted", "declined", None]}
    )
    acceptance_at = fields.DateTime(allow_none=True)


class ElectionRoundSchema(Schema):
    number = fields.Integer()
    poll_id = fields.Integer()
    seats = fields.Integer()
    candidacies = fields.List(fields.Integer(), metadata={"description": "ballot"})
    counted = fields.Boolean()
    result = fields.Dict(
        allow_none=True,
        metadata={"description": "the count (elections/count.py CountResult)"},
    )


class ElectionSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    office = fields.String()
    body_html = fields.String()
    seats = fields.Integer()
    open_seats = fields.Integer()
    method = fields.String(metadata={"enum": [m.value for m in ElectionMethod]})
    status = fields.String(metadata={"enum": [s.value for s in ElectionStatus]})
    secret = fields.Boolean()
    quota_percent = fields.String()
    min_yes_percent = fields.String()
    statute_reference = fields.String()
    nominations_open_at = fields.DateTime()
    nominations_close_at = fields.DateTime()
    meeting_id = fields.Integer(allow_none=True)
    organisation = fields.Dict()
    candidacies = fields.List(fields.Nested(CandidacySchema))


class ElectionResultSchema(Schema):
    election_id = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in ElectionStatus]})
    open_seats = fields.Integer()
    elected = fields.List(fields.Nested(ElectedSeatSchema))
    rounds = fields.List(fields.Nested(ElectionRoundSchema))


class NominationSchema(Schema):
    member_id = fields.Integer(required=True, validate=ID)
    statement = fields.String(
        load_default="", validate=[validate.Length(max=5000), no_nul]
    )


class ConsentSchema(Schema):
    statement = fields.String(
        load_default="", validate=[validate.Length(max=5000), no_nul]
    )


SCHEMAS = [
    CandidacySchema,
    ElectedSeatSchema,
    ElectionRoundSchema,
    ElectionSchema,
    page_schema(ElectionSchema),
    ElectionResultSchema,
    NominationSchema,
    ConsentSchema,
]
