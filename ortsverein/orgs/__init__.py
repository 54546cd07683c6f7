"""The organisation tree: import from CSV and the admins' management of it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..api import register_blueprint
    from . import api, views

    app.register_blueprint(views.bp)
    register_blueprint(app, api.bp, api.SCHEMAS)
