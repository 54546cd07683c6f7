"""The JSON shapes of the forum API, for validation and the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ortsverein.api.schemas import page_schema

from .services import MAX_BODY


class ForumSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    archived = fields.Boolean()
    organisation = fields.Dict()
    thread_count = fields.Integer()
    post_count = fields.Integer()


class ThreadSchema(Schema):
    id = fields.Integer()
    forum_id = fields.Integer()
    title = fields.String()
    author = fields.String()
    pinned = fields.Boolean()
    locked = fields.Boolean()
    post_count = fields.Integer()
    created_at = fields.DateTime()
    last_post_at = fields.DateTime()


class PostSchema(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    number = fields.Integer()
    author = fields.String()
    html = fields.String(metadata={"description": "sanitised HTML, rendered at save"})
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"enum": ["visible", "deleted", "hidden"]})
    agree_count = fields.Integer()


class SearchHitSchema(Schema):
    post_id = fields.Integer()
    thread_id = fields.Integer()
    thread_title = fields.String()
    forum = fields.String()
    excerpt = fields.String(metadata={"description": "HTML; matches in <mark>"})


TEXT = [validate.Length(min=1, max=MAX_BODY)]


class ThreadCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=TEXT)


class PostCreateSchema(Schema):
    body = fields.String(required=True, validate=TEXT)


class PostEditSchema(Schema):
    body = fields.String(required=True, validate=TEXT)
    title = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the thread's new title; opening posts only"},
    )


class AgreementSchema(Schema):
    post_id = fields.Integer()
    agreed = fields.Boolean(metadata={"description": "whether you agree now"})
    agree_count = fields.Integer()


class ReportCreateSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReportSchema(Schema):
    id = fields.Integer()
    post_id = fields.Integer()
    reason = fields.String()
    created_at = fields.DateTime()


class SubscriptionSchema(Schema):
    subscribed = fields.Boolean()


SCHEMAS = [
    ForumSchema,
    ThreadSchema,
    PostSchema,
    SearchHitSchema,
    *(page_schema(s) for s in (ForumSchema, ThreadSchema, PostSchema, SearchHitSchema)),
    ThreadCreateSchema,
    PostCreateSchema,
    PostEditSchema,
    AgreementSchema,
    ReportCreateSchema,
    ReportSchema,
    SubscriptionSchema,
]
