"""The JSON error shape: {"error": {"code": "snake_case", "message": "...",
"fields": {"name": "message"}}}, with "fields" only for validation errors."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def field_messages(messages: object, prefix: str = "") -> dict[str, str]:
    """Validation messages as one message per field: marshmallow's lists joined,
    its nested dicts flattened to dotted names (items.0.title)."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for name, value in messages.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            flat.update(field_messages(value, key))
        return flat
    if isinstance(messages, (list, tuple)):
        texts = [m for m in messages if isinstance(m, str)]
        flat = {prefix: " ".join(texts)} if texts else {}
        for nested in (m for m in messages if isinstance(m, dict)):
            flat.update(field_messages(nested, prefix))
        return flat
    return {prefix or "?": str(messages)}


def api_error(status: int, code: str, message: str, **extra):
    if "fields" in extra:
        extra["fields"] = field_messages(extra["fields"])
    body = {"error": {"code": code, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ortsverein"'
    return response


HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
