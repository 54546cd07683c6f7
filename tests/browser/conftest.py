"""Headless Chromium (Debian's package) driven by Playwright; no browser downloads."""

from __future__ import annotations

import shutil
import threading

import pytest
from playwright.sync_api import expect

from tests.conftest import build_app
from tests.servers import free_port, unavailable, wait_for_port

# expect() waits 5 s by default; pages on a loaded CI machine (the suite runs on
# every core beside Chromium, PostgreSQL and the servers) need as long as actions.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Debian's headless shell first (chromium-headless-shell, which .ci/run installs):
# the same Blink and V8 as the browser without a browser's window and interface
# around them: a third less CPU for the browser tier (2026-12-04), and pictures
# equal to the full browser's. Otherwise the full browser in its headless mode.
CHROMIUMS = (
    ("chromium-headless-shell", []),
    ("chromium", ["--headless=new"]),
    ("chromium-browser", ["--headless=new"]),
)


@pytest.fixture(scope="session")
def chromium() -> tuple[str, list[str]]:
    """The Chromium found and the arguments it starts with."""
    for name, args in CHROMIUMS:
        path = shutil.which(name)
        if path:
            return path, [*args, *CHROMIUM_ARGS]
    unavailable(
        "browser tier skipped: chromium not found "
        "(apt-get install chromium-headless-shell)"
    )


@pytest.fixture(scope="session")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("browser tier skipped: playwright is not installed")
    path, args = chromium
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=args)
        yield browser
        browser.close()


@pytest.fixture(params=["sqlite"])
def db_url(sqlite_url):
    """The browser tier runs on SQLite only. What it adds is what a browser sees:
    scripts, layout, focus, live updates. The views and services under these pages
    are tested on both databases with the Flask client and real Socket.IO clients,
    and the production tier drives Chromium against PostgreSQL
    (tests/production/test_outages.py). Run on PostgreSQL as well, these tests
    took 266 s of the suite's CPU time (about two minutes of CI on two cores)."""
    return sqlite_url


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, sqlite_template):
    """The demo data on a real server, for the whole module (the layout crawl,
    the screenshots)."""
    from werkzeug.serving import make_server

    from ortsverein.db import write_intent
    from ortsverein.seed import seed

    tmp = tmp_path_factory.mktemp("layout")
    db = tmp / "demo.db"
    shutil.copy(sqlite_template, db)
    app = build_app(f"sqlite:///{db}", tmp)
    session = app.extensions["ortsverein_db"][1]()
    with app.app_context(), write_intent():
        seed(session, app.config)
    session.close()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)
    app.extensions["ortsverein_db"][0].dispose()
