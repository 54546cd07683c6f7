"""Domain errors of services; views, API and socket handlers translate them."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `code` is the stable snake_case code of the JSON API."""

    code = "error"
    status = 400

    def __init__(self, message: str = "", **context):
        super().__init__(message or self.code)
        self.message = message
        self.context = context


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    # Services raise NotFound for objects the member may not see; Forbidden is for
    # actions on visible objects that the member may not take.
    code = "forbidden"
    status = 403


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409
