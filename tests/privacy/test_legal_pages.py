"""Privacy notice and Impressum: written by admins in Markdown, linked from every
page and every mail, and shown once at the first login after a new version."""

from __future__ import annotations

from sqlalchemy import select

from models import NoticeAcknowledgement
from tests.factories import fresh


def test_footer_links_to_both_pages_and_they_answer_without_login(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/datenschutz"' in page and 'href="/impressum"' in page
    for path in ("/datenschutz", "/impressum"):
        response = client.get(path)
        assert response.status_code == 200
        assert "noch nicht hinterlegt" in response.get_data(as_text=True)


def test_privacy_page_lists_what_is_kept_for_how_long(client, app):
    page = client.get("/datenschutz").get_data(as_text=True)
    assert "Welche Daten wir wo und wie lange speichern" in page
    assert f"{app.config['RETENTION_NOTIFICATION_DAYS']} Tage" in page
    assert "instance/mail/" in page


def test_admin_writes_the_notice_in_markdown_and_it_is_sanitised(auth, client, world):
    auth.login(world.admin)
    form = client.get("/datenschutz/edit")
    assert form.status_code == 200
    response = auth.post(
        "/datenschutz/edit",
        {"body": "## Verantwortlich\n\n**OV Nord** <script>alert(1)</script>"},
    )
    assert response.status_code == 302
    page = client.get("/datenschutz").get_data(as_text=True)
    assert "<h2>Verantwortlich</h2>" in page
    assert "<strong>OV Nord</strong>" in page
    assert "<script>alert" not in page
    # Seen by everyone, without login too.
    auth.logout()
    assert "<strong>OV Nord</strong>" in client.get("/datenschutz").get_data(
        as_text=True
    )


def test_empty_instance_text_is_refused_with_a_message(auth, client, world):
    auth.login(world.admin)
    response = auth.post("/impressum/edit", {"body": "   "})
    assert response.status_code == 422
    assert "darf nicht leer sein" in response.get_data(as_text=True)


def test_only_admins_may_edit(auth, client, world):
    auth.login(world.board)  # a branch board, no admin
    assert client.get("/impressum/edit").status_code == 404
    assert auth.post("/impressum/edit", {"body": "Ich"}).status_code == 404
    assert client.get(f"/impressum/edit?org={world.nord.id}").status_code == 404


def test_an_organisation_adds_its_own_section(auth, client, world):
    auth.login(world.admin)
    auth.post("/impressum/edit", {"body": "Plattform GmbH"})
    response = auth.post(
        f"/impressum/edit?org={world.nord.id}", {"body": "OV Nord, Marktplatz 1"}
    )
    assert response.headers["Location"].endswith("/impressum/ov-nord")
    auth.logout()
    # Its own page, public:
    page = client.get("/impressum/ov-nord").get_data(as_text=True)
    assert "Marktplatz 1" in page
    assert client.get("/impressum/ov-sued").status_code == 404  # none written
    # Inline for members of OV Nord, a link for everyone else.
    auth.login(world.member)
    assert "Marktplatz 1" in client.get("/impressum").get_data(as_text=True)
    auth.logout()
    auth.login(world.sued_member)
    page = client.get("/impressum").get_data(as_text=True)
    assert "Marktplatz 1" not in page and 'href="/impressum/ov-nord"' in page


def test_first_login_shows_the_notice_once_and_records_the_version(
    auth, client, world, session
):
    auth.login(world.admin)
    auth.post("/datenschutz/edit", {"body": "Version eins"})
    auth.logout()

    auth.login(world.member)
    response = client.get("/forums/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/datenschutz?next=/forums/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version eins" in page and 'href="/forums/"' in page  # the way on
    assert client.get("/forums/").status_code == 200  # once only
    fresh(session)
    seen = session.scalars(
        select(NoticeAcknowledgement).where(
            NoticeAcknowledgement.member_id == world.member.id
        )
    ).all()
    assert len(seen) == 1 and seen[0].seen_at is not None
    first_version = seen[0].text_id

    auth.logout()
    auth.login(world.member)
    assert client.get("/forums/").status_code == 200  # seen: not again

    # A new version is shown at the next login.
    auth.logout()
    auth.login(world.admin)
    client.get("/datenschutz")  # the admin's own first view
    auth.post("/datenschutz/edit", {"body": "Version zwei"})
    auth.logout()
    auth.login(world.member)
    again = client.get("/forums/")
    assert again.status_code == 302 and "/datenschutz" in again.headers["Location"]
    assert "Version zwei" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    fresh(session)
    versions = set(
        session.scalars(
            select(NoticeAcknowledgement.text_id).where(
                NoticeAcknowledgement.member_id == world.member.id
            )
        )
    )
    assert first_version in versions and len(versions) == 2


def test_without_a_written_notice_login_goes_straight_on(auth, client, world):
    auth.login(world.member)
    assert client.get("/forums/").status_code == 200


def test_every_mail_links_to_privacy_notice_and_imprint(auth, world, mails, app):
    auth.post("/reset", {"email": world.member.email})
    [message] = mails()
    body = message.get_body(("plain",)).get_content()
    base = app.config["BASE_URL"]
    assert f"{base}/datenschutz" in body and f"{base}/impressum" in body


def test_a_branch_admin_writes_the_branch_section_only(
    auth, client, world, session, app
):
    from tests.factories import make_member

    with app.app_context():
        branch_admin = make_member(session, world.nord, roles=((world.nord, "admin"),))
        session.commit()
    auth.login(branch_admin)
    page = client.get("/impressum").get_data(as_text=True)
    assert f'href="/impressum/edit?org={world.nord.id}"' in page
    assert 'href="/impressum/edit"' not in page
    assert client.get("/impressum/edit").status_code == 404
    assert client.get(f"/impressum/edit?org={world.sued.id}").status_code == 404
    response = auth.post(f"/impressum/edit?org={world.nord.id}", {"body": "Nordstr. 5"})
    assert response.status_code == 302
    assert "Nordstr. 5" in client.get("/impressum").get_data(as_text=True)


def test_pages_speak_the_readers_language(client):
    page = client.get("/datenschutz", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Privacy notice" in text and "What data we keep" in text
    assert "Legal notice" in client.get(
        "/impressum", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
