"""Full-text search (FTS5 on SQLite, german text search on PostgreSQL): ranked,
highlighted, paginated, and never a post from a forum the member cannot see."""

from __future__ import annotations

from tests.factories import make_post, make_thread


def _search(client, q, **args):
    return client.get("/forums/search", query_string={"q": q, **args})


def test_finds_ranked_highlighted_posts(app, auth, client, session, world, forums):
    with app.app_context():
        make_post(
            session, forums.nord_thread, world.board, "Das Lastenrad für Infostände"
        )
        thread = make_thread(
            session, forums.bund, world.admin, "Verkehrswende", "Radwege und Busse"
        )
        make_post(session, thread, world.admin, "Mehr Radwege in der Stadt")
    auth.login(world.member)
    page = _search(client, "Radwege").get_data(as_text=True)
    assert "2 Treffer" in page
    assert "<mark>Radwege</mark>" in page
    page = _search(client, "Lastenrad").get_data(as_text=True)
    assert "<mark>Lastenrad" in page


def test_excerpts_show_the_text_not_its_markdown(
    app, auth, client, session, world, forums
):
    """A member reads what the post says, with the hit marked: no asterisks, link
    targets or quote marks of the Markdown source."""
    filler = " ".join(f"Wort{i}" for i in range(40))
    with app.app_context():
        make_post(
            session,
            forums.nord_thread,
            world.board,
            f"# Vorschlag\n\n{filler}\n\n> Das **Anhängerkupplung** steht im "
            "[Vereinsheim](https://example.org/heim) & `Schloss` _offen_",
        )
    auth.login(world.member)
    page = _search(client, "Anhängerkupplung").get_data(as_text=True)
    start = page.index('<p class="excerpt">')
    shown = page[start : page.index("</p>", start)]
    assert (
        "Das <mark>Anhängerkupplung</mark> steht im Vereinsheim &amp; Schloss offen"
        in (shown)
    ), shown
    for markup in ("**", "](", "example.org", "`", "# ", "&gt;", "_offen_"):
        assert markup not in shown, (markup, shown)
    assert shown.startswith('<p class="excerpt">… ')  # the hit is far into the post


def test_other_branch_posts_are_never_found(app, auth, client, session, world, forums):
    auth.login(world.member)
    page = _search(client, "Grillplan").get_data(as_text=True)
    assert "Keine Beiträge gefunden." in page and "Sommerfest" not in page
    auth.logout()
    auth.login(world.sued_member)
    assert "Sommerfest" in _search(client, "Grillplan").get_data(as_text=True)


def test_hidden_and_deleted_posts_leave_the_index(
    app, auth, client, session, world, forums
):
    with app.app_context():
        post = make_post(session, forums.nord_thread, world.member, "Zebrastreifen")
    auth.login(world.organiser)
    auth.post(f"/forums/posts/{post.id}/hide", {"reason": "Doppelt"})
    assert "Keine Beiträge" in _search(client, "Zebrastreifen").get_data(as_text=True)
    auth.post(f"/forums/posts/{post.id}/unhide")
    assert "Zebrastreifen" in _search(client, "Zebrastreifen").get_data(as_text=True)
    auth.logout()
    auth.login(world.member)
    auth.post(f"/forums/posts/{post.id}/delete")
    assert "Keine Beiträge" in _search(client, "Zebrastreifen").get_data(as_text=True)


def test_edits_are_searchable(auth, client, world, forums):
    auth.login(world.organiser)
    auth.post(
        f"/forums/posts/{forums.nord_thread.last_post_id}/edit",
        {"body": "Jetzt mit Anhänger"},
    )
    assert "<mark>Anhänger" in _search(client, "Anhänger").get_data(as_text=True)


def test_odd_queries_answer_calmly(auth, client, world, forums):
    auth.login(world.member)
    for q in [
        '"',
        "AND OR NOT",
        "*",
        "foo:bar",
        "(",
        "NEAR(a b)",
        "'",
        "\\",
        "ä" * 300,
    ]:
        response = _search(client, q)
        assert response.status_code == 200, q


def test_search_paginates(app, auth, client, session, world, forums):
    with app.app_context():
        for i in range(23):
            make_post(session, forums.nord_thread, world.board, f"Haushalt Posten {i}")
    auth.login(world.member)
    first = _search(client, "Haushalt").get_data(as_text=True)
    assert "23 Treffer" in first and 'rel="next"' in first
    second = _search(client, "Haushalt", page=2).get_data(as_text=True)
    assert second.count('class="excerpt"') == 3


def test_api_search(app, client, session, world, forums):
    from tests.factories import PASSWORD

    token = client.post(
        "/api/v1/auth/token", json={"email": world.member.email, "password": PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/search?q=Lastenrad", headers=headers).get_json()
    assert [h["thread_id"] for h in body["items"]] == [forums.nord_thread.id]
    assert "<mark>" in body["items"][0]["excerpt"]
    body = client.get("/api/v1/search?q=Grillplan", headers=headers).get_json()
    assert body == {"items": [], "next": None}
