"""The member's own notifications and settings in the JSON API."""

from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import force_locale
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models import Member, Notification

from .. import notification_prefs as prefs
from ..auth import services as auth_services
from ..db import db
from ..notification_prefs import FREQUENCIES
from ..notifications import mark_all_read, mark_one_read, text_for
from ..pagination import Page, paginate, parse_page_args
from ..realtime import MAX_ID
from . import bp, load_json, paginated, token_required
from .schemas import page_schema


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"example": "mention"})
    text = fields.String(metadata={"description": "in the member's language"})
    url = fields.String(metadata={"description": "the page it is about"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class ReadAllSchema(Schema):
    upto = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "the newest notification id the member saw"},
    )


class ReadCountSchema(Schema):
    marked = fields.Integer(metadata={"description": "how many became read"})


class EmailTopicsSchema(Schema):
    mentions = fields.Boolean()
    replies = fields.Boolean()
    new_threads = fields.Boolean()
    polls = fields.Boolean()
    meetings = fields.Boolean()


_FREQUENCY = {
    "enum": list(FREQUENCIES),
    "description": "how often the digest of forum news comes (off: none)",
}
_TOPICS = {
    "description": "per topic: true sends it by email (at once or in the digest), "
    "false keeps it in the app only"
}
_FORUMS = {
    "description": "ids of forums (of those the member may see) that send no email"
}


class SettingsSchema(Schema):
    notify_by_email = fields.Boolean(
        metadata={"description": "new polls, reminders, meetings by email at once"}
    )
    digest_by_email = fields.Boolean(
        metadata={"description": "the digest of forum news by email (any frequency)"}
    )
    digest_frequency = fields.String(metadata=_FREQUENCY)
    email_topics = fields.Nested(EmailTopicsSchema, metadata=_TOPICS)
    forums_without_email = fields.List(fields.Integer(), metadata=_FORUMS)
    language = fields.String(
        allow_none=True,
        metadata={
            "enum": ["de", "en", None],
            "description": "the interface language; null: the browser's",
        },
    )


class SettingsUpdateSchema(Schema):
    notify_by_email = fields.Boolean()
    digest_by_email = fields.Boolean(
        metadata={"description": "true: daily unless a frequency is set; false: off"}
    )
    digest_frequency = fields.String(
        validate=validate.OneOf(FREQUENCIES), metadata=_FREQUENCY
    )
    email_topics = fields.Nested(EmailTopicsSchema, metadata=_TOPICS)
    forums_without_email = fields.List(
        fields.Integer(validate=validate.Range(1, MAX_ID)), metadata=_FORUMS
    )
    language = fields.String(metadata={"enum": ["de", "en"]})


NotificationPageSchema = page_schema(NotificationSchema)
SCHEMAS = [
    EmailTopicsSchema,
    NotificationSchema,
    NotificationPageSchema,
    ReadAllSchema,
    ReadCountSchema,
    SettingsSchema,
    SettingsUpdateSchema,
]


def notification_json(notification: Notification) -> dict:
    read_at = notification.read_at
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": text_for(notification),
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "read_at": read_at.isoformat() if read_at else None,
    }


def _locale(member: Member) -> str:
    return member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def settings_json(member: Member) -> dict:
    muted = prefs.muted_topics(db.session, member.id)
    return {
        "notify_by_email": member.notify_by_email,
        "digest_by_email": member.digest_by_email,
        "digest_frequency": prefs.digest_frequency(member),
        "email_topics": {topic: topic not in muted for topic in prefs.TOPICS},
        "forums_without_email": sorted(prefs.muted_forums(db.session, member.id)),
        "language": member.locale,
    }


@bp.route("/me/notifications")
@token_required
def notifications():
    """The member's notifications.
    ---
    get:
      summary: The member's notifications, newest first
      tags: [members]
      parameters:
        - {in: query, name: page, schema: {type: integer}}
        - {in: query, name: per_page, schema: {type: integer, maximum: 100}}
      responses:
        200: {description: a page, content: {application/json:
              {schema: NotificationPage}}}
    """
    page, per_page = parse_page_args(request.args, 30)
    result = paginate(
        db.session,
        select(Notification)
        .where(Notification.member_id == g.api_member.id)
        .order_by(Notification.id.desc()),
        page,
        per_page,
    )
    with force_locale(_locale(g.api_member)):
        items = [notification_json(n) for n in result.items]
    return jsonify(
        paginated(
            Page(items, result.page, result.per_page, result.total),
            lambda n: url_for("api.notifications", page=n, per_page=per_page),
        )
    )


@bp.route("/me/notifications/<int:notification_id>/read", methods=["POST"])
@token_required
def notification_read(notification_id: int):
    """Mark one notification read.
    ---
    post:
      summary: Mark one of your notifications read
      tags: [members]
      parameters:
        - {in: path, name: notification_id, required: true, schema: {type: integer}}
      responses:
        200: {description: the notification, content: {application/json:
              {schema: Notification}}}
        404: {description: "not_found: unknown, or someone else's"}
    """
    notification = mark_one_read(db.session, g.api_member, notification_id)
    with force_locale(_locale(g.api_member)):
        return jsonify(notification_json(notification))


@bp.route("/me/notifications/read-all", methods=["POST"])
@token_required
def notifications_read_all():
    """Mark all notifications read.
    ---
    post:
      summary: "Mark all your notifications read, or those up to `upto` (the
        newest you were shown: one that arrived since stays unread)"
      tags: [members]
      requestBody: {content: {application/json: {schema: ReadAll}}}
      responses:
        200: {description: how many, content: {application/json:
              {schema: ReadCount}}}
    """
    upto = load_json(ReadAllSchema())["upto"] if request.content_length else None
    return jsonify({"marked": mark_all_read(db.session, g.api_member, upto)})


@bp.route("/me/settings", methods=["GET", "PATCH"])
@token_required
def settings():
    """The member's settings.
    ---
    get:
      summary: "What the profile pages set: notifications by email, the digest
        and its frequency, email per topic and per forum, the interface language"
      tags: [members]
      responses:
        200: {description: the settings, content: {application/json:
              {schema: Settings}}}
    patch:
      summary: Change some of the settings; those left out stay
      tags: [members]
      requestBody: {required: true, content: {application/json:
                    {schema: SettingsUpdate}}}
      responses:
        200: {description: the settings now, content: {application/json:
              {schema: Settings}}}
    """
    if request.method == "PATCH":
        data = load_json(SettingsUpdateSchema())
        digest = data.get("digest_frequency")
        if digest is None and "digest_by_email" in data:
            on = data["digest_by_email"]
            digest = (g.api_member.digest_frequency or "daily") if on else "off"
        forums = data.get("forums_without_email")
        prefs.update(
            db.session,
            g.api_member,
            digest=digest,
            topics=data.get("email_topics"),
            muted_forum_ids=set(forums) if forums is not None else None,
            commit=False,
        )
        auth_services.update_settings(  # commits the lot, or refuses it all
            db.session,
            g.api_member,
            notify_by_email=data.get("notify_by_email"),
            locale=data.get("language"),
        )
    return jsonify(settings_json(g.api_member))
