"""Member polls and binding member votes (blueprint)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("polls", __name__, url_prefix="/polls")


def init_app(app: Flask) -> None:
    """Register the blueprint; views, API routes and socket events join it later."""
    app.register_blueprint(bp)
