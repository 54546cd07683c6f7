"""Request and response schemas of the meetings API (documented in the OpenAPI
document, validated with marshmallow)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ortsverein.api.schemas import no_nul, page_schema, sane_year

ID = validate.Range(1, 2**31 - 1)
CENT = Decimal("0.01")
STATUSES = ["scheduled", "running", "ended", "cancelled"]


def _text(max_length: int, required: bool = False) -> fields.String:
    rules: list[Callable[[Any], Any]] = [
        validate.Length(min=int(required), max=max_length),
        no_nul,
    ]
    if required:
        return fields.String(required=True, validate=rules)
    return fields.String(load_default="", validate=rules)


def _doc_dict(description: str, **kw) -> fields.Dict:
    return fields.Dict(metadata={"description": description}, **kw)


class AgendaItemSchema(Schema):
    id = fields.Integer()
    position = fields.Integer(metadata={"description": "1 for the first item"})
    title = fields.String()
    html = fields.String(metadata={"description": "sanitised HTML, rendered at save"})
    thread_id = fields.Integer(allow_none=True)
    opened = fields.Boolean(metadata={"description": "the chair has called it"})


class MeetingSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    organisation = _doc_dict("{id, name, slug}")
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    status = fields.String(metadata={"enum": STATUSES})
    quorum = fields.Integer(metadata={"description": "members present needed"})
    speaking_seconds = fields.Integer()
    alternating = fields.Boolean()
    items = fields.List(fields.Nested(AgendaItemSchema))
    chairs = fields.List(fields.Integer(), metadata={"description": "member ids"})


class VoteSummarySchema(Schema):
    poll_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    secret = fields.Boolean()
    status = fields.String(metadata={"enum": ["open", "closed"]})
    agenda_item_id = fields.Integer(allow_none=True)
    options = fields.List(_doc_dict("{id, label, count (once closed)}"))
    electorate = fields.Integer(metadata={"description": "the members present"})
    ballots = fields.Integer()
    paper_ballots = fields.Integer()
    url = fields.String()
    eligible = fields.Boolean()
    voted = fields.Boolean()
    result = _doc_dict(
        "once closed: {ballots, valid, blank, quorum_met, outcome, outcome_words, "
        "winners, ranking, majority_words, rule_name, statute_reference, "
        "ballot_digest}"
    )


class MeetingStateSchema(Schema):
    meeting_id = fields.Integer()
    title = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    speaking_seconds = fields.Integer()
    alternating = fields.Boolean()
    item = fields.Nested(AgendaItemSchema, allow_none=True)
    items = fields.List(fields.Nested(AgendaItemSchema))
    speakers = _doc_dict(
        "{item_id, speaking_seconds, current: null or {request_id, member: {id, "
        "name}, called_at, ends_at}, queue: [{request_id, member, requested_at, "
        "first_time}], spoken: [names]}"
    )
    vote = fields.Nested(VoteSummarySchema, allow_none=True)
    attendance = _doc_dict("{present, quorum, quorum_met}")
    me = _doc_dict("{id, chair, can_attend, present, on_list}")
    posts = fields.List(_doc_dict("recent posts of the current item's thread"))


class ItemAddSchema(Schema):
    title = _text(200, required=True)
    body = _text(50_000)


class ItemCreateSchema(ItemAddSchema):
    thread_id = fields.Integer(load_default=None, allow_none=True, validate=ID)


class MeetingCreateSchema(Schema):
    org_id = fields.Integer(required=True, validate=ID)
    title = _text(200, required=True)
    body = _text(50_000)
    starts_at = fields.AwareDateTime(required=True, validate=sane_year)
    ends_at = fields.AwareDateTime(required=True, validate=sane_year)
    quorum = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))
    speaking_seconds = fields.Integer(
        load_default=180, validate=validate.Range(0, 100_000)
    )
    alternating = fields.Boolean(load_default=False)
    chairs = fields.List(
        fields.String(validate=[validate.Length(max=254), no_nul]),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={"description": "e-mail addresses"},
    )
    forum_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "opens a thread here for every item without one"},
    )
    items = fields.List(fields.Nested(ItemCreateSchema), required=True)


CurrentItemSchema = Schema.from_dict(
    {"item_id": fields.Integer(required=True, validate=ID)}, name="CurrentItemSchema"
)
RoomAttendanceSchema = Schema.from_dict(
    {"member_id": fields.Integer(required=True, validate=ID)},
    name="RoomAttendanceSchema",
)
KINDS = [
    "yes_no_abstain",
    "single_choice",
    "multiple_choice",
    "ranked",
    "yes_no_abstain_each",
]


class VoteCreateSchema(Schema):
    title = _text(200, required=True)
    body = _text(50_000)
    kind = fields.String(required=True, metadata={"enum": KINDS})
    options = fields.List(
        fields.String(validate=[validate.Length(max=300), no_nul]),
        load_default=list,
        validate=validate.Length(max=100),
    )
    secret = fields.Boolean(load_default=True)
    majority = fields.String(load_default="simple")
    quorum_percent = fields.Float(load_default=0.0, validate=validate.Range(0, 100))
    min_choices = fields.Integer(load_default=0, validate=validate.Range(0, 100))
    max_choices = fields.Integer(load_default=1, validate=validate.Range(1, 100))


class PaperVotesSchema(Schema):
    member_ids = fields.List(fields.Integer(validate=ID), required=True)
    counts = fields.Dict(
        keys=fields.Integer(validate=ID),
        values=fields.Integer(validate=validate.Range(0, 100_000)),
        load_default=None,
        metadata={
            "description": "{option_id: ballots}; yes/no/abstain and single choice"
        },
    )
    blank = fields.Integer(load_default=0, validate=validate.Range(0, 100_000))
    ballots = fields.List(
        fields.List(fields.Integer(validate=ID), validate=validate.Length(max=100)),
        load_default=None,
        validate=validate.Length(max=100_000),
        metadata={
            "description": "multiple choice and ranked: one list per paper ballot, "
            "the option ids ticked or in order of preference, [] for a blank or "
            "invalid ballot; as many as member_ids. A broken ballot answers 422 "
            "invalid_paper_ballot with fields {'ballots.<index>': message}, a "
            "different number of ballots 422 paper_ballot_count"
        },
    )

    @validates_schema
    def counts_or_ballots(self, data: dict, **_kw) -> None:
        if (data.get("counts") is None) == (data.get("ballots") is None):
            raise ValidationError(
                "send counts (yes/no/abstain, single choice) or ballots "
                "(multiple choice, ranked), not both",
                "counts",
            )


SCHEMAS = [
    AgendaItemSchema,
    MeetingSchema,
    page_schema(MeetingSchema),
    VoteSummarySchema,
    MeetingStateSchema,
    ItemAddSchema,
    ItemCreateSchema,
    MeetingCreateSchema,
    CurrentItemSchema,
    RoomAttendanceSchema,
    VoteCreateSchema,
    PaperVotesSchema,
]
