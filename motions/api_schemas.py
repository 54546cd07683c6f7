"""Request and response schemas of the motions API (documented in the OpenAPI
document, validated with marshmallow)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import AmendmentStatus, MotionStatus, Occasion, Recommendation
from ortsverein.api.schemas import no_nul, page_schema

ID = validate.Range(1, 2**31 - 1)
STATUSES = [s.value for s in MotionStatus]
RECOMMENDATIONS = [r.value for r in Recommendation]


def _doc_dict(description: str, **kw) -> fields.Dict:
    return fields.Dict(metadata={"description": description}, **kw)


class MotionBookSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    organisation = _doc_dict("{id, name, slug}")
    occasion = fields.String(metadata={"enum": [o.value for o in Occasion]})
    meeting_id = fields.Integer(allow_none=True)
    conference = _doc_dict(
        "{title, organisation: {id, name, slug}} or null", allow_none=True
    )
    deadline = fields.DateTime(allow_none=True, metadata={"description": "UTC"})
    timezone = fields.String(metadata={"description": "the deadline's time zone"})
    deadline_passed = fields.Boolean()
    members_may_submit = fields.Boolean()
    boards_may_submit = fields.Boolean()
    working_groups = fields.List(fields.String())
    supporters_needed = fields.Integer()
    categories = fields.List(_doc_dict("{id, name}"))
    forum_id = fields.Integer(allow_none=True)
    may_submit = fields.Boolean(metadata={"description": "for the asking member"})


class StatusChangeSchema(Schema):
    from_status = fields.String(allow_none=True, metadata={"enum": STATUSES})
    to_status = fields.String(metadata={"enum": STATUSES})
    recommendation = fields.String(allow_none=True, metadata={"enum": RECOMMENDATIONS})
    referral_target = fields.String()
    actor = _doc_dict("{id, name} or null", allow_none=True)
    note = fields.String()
    at = fields.DateTime()


class MotionSchema(Schema):
    id = fields.Integer()
    book_id = fields.Integer()
    number = fields.String(metadata={"example": "A1"})
    title = fields.String()
    text = fields.String(metadata={"description": "Markdown, the current version"})
    reasoning = fields.String()
    category = _doc_dict("{id, name} or null", allow_none=True)
    submitters = fields.List(_doc_dict("{id, name}"))
    on_behalf_of = _doc_dict(
        "{id, name, slug} of a branch whose board submits", allow_none=True
    )
    working_group = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    recommendation = fields.String(allow_none=True, metadata={"enum": RECOMMENDATIONS})
    referral_target = fields.String()
    version = fields.Integer()
    supporter_count = fields.Integer()
    supported = fields.Boolean(metadata={"description": "by the asking member"})
    thread_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    history = fields.List(fields.Nested(StatusChangeSchema))
    forwarded_from = _doc_dict(
        "the lower level's adopted motion this one was forwarded from: {motion_id, "
        "number, book_id, book_title, organisation: {id, name, slug}, status}",
        allow_none=True,
    )
    forwarded_to = fields.List(
        _doc_dict("the same for each higher book it went to, with the status there")
    )
    decision = fields.Nested(
        "MotionVoteSchema",
        allow_none=True,
        metadata={"description": "the vote that decided the motion itself, or null"},
    )
    votes = fields.List(
        fields.Nested("MotionVoteSchema"),
        metadata={"description": "every vote on the motion and its amendments"},
    )


class MotionVoteSchema(Schema):
    """A vote on a motion or one of its amendments, and once its poll is sealed
    the decision with its vote record and the rule cited."""

    poll_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(
        allow_none=True, metadata={"description": "a live vote"}
    )
    amendment = _doc_dict(
        "{id, label} of the amendment voted on, or null", allow_none=True
    )
    status = fields.String(metadata={"enum": ["open", "decided"]})
    outcome = fields.String(allow_none=True, metadata={"enum": ["adopted", "rejected"]})
    yes = fields.Integer(allow_none=True)
    no = fields.Integer(allow_none=True)
    abstain = fields.Integer(allow_none=True)
    majority = fields.String(metadata={"example": "simple"})
    rule = fields.String(
        metadata={"description": "the majority in words, rule, statute"}
    )
    started_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class MotionSubmitSchema(Schema):
    title = fields.String(
        required=True, validate=[validate.Length(min=1, max=200), no_nul]
    )
    text = fields.String(
        required=True, validate=[validate.Length(min=1, max=100_000), no_nul]
    )
    reasoning = fields.String(
        load_default="", validate=[validate.Length(max=100_000), no_nul]
    )
    category_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    on_behalf_of = fields.String(
        load_default="self",
        validate=[validate.Length(min=1, max=200), no_nul],
        metadata={
            "description": '"self", the id of a subordinate branch whose board '
            "you sit on, or a working group of the book's list"
        },
    )
    co_submitters = fields.List(
        fields.String(validate=[validate.Length(max=254), no_nul]),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "e-mail addresses of members who submit with you"},
    )


class MotionForwardSchema(Schema):
    book_id = fields.Integer(
        required=True,
        validate=ID,
        metadata={"description": "an open motion book of a higher organisation"},
    )


class AmendmentSchema(Schema):
    id = fields.Integer()
    motion_id = fields.Integer()
    label = fields.String(metadata={"example": "Ä1"})
    version = fields.Integer(metadata={"description": "the version it was made for"})
    first_line = fields.Integer()
    last_line = fields.Integer()
    text = fields.String(metadata={"description": "the replacement for the lines"})
    reasoning = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in AmendmentStatus]})
    merged_into = fields.Integer(allow_none=True)
    submitter = _doc_dict("{id, name} or null", allow_none=True)
    overlaps = fields.List(
        fields.String(),
        metadata={"description": "labels of open amendments on the same lines"},
    )
    stale = fields.String(
        metadata={"description": "why it no longer fits the current version, or empty"}
    )
    created_at = fields.DateTime()


class AmendmentListSchema(Schema):
    items = fields.List(fields.Nested(AmendmentSchema))


class AmendmentProposeSchema(Schema):
    first_line = fields.Integer(required=True, validate=ID)
    last_line = fields.Integer(required=True, validate=ID)
    text = fields.String(required=True, validate=[validate.Length(max=20_000), no_nul])
    reasoning = fields.String(
        load_default="", validate=[validate.Length(max=100_000), no_nul]
    )


SCHEMAS = [
    MotionBookSchema,
    page_schema(MotionBookSchema),
    StatusChangeSchema,
    MotionVoteSchema,
    MotionSchema,
    page_schema(MotionSchema),
    MotionSubmitSchema,
    MotionForwardSchema,
    AmendmentSchema,
    AmendmentListSchema,
    AmendmentProposeSchema,
]
