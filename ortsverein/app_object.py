"""The application behind `current_app`, for work that outlives the request."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app


def app_object() -> Flask:
    """The Flask object itself, not the proxy: a thread or greenlet started from a
    request or event holds on to it after the context is gone."""
    # LocalProxy has the method at runtime; Flask types current_app as Flask itself.
    return cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
