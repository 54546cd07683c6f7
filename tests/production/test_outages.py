"""Writing while PostgreSQL is away, through the production tier (nginx, two app
processes, Redis): a post sent while the database is down answers 503 with a stable
code (the page keeps the text and sends it again once the database is back), and a
post, a thread or an edit whose COMMIT lost its answer is announced to the live
readers once the database answers again, while its author is told to look before
sending it again."""

from __future__ import annotations

import html
import re
import threading
import time
import uuid

import requests
from sqlalchemy import create_engine, text

from tests.realtime.test_forum_live import Listener

from .tier import ProductionTier

PASSWORD = "demo-passwort"
MEMBER = "mitglied07@example.org"
ADDRESS = "10.251.7.9"  # a login address of its own (the limit is per address)
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


THREAD_SQL = (
    "SELECT t.id FROM threads t JOIN forums f ON f.id = t.forum_id "
    "JOIN organisations o ON o.id = f.organisation_id "
    "WHERE o.name = 'OV Nord' AND NOT t.locked ORDER BY t.id LIMIT 1"
)


def _thread_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text(THREAD_SQL)).scalar_one()


def _token(tier: ProductionTier) -> str:
    r = requests.post(
        f"{tier.url}/api/v1/auth/token",
        json={"email": MEMBER, "password": PASSWORD},
        headers={"X-Forwarded-For": ADDRESS},
        verify=tier.ca,
        timeout=30,
    )
    assert r.status_code in (200, 201), r.text
    return r.json()["token"]


def _browser(
    tier: ProductionTier, member: str = MEMBER, address: str = ADDRESS
) -> requests.Session:
    """A logged-in member's browser (cookie, CSRF token, Referer over https), from
    `address` (nginx logs it as the client)."""
    browser = requests.Session()
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify
    browser.verify = tier.ca
    browser.headers["X-Forwarded-For"] = address
    page = browser.get(f"{tier.url}/login", timeout=30)
    token = CSRF_RE.search(page.text)
    assert token, page.text[:500]
    r = browser.post(
        f"{tier.url}/login",
        data={"csrf_token": token.group(1), "email": member, "password": PASSWORD},
        headers={"Referer": f"{tier.url}/login"},
        timeout=30,
    )
    # The page the login leads to, shown: not the login form again.
    assert r.status_code == 200 and not r.url.endswith("/login"), r.text[:500]
    return browser


def _count(engine, body: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM posts WHERE body = :b"), {"b": body}
        ).scalar_one()


def _listener(tier: ProductionTier, token: str, room: str) -> Listener:
    """A reader's open page (a thread's, a forum's index), connected through nginx."""
    http = requests.Session()
    http.trust_env = False
    http.verify = tier.ca
    listener = Listener(
        tier.url, token, http_session=http, headers={"X-Forwarded-For": "10.252.1.9"}
    )
    # A join reads the database; right after the previous test's restart of
    # PostgreSQL, on a loaded 2-core machine, it once took longer than 10 s.
    joined = listener.client.call("join", {"room": room}, timeout=30)
    assert joined["ok"], joined
    return listener


def test_a_post_while_the_database_is_down(tier: ProductionTier):
    engine = create_engine(tier.postgres.url("ortsverein"), pool_pre_ping=True)
    thread_id = _thread_id(engine)
    token = _token(tier)
    browser = _browser(tier)
    thread_url = f"{tier.url}/forums/threads/{thread_id}"
    page = browser.get(thread_url, timeout=30)
    csrf = CSRF_RE.search(page.text).group(1)
    listener = _listener(tier, token, f"thread:{thread_id}")
    marker = uuid.uuid4().hex[:8]
    body = f"Mein Beitrag {marker}\nmit zwei Zeilen & <Zeichen>"
    engine.dispose()
    tier.postgres.pause()
    try:
        api = requests.post(
            f"{tier.url}/api/v1/threads/{thread_id}/posts",
            json={"body": f"API {marker}"},
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": ADDRESS},
            verify=tier.ca,
            timeout=30,
        )
        form = browser.post(
            thread_url,
            data={"csrf_token": csrf, "body": body},
            headers={"Referer": thread_url},
            timeout=30,
        )
    finally:
        tier.postgres.resume()
    assert api.status_code == 503, api.text
    assert api.json()["error"]["code"] == "database_unavailable"
    assert api.headers["Retry-After"] == "5"
    assert form.status_code == 503, form.text[:2000]
    assert form.headers["Retry-After"] == "5"
    assert "Gerade nicht erreichbar" in form.text
    # The text is in the page's form again, to be sent once more.
    kept = re.search(
        r'<form method="post" action="([^"]+)" class="form">(.*?)</form>',
        form.text,
        re.S,
    )
    assert kept, form.text[:3000]
    action, inner = kept.groups()
    assert html.unescape(action) == f"/forums/threads/{thread_id}"
    textarea = re.search(
        r'<textarea id="[^"]+" name="body"[^>]*>(.*?)</textarea>', inner, re.S
    )
    assert textarea and html.unescape(textarea.group(1)) == body
    fresh_csrf = re.search(r'name="csrf_token" value="([^"]+)"', inner).group(1)

    for app in tier.apps:
        tier.wait_healthy(app)
    engine = create_engine(tier.postgres.url("ortsverein"), pool_pre_ping=True)
    try:
        assert _count(engine, body) == 0 and _count(engine, f"API {marker}") == 0
        again = browser.post(
            f"{tier.url}{html.unescape(action)}",
            data={"csrf_token": fresh_csrf, "body": html.unescape(textarea.group(1))},
            headers={"Referer": f"{tier.url}{html.unescape(action)}"},
            allow_redirects=False,
            timeout=30,
        )
        assert again.status_code == 302, again.text[:2000]
        assert _count(engine, body) == 1
        seen = listener.wait_for(
            "post_created",
            timeout=20,
            where=lambda d: marker in d["post"]["html"],
        )
        assert seen["thread_id"] == thread_id
    finally:
        listener.close()
        engine.dispose()


def _api(tier: ProductionTier, token: str, method: str, path: str, **json):
    return requests.request(
        method,
        f"{tier.url}/api/v1{path}",
        json=json,
        headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": ADDRESS},
        verify=tier.ca,
        timeout=60,
    )


def _commit_answer_lost(tier: ProductionTier, body: str, send) -> dict:
    """Runs `send()` (an API request) while PostgreSQL holds the COMMIT of the
    transaction that writes a post with `body` (inserted or edited to it): it has
    written the commit but not answered (it waits for a standby, as synchronous
    replication does) when a fast shutdown ends the session. Returns the answer's
    status and JSON body; PostgreSQL is back when this returns."""
    admin = create_engine(tier.postgres.url("ortsverein"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # Only a transaction that writes this post waits for the standby that never
        # comes (the server's default is synchronous_commit=off).
        conn.execute(
            text(
                "CREATE FUNCTION test_wait_for_standby() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.body = '{body}' THEN "
                "PERFORM set_config('synchronous_commit', 'on', true); END IF; "
                "RETURN NEW; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER test_wait_for_standby AFTER INSERT OR UPDATE ON posts "
                "FOR EACH ROW EXECUTE FUNCTION test_wait_for_standby()"
            )
        )
        conn.execute(text("ALTER SYSTEM SET synchronous_standby_names = 'nobody'"))
        conn.execute(text("SELECT pg_reload_conf()"))
    answer: dict = {}

    def request() -> None:
        r = send()
        answer["status"], answer["body"] = r.status_code, r.json()

    sender = threading.Thread(target=request)
    sender.start()
    try:
        deadline = time.monotonic() + 20
        waiting = 0
        while time.monotonic() < deadline and not waiting:
            time.sleep(0.2)
            with admin.connect() as conn:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event = 'SyncRep'"
                    )
                ).scalar_one()
        assert waiting, "the write's commit never waited for the standby"
    finally:
        with admin.connect() as conn:
            conn.execute(text("ALTER SYSTEM RESET synchronous_standby_names"))
        admin.dispose()
        # Ends the waiting session: its commit is on disk, its answer lost. (It
        # holds its locks until then, so the trigger goes afterwards.)
        tier.restart_postgres()
        sender.join(60)
        admin = create_engine(
            tier.postgres.url("ortsverein"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("DROP TRIGGER test_wait_for_standby ON posts"))
            conn.execute(text("DROP FUNCTION test_wait_for_standby()"))
        admin.dispose()
    assert answer.get("status") == 503, answer
    assert answer["body"]["error"]["code"] == "commit_outcome_unknown", answer
    return answer


def _scalar(tier: ProductionTier, sql: str, **params):
    engine = create_engine(tier.postgres.url("ortsverein"))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()
    finally:
        engine.dispose()


def test_a_post_whose_commit_lost_its_answer_is_announced(tier: ProductionTier):
    """The author gets 503 commit_outcome_unknown, the post is there once, and the
    live readers of its thread get it once the database is back."""
    thread_id = _scalar(tier, THREAD_SQL)
    token = _token(tier)
    listener = _listener(tier, token, f"thread:{thread_id}")
    marker = uuid.uuid4().hex[:8]
    body = f"Gespeichert, Antwort verloren {marker}"
    try:
        _commit_answer_lost(
            tier,
            body,
            lambda: _api(tier, token, "POST", f"/threads/{thread_id}/posts", body=body),
        )
        seen = listener.wait_for(
            "post_created", timeout=30, where=lambda d: marker in d["post"]["html"]
        )
        assert seen["thread_id"] == thread_id
    finally:
        listener.close()
    assert _scalar(tier, "SELECT count(*) FROM posts WHERE body = :b", b=body) == 1
    for app in tier.apps:
        tier.wait_healthy(app)


def test_a_thread_whose_commit_lost_its_answer_is_announced(tier: ProductionTier):
    """A new thread likewise: its author gets 503 commit_outcome_unknown, the
    thread is there once, and the members looking at the forum's index see it
    appear once the database is back."""
    thread_id = _scalar(tier, THREAD_SQL)
    forum_id = _scalar(tier, "SELECT forum_id FROM threads WHERE id = :t", t=thread_id)
    token = _token(tier)
    listener = _listener(tier, token, f"forum:{forum_id}")
    marker = uuid.uuid4().hex[:8]
    title = f"Thema, Antwort verloren {marker}"
    body = f"Eröffnet, Antwort verloren {marker}"
    try:
        _commit_answer_lost(
            tier,
            body,
            lambda: _api(
                tier,
                token,
                "POST",
                f"/forums/{forum_id}/threads",
                title=title,
                body=body,
            ),
        )
        seen = listener.wait_for(
            "thread_created",
            timeout=30,
            where=lambda d: d["thread"]["title"] == title,
        )
    finally:
        listener.close()
    assert seen["forum_id"] == forum_id
    thread_id = _scalar(tier, "SELECT id FROM threads WHERE title = :t", t=title)
    assert seen["thread"]["url"] == f"/forums/threads/{thread_id}"
    for app in tier.apps:
        tier.wait_healthy(app)


def test_an_edit_whose_commit_lost_its_answer_is_announced(tier: ProductionTier):
    """An author's edit likewise reaches the thread's live readers (post_updated)."""
    thread_id = _scalar(tier, THREAD_SQL)
    token = _token(tier)
    marker = uuid.uuid4().hex[:8]
    made = _api(tier, token, "POST", f"/threads/{thread_id}/posts", body=marker)
    assert made.status_code == 201, made.text
    post_id = made.json()["id"]
    listener = _listener(tier, token, f"thread:{thread_id}")
    body = f"Korrigiert, Antwort verloren {marker}"
    try:
        _commit_answer_lost(
            tier,
            body,
            lambda: _api(tier, token, "PATCH", f"/posts/{post_id}", body=body),
        )
        seen = listener.wait_for(
            "post_updated", timeout=30, where=lambda d: d["post"]["id"] == post_id
        )
    finally:
        listener.close()
    assert marker in seen["post"]["html"] and "Korrigiert" in seen["post"]["html"]
    assert seen["post"]["edited"] is True
    assert _scalar(tier, "SELECT body FROM posts WHERE id = :p", p=post_id) == body
    for app in tier.apps:
        tier.wait_healthy(app)
