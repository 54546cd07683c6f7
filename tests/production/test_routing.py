"""How deploy/'s nginx splits the work: reads (GET, HEAD) go to the page processes,
every write and every Socket.IO request to the live processes, so that a crowd
loading pages cannot hold up a ballot or a live post (docs/performance.md). Checked
in nginx's own access log of the tier (tests/production/tier.py), which names the
upstream that answered each request."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import create_engine, text

from .test_outages import CSRF_RE, PASSWORD, THREAD_SQL, _browser, _listener
from .tier import ProductionTier

MEMBER = "mitglied08@example.org"
ADDRESS = "10.253.8.9"  # this test's client address (nginx logs it as the client)
LINE = re.compile(r'^\S+ (\S+) "(\S+) (\S+) [^"]*" (\d{3}) (.*)$')
UPSTREAM = re.compile(r"127\.0\.0\.1:(\d+)")


def _upstreams(tier: ProductionTier, address: str) -> list[tuple[str, str, int]]:
    """(method, path, port of the app process) of every request from `address`."""
    found = []
    for line in (tier.tmp / "nginx-access.log").read_text().splitlines():
        match = LINE.match(line)
        tried = UPSTREAM.findall(match.group(5)) if match else []
        if match and match.group(1) == address and tried:
            # A retried request lists every upstream tried: the last one answered.
            found.append((match.group(2), match.group(3), int(tried[-1])))
    return found


def test_reads_go_to_page_processes_writes_and_sockets_to_live_ones(
    tier: ProductionTier,
):
    pages = {a.port for a in tier.pages}
    live = {a.port for a in tier.live}
    engine = create_engine(tier.postgres.url("ortsverein"))
    with engine.connect() as conn:
        thread = conn.execute(text(THREAD_SQL)).scalar_one()
    engine.dispose()

    # The login is a write on a live process; the page after it a read on a page
    # process, which knows the session the live process made (_browser checks that
    # page is shown, not the login form again).
    browser = _browser(tier, MEMBER, ADDRESS)
    page = browser.get(f"{tier.url}/forums/threads/{thread}", timeout=30)
    assert page.status_code == 200
    form = CSRF_RE.search(page.text)
    assert form
    words = f"Antwort über die Schreibprozesse {secrets.token_hex(4)}"
    reply = browser.post(
        f"{tier.url}/forums/threads/{thread}",
        data={"csrf_token": form.group(1), "body": words},
        headers={"Referer": page.url},
        timeout=30,
    )
    # The reply (a write) redirects to the thread (a read) that shows it.
    assert reply.status_code == 200 and words in reply.text, reply.text[:500]
    assert browser.head(f"{tier.url}/forums/threads/{thread}", timeout=30).ok

    api_token = browser.post(
        f"{tier.url}/api/v1/auth/token",
        json={"email": MEMBER, "password": PASSWORD},
        timeout=30,
    )
    assert api_token.status_code in (200, 201), api_token.text
    listener = _listener(tier, api_token.json()["token"], f"thread:{thread}")
    listener.client.disconnect()

    seen = _upstreams(tier, ADDRESS)
    reads = [(m, p, port) for m, p, port in seen if m in ("GET", "HEAD")]
    writes = [(m, p, port) for m, p, port in seen if m not in ("GET", "HEAD")]
    assert {m for m, _p, _port in reads} == {"GET", "HEAD"}, seen
    assert {p.split("?")[0] for _m, p, _port in writes} >= {
        "/login",
        f"/forums/threads/{thread}",
        "/api/v1/auth/token",
    }, seen
    assert all(port in pages for _m, _p, port in reads), (seen, pages, live)
    assert all(port in live for _m, _p, port in writes), (seen, pages, live)
    # The listener's socket (from an address of its own) went to a live process.
    sockets = _upstreams(tier, "10.252.1.9")
    assert any(p.startswith("/socket.io/") for _m, p, _port in sockets), sockets
    assert all(
        port in live for _m, p, port in sockets if p.startswith("/socket.io/")
    ), (sockets, live)
