"""The JSON API under /api/v1: bearer tokens, JSON errors, generated OpenAPI."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, g, jsonify, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from ..db import db
from ..errors_domain import DomainError
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


def load_json(schema: Schema) -> dict:
    """Validate the JSON body; errors answer 422 with the fields named."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    try:
        return schema.load(data)
    except ValidationError as err:
        raise ApiError(
            422,
            "validation_error",
            "the request has invalid fields",
            fields=err.messages,
        ) from None


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
    from . import openapi, views  # noqa: F401  (registers the routes)

    # Bearer tokens are not sent by browsers on their own, so CSRF does not apply.
    register_blueprint(app, bp)


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
