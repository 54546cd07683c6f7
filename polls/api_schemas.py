"""The JSON shapes of the poll API, for validation and the OpenAPI document."""

from __future__ import annotations

from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ortsverein.api.schemas import no_nul, page_schema, sane_year

from .rules import KINDS, MAJORITIES, VOTES


class OptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()


class PollSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    status = fields.String(
        metadata={"enum": ["draft", "scheduled", "open", "closed", "cancelled"]}
    )
    secret = fields.Boolean()
    escrow_threshold = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Shares of the board that restore the key (null: no escrow)"
        },
    )
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
    escrow_threshold = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(2, 100),
        metadata={
            "description": "Key escrow for a secret poll: how many of the board's "
            "shares restore its private key if the key folder is lost (null: none)"
        },
    )
    schedule = fields.Boolean(
        load_default=True,
        metadata={"description": "Schedule at once (default) or keep as a draft"},
    )


class BallotSchema(Schema):
    choices = fields.List(
        fields.Raw(),
        load_default=None,
        metadata={
            "description": "Option ids; for ranked polls in order of preference. "
            "For yes_no_abstain_each polls either `votes`, or the canonical form: "
            "the option ids answered yes, negated for no, left out for abstain"
        },
    )
    votes = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,9}$")),
        values=fields.String(validate=validate.OneOf(VOTES)),
        load_default=None,
        metadata={
            "description": "yes_no_abstain_each polls: {option id: yes, no or "
            "abstain}; an option left out is an abstention"
        },
    )

    @validates_schema
    def one_of_them(self, data, **kwargs):
        if (data.get("choices") is None) == (data.get("votes") is None):
            raise ValidationError("give either choices or votes", "choices")


class ReceiptSchema(Schema):
    receipt = fields.String()


def _by_option(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), metadata={"description": description})


class PollResultSchema(Schema):
    """The stored tally of a closed poll and the rule it was counted by."""

    class Meta:
        unknown = INCLUDE  # a record stored by an older version may carry more

    poll_id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    ballots = fields.Integer()
    valid = fields.Integer()
    blank = fields.Integer()
    electorate = fields.Integer()
    turnout_percent = fields.Float()
    quorum_met = fields.Boolean()
    counts = _by_option("{option id: ballots}")
    outcome = fields.String(
        metadata={
            "enum": [
                "accepted",
                "rejected",
                "decided",
                "no_majority",
                "no_quorum",
                "counted",
                "empty",
            ]
        }
    )
    winners = fields.List(fields.Integer())
    ranking = fields.List(
        fields.List(fields.Integer()), metadata={"description": "tiers, best first"}
    )
    order = fields.List(fields.Integer())
    lot_used = fields.Boolean()
    pairwise = _by_option("ranked polls: {option id: {option id: voters}}")
    answers = _by_option(
        'yes_no_abstain_each polls: {option id: {"yes": n, "no": n, "abstain": n}}'
    )
    strongest_paths = _by_option("ranked polls: {option id: {option id: strength}}")
    rule_name = fields.String()
    statute_reference = fields.String()
    majority = fields.String(metadata={"enum": list(MAJORITIES)})
    quorum_percent = fields.String()
    digest = fields.String(allow_none=True)
    receipts_digest = fields.String(allow_none=True)


class BallotBoxSchema(Schema):
    ballots = fields.List(
        fields.List(fields.Integer()),
        metadata={
            "description": "Each ballot's canonical choices, sorted (for "
            "yes_no_abstain_each: option ids answered yes, negated for no)"
        },
    )
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
    PollResultSchema,
    BallotBoxSchema,
]
