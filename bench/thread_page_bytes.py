"""The bytes of a full thread page (20 posts), and where they go; prints numbers.

Seeds a migrated SQLite database in a temporary folder with the test world and one
thread of 20 posts by three members (some with two paragraphs, some edited, one
agreed with), then fetches the page through the Flask test client as a member
(who wrote some of the posts) and as the organiser (who moderates the forum), in
German and English, and prints each page's size, gzipped size and the share of the
posts' articles, their icons, their forms' CSRF inputs and their hidden labels.
Sizes do not depend on the machine, so no baseline run is needed; compare the
printed numbers before and after a change of the thread page.
Usage: python bench/thread_page_bytes.py [--posts N]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ortsverein import create_app  # noqa: E402
from ortsverein.migrate import upgrade  # noqa: E402
from tests.conftest import CSRF_RE, Auth  # noqa: E402
from tests.factories import (  # noqa: E402
    make_forum,
    make_post,
    make_thread,
    make_world,
)

BODIES = (
    "Ich finde, wir sollten das **Lastenrad** anschaffen.",
    "Gute Idee. Wer kümmert sich um die Versicherung?\n\nUnd wo steht es nachts?",
    "> Wer kümmert sich?\n\nIch kann das übernehmen.",
)
PARTS = {
    "articles": re.compile(r"<article\b.*?</article>", re.S),
    "icons (<svg>…</svg>)": re.compile(r"<svg\b.*?</svg>", re.S),
    "CSRF inputs": CSRF_RE,
    "hidden labels": re.compile(r'<span class="visually-hidden">.*?</span>', re.S),
    "<form> tags": re.compile(r"<form\b[^>]*>"),
    "<time> tags": re.compile(r"<time\b.*?</time>", re.S),
}


def seed(app, session, posts: int):
    from models import Post
    from ortsverein.db import db  # noqa: F401  (the app's session factory)

    with app.app_context():
        world = make_world(session)
        forum = make_forum(session, world.nord, world.organiser, "Nord-Forum")
        thread = make_thread(
            session, forum, world.organiser, "Lastenrad", "Brauchen wir eins?"
        )
        authors = (world.member, world.board, world.organiser)
        for i in range(posts - 1):
            make_post(session, thread, authors[i % 3], BODIES[i % 3])
        # a few edited posts, as in a real thread ("bearbeitet …")
        for post in session.query(Post).filter(Post.thread_id == thread.id)[::5]:
            post.edited_at = post.created_at
        session.commit()
    return world, thread


def measure(client, member, url: str, locale: str) -> tuple[str, str]:
    auth = Auth(client)
    auth.login(member)
    client.set_cookie("lang", locale)  # ignored where the member's own setting wins
    page = client.get(url).get_data(as_text=True)
    auth.logout()
    return page, locale


def report(name: str, page: str) -> None:
    raw = page.encode()
    print(
        f"{name:<28} {len(raw):>8,} B {len(raw) / 1024:6.1f} KiB   "
        f"gzip {len(gzip.compress(raw, 6)):>7,} B"
    )
    for part, pattern in PARTS.items():
        found = pattern.findall(page)
        size = sum(len(m.encode()) if isinstance(m, str) else 0 for m in found)
        if part == "CSRF inputs":
            size = sum(len(m.group(0)) for m in pattern.finditer(page))
        print(f"    {part:<24} {len(found):>4} × → {size:>8,} B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app("testing", DATABASE_URL=url, INSTANCE_PATH=f"{tmp}/instance")
        session = app.extensions["ortsverein_db"][1]()
        session.info["app"] = app
        world, thread = seed(app, session, args.posts)
        path = f"/forums/threads/{thread.id}"
        print(f"thread page, {args.posts} posts ({path})")
        for who, member in (("member", world.member), ("organiser", world.organiser)):
            for locale in ("de", "en"):
                member.locale = locale
                session.commit()
                client = app.test_client()
                page, _ = measure(client, member, path, locale)
                report(f"{who}, {locale}", page)
        session.close()


if __name__ == "__main__":
    main()
