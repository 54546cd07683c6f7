"""The JSON shapes of the poll API, for validation and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ortsverein.api.schemas import no_nul, page_schema, sane_year

from .rules import KINDS, MAJORITIES


class OptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()


class PollSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    status = fields.String(metadata={"enum": ["draft", "scheduled", "open", "closed"]})
    secret = fields.Boolean()
    options = fields.List(fields.Nested(OptionSchema))
    voted = fields.Boolean()
    eligible = fields.Boolean()
    electorate_size = fields.Integer(allow_none=True)
    electorate_hash = fields.String(allow_none=True)
    ballots_cast = fields.Integer(allow_none=True)
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    organisation = fields.Dict()
    quorum_percent = fields.String()
    majority = fields.String(metadata={"enum": list(MAJORITIES)})
    rule_name = fields.String()
    statute_reference = fields.String()


ID = validate.Range(1, 2**31 - 1)


class PollCreateSchema(Schema):
    org_id = fields.Integer(required=True, validate=ID)
    title = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), no_nul]
    )
    body = fields.String(
        load_default="", validate=[validate.Length(max=50_000), no_nul]
    )
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    options = fields.List(
        fields.String(validate=[validate.Length(max=300), no_nul]),
        load_default=list,
        validate=validate.Length(max=100),
    )
    secret = fields.Boolean(load_default=True)
    opens_at = fields.AwareDateTime(required=True, validate=sane_year)
    closes_at = fields.AwareDateTime(required=True, validate=sane_year)
    quorum_percent = fields.Float(load_default=0.0, validate=validate.Range(0, 100))
    majority = fields.String(load_default="simple", validate=validate.OneOf(MAJORITIES))
    min_choices = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    max_choices = fields.Integer(load_default=1, validate=validate.Range(1, 100))
    preset_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    repeat = fields.String(load_default="none")
    schedule = fields.Boolean(
        load_default=True,
        metadata={"description": "Schedule at once (default) or keep as a draft"},
    )


class BallotSchema(Schema):
    choices = fields.List(
        fields.Raw(),
        required=True,
        metadata={"description": "Option ids; for ranked polls in order of preference"},
    )


class ReceiptSchema(Schema):
    receipt = fields.String()


class BallotBoxSchema(Schema):
    ballots = fields.List(fields.List(fields.Integer()))
    receipts = fields.List(fields.String())
    digest = fields.String()
    receipts_digest = fields.String()


SCHEMAS = [
    OptionSchema,
    PollSchema,
    page_schema(PollSchema),
    PollCreateSchema,
    BallotSchema,
    ReceiptSchema,
    BallotBoxSchema,
]
