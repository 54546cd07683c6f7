"""Topic forums: threads, posts, moderation and live discussion (blueprint)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("discussions", __name__, url_prefix="/forums")


def init_app(app: Flask) -> None:
    """Register the blueprint; views, API routes and socket events join it later."""
    app.register_blueprint(bp)
