"""Marshmallow schemas: they validate input and describe the API in OpenAPI."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("must not contain NUL characters")


def sane_year(value) -> None:
    if not 2000 <= value.year <= 2200:
        raise ValidationError("the year must lie between 2000 and 2200")


class ErrorBodySchema(Schema):
    code = fields.String(
        required=True,
        metadata={
            "example": "not_found",
            "description": "stable snake_case code; the message may change",
        },
    )
    message = fields.String(required=True)
    field_messages = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        metadata={
            "description": "validation errors only: a message for each invalid "
            "field (nested fields as items.0.title)",
            "example": {"title": "Missing data for required field."},
        },
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def page_schema(item: type[Schema]) -> type[Schema]:
    """The shape of every list, {"items": [...], "next": URL or null}, for one kind
    of object; named after it (ForumPage) in the OpenAPI document."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "the next page's URL; null on the last"},
            ),
        },
        name=name,
    )


class TokenRequestSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)
    totp = fields.String(
        load_default=None,
        metadata={
            "description": "Six-digit code; required when two-factor login is on"
        },
    )
    name = fields.String(
        load_default="API",
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "A name that identifies the token on the profile page"
        },
    )


class TokenSchema(Schema):
    token = fields.String(required=True)


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()


class RoleSchema(Schema):
    role = fields.String(metadata={"enum": ["member", "organiser", "board", "admin"]})
    organisation = fields.Nested(OrganisationRefSchema)


class MemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.Email()
    membership_number = fields.String()
    home_branch = fields.Nested(OrganisationRefSchema)
    roles = fields.List(fields.Nested(RoleSchema))
    two_factor = fields.Boolean()


class HealthSchema(Schema):
    status = fields.String(metadata={"enum": ["ok", "error"]})
    database = fields.String()
    redis = fields.String()
