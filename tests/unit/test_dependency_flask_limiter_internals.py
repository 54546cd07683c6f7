"""What ortsverein.limit_only_on_views takes from Flask-Limiter's private parts.

It removes `limiter._check_request_limit` from the app's before_request hooks when
`limit_manager._blueprint_limits`, `default_limits` and `application_limits` show
no limit that needs it. If an upgrade renames either, or starts checking per-view
limits only in that hook, these tests fail here, by name, instead of the login
limit silently no longer holding (or the hook silently staying).
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _app(**config) -> tuple[Flask, Limiter]:
    app = Flask("limiter_internals")
    app.config.update(RATELIMIT_STORAGE_URI="memory://", **config)
    limiter = Limiter(get_remote_address)
    return app, limiter


def test_init_app_installs_the_hook_as_a_bound_method():
    app, limiter = _app()
    limiter.init_app(app)
    hooks = app.before_request_funcs[None]
    assert limiter._check_request_limit in hooks  # equal bound methods: remove() works
    hooks.remove(limiter._check_request_limit)
    assert limiter._check_request_limit not in hooks


def test_the_manager_shows_where_limits_sit():
    app, limiter = _app()
    manager = limiter.limit_manager
    assert manager._blueprint_limits == {}
    assert not manager.default_limits and not manager.application_limits
    blueprint = Blueprint("limited", __name__)
    limiter.limit("1 per minute")(blueprint)
    assert manager._blueprint_limits != {}
    limiter = Limiter(get_remote_address, default_limits=["5 per minute"])
    limiter.init_app(app)
    assert limiter.limit_manager.default_limits


def test_a_views_own_limit_holds_without_the_hook():
    app, limiter = _app()

    @app.route("/login")
    @limiter.limit("2 per minute")
    def login():
        return "ok"

    limiter.init_app(app)
    assert limiter.enabled
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    client = app.test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
