"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""

from __future__ import annotations

import re
from functools import wraps

from flask import Blueprint, Flask, g, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from ..db import db
from ..errors import DomainError
from .errors import HTTP_CODES, ApiError, api_error


def make_blueprint(name: str, import_name: str) -> Blueprint:
    """An API blueprint under /api/v1 with the JSON error handlers; features make
    their own (a blueprint takes no routes once registered) and register it."""
    blueprint = Blueprint(name, import_name, url_prefix="/api/v1")
    blueprint.register_error_handler(ApiError, _api_error)
    blueprint.register_error_handler(DomainError, _domain_error)
    return blueprint


def register_blueprint(app: Flask, blueprint: Blueprint, schemas=()) -> None:
    """Register a feature's API blueprint: CSRF-exempt (bearer tokens only), and its
    schemas named in the OpenAPI document."""
    from ..extensions import csrf

    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
    app.extensions.setdefault("ortsverein_api_schemas", []).extend(schemas)


def token_required(view):
    """Bearer-token authentication; the member is g.api_member."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from ..auth.tokens import member_for_token

        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthenticated", "send Authorization: Bearer TOKEN")
        member = member_for_token(db.session, token.strip())
        if member is None:
            raise ApiError(401, "invalid_token", "the token is unknown or revoked")
        g.api_member = member
        return view(*args, **kwargs)

    return wrapper


# NUL (PostgreSQL refuses it) and lone surrogates ("\ud800" is valid JSON but no
# text: nothing can encode it, not the database, the sanitiser or argon2).
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")


def load_json(schema: Schema) -> dict:
    """Validate the JSON body; errors answer 422 with the fields named."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    unusable = _unusable_fields(data)
    if unusable:
        raise ApiError(
            422,
            "validation_error",
            "the request has invalid fields",
            fields={
                name: ["contains a character that is not text"] for name in unusable
            },
        )
    try:
        return schema.load(data)
    except ValidationError as err:
        raise ApiError(
            422,
            "validation_error",
            "the request has invalid fields",
            fields=err.messages,
        ) from None


def _unusable_fields(data: dict) -> list[str]:
    """The top-level fields whose value holds, at any depth, a string with NUL or a
    lone surrogate (walked without recursion: the parser allowed deep nesting)."""
    found = []
    for name, value in data.items():
        stack = [name, value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if _UNUSABLE.search(item):
                    found.append(str(name) if not _UNUSABLE.search(str(name)) else "?")
                    break
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return found


def paginated(page, url_for_page) -> dict:
    return {
        "items": page.items,
        "next": url_for_page(page.page + 1) if page.has_next else None,
    }


def _api_error(err: ApiError):
    return api_error(err.status, err.code, err.message, **err.extra)


def _domain_error(err: DomainError):
    db.session.rollback()
    extra = {"fields": err.context["fields"]} if "fields" in err.context else {}
    return api_error(err.status, err.code, err.message or err.code, **extra)


bp = make_blueprint("api", __name__)


def http_error_as_json(err: HTTPException):
    code = HTTP_CODES.get(err.code or 500, "error")
    return api_error(err.code or 500, code, err.description or code)


def init_app(app: Flask) -> None:
    from . import me, openapi, views  # noqa: F401  (registers the routes)

    # Bearer tokens are not sent by browsers on their own, so CSRF does not apply.
    register_blueprint(app, bp, me.SCHEMAS)


__all__ = [
    "ApiError",
    "bp",
    "jsonify",
    "load_json",
    "make_blueprint",
    "paginated",
    "register_blueprint",
    "token_required",
]
