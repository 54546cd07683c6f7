"""Ortsverein: the application factory, built from small register_* steps."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import import_string

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | dict | None = None, **overrides) -> Flask:
    """Build the app. `config` names a class in config.py or is a settings dict."""
    from config import get_config

    settings = config if isinstance(config, dict) else get_config(config)
    settings = {**settings, **overrides}
    app = Flask(
        "ortsverein",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "ortsverein" / "static"),
        instance_path=settings["INSTANCE_PATH"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_extensions(app)
    register_core(app)
    register_features(app)
    register_realtime(app)
    register_errors(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from .db import db
    from .extensions import babel, csrf, limiter
    from .i18n import select_locale

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        default_locale="de",
        default_timezone="Europe/Berlin",
        default_translation_directories=str(ROOT / "ortsverein" / "translations"),
        locale_selector=select_locale,
    )
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)


def register_core(app: Flask) -> None:
    from . import api, auth, members, security, templating
    from .db import set_write_intent
    from .main import bp as main_bp

    security.init_app(app)
    templating.init_app(app)
    auth.init_app(app)
    members.init_app(app)
    api.init_app(app)
    app.register_blueprint(main_bp)

    @app.before_request
    def _mark_writers():
        set_write_intent(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _unmark_writers(_exc=None):
        # The flag must not outlive the request in a reused thread.
        set_write_intent(False)


def register_features(app: Flask) -> None:
    """Load the feature packages named in the configuration; each registers itself."""
    for name in app.config["FEATURES"]:
        import_string(name).init_app(app)


def register_realtime(app: Flask) -> None:
    from . import realtime

    realtime.init_app(app)


def register_errors(app: Flask) -> None:
    from . import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from . import cli

    cli.init_app(app)
