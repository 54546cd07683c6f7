"""Organisations and members: the board's member administration."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import email_views, import_views, views  # noqa: F401  (routes)

    app.register_blueprint(views.bp)
