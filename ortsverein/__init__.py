"""Ortsverein: the application factory, built from small register_* steps."""

from __future__ import annotations

from config import async_mode_from_environment

if async_mode_from_environment() == "gevent":  # production's mode (config.py)
    # gevent must patch the standard library before anything takes a lock or opens
    # a socket, that is before Flask, SQLAlchemy, redis or psycopg are imported.
    from gevent import monkey

    monkey.patch_all()

from pathlib import Path  # noqa: E402

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.utils import import_string

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | dict | None = None, **overrides) -> Flask:
    """Build the app. `config` names a class in config.py or is a settings dict."""
    from config import get_config

    from . import template_texts

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
    from . import logs

    logs.init_app(app)  # before anything logs
    template_texts.init_app(app)  # before anything builds app.jinja_env
    # Ids in URLs are 32-bit (PostgreSQL integer): a larger number is simply not found.
    app.url_map.converters["int"] = BoundedInt
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config.get("BALLOT_KEY_DIR"):
        app.config["BALLOT_KEY_DIR"] = str(Path(app.instance_path) / "ballot-keys")
    # The database, mail files, uploads and poll keys: for the app's user only.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    # The key folder too, so that /healthz can vouch for it from the first start.
    Path(app.config["BALLOT_KEY_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        # Flask's documented way to add WSGI middleware; its stubs type a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n
        )
    register_extensions(app)
    from . import metrics

    metrics.init_app(app)  # after logs: its clock is read by the request log line
    register_core(app)
    register_features(app)
    register_realtime(app)
    register_errors(app)
    register_cli(app)
    limit_only_on_views(app)
    return app


# Flask-Limiter's settings for limits on every request (see limit_only_on_views).
APP_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def limit_only_on_views(app: Flask) -> None:
    """Flask-Limiter checks every request in a before_request hook, for limits on
    the whole app, by default or on a blueprint. This app has none: each limit sits
    on the view it protects (@limiter.limit), whose wrapper checks it. The hook cost
    a tenth of a millisecond on every page for nothing, so once every blueprint is
    registered it goes, unless such a limit exists (or cannot be ruled out)."""
    from .extensions import limiter

    manager = limiter.limit_manager
    blueprint_limits = getattr(manager, "_blueprint_limits", None)
    if (
        limiter.enabled
        and not any(app.config.get(k) for k in APP_WIDE_LIMITS)
        and not manager.default_limits
        and not manager.application_limits
        and blueprint_limits == {}
    ):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


class BoundedInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    from .db import db
    from .extensions import babel, csrf, limiter
    from .i18n import init_app as init_i18n
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
    init_i18n(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)


def register_core(app: Flask) -> None:
    from . import (
        api,
        auth,
        calendar_feed,
        mail_views,
        members,
        notification_settings,
        notifications,
        orgs,
        privacy,
        security,
        templating,
    )
    from .db import set_write_intent, takes_write_lock_first
    from .main import bp as main_bp

    security.init_app(app)
    templating.init_app(app)
    auth.init_app(app)
    members.init_app(app)
    orgs.init_app(app)
    notifications.init_app(app)
    app.register_blueprint(mail_views.bp)
    app.register_blueprint(notification_settings.bp)
    app.register_blueprint(calendar_feed.bp)
    api.init_app(app)
    privacy.init_app(app)
    app.register_blueprint(main_bp)

    @app.before_request
    def _refuse_nul_and_mark_writers():
        # NUL is never meaningful in a query or form and PostgreSQL refuses it.
        # (A GET or HEAD has no form to read: its body, if any, is never used.)
        sources = (
            (request.args,)
            if request.method in ("GET", "HEAD")
            else (request.args, request.form)
        )
        values = [v for source in sources for _key, v in source.items(multi=True)]
        if any("\x00" in value for value in values):
            abort(400)
        view = (
            app.view_functions.get(request.endpoint)
            if request.endpoint is not None  # no route matched: no view
            else None
        )
        writer = takes_write_lock_first(request.method, view)
        if writer:
            # The whole body (a JSON one too; forms were just parsed) is read before
            # the first statement takes SQLite's write lock: a client that sends its
            # body slowly must not hold up every writer of the process meanwhile.
            request.get_data(cache=True)
        set_write_intent(writer)

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
    from . import error_pages

    error_pages.init_app(app)


def register_cli(app: Flask) -> None:
    from . import cli

    cli.init_app(app)
