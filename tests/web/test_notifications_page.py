"""The notifications page (issue 22): grouped by day ("Heute", "Gestern", a date)
and within a day by kind with an icon; unread ones carry a badge, not bold alone."""

from __future__ import annotations

import re
from datetime import timedelta

from models import Notification, utcnow


def _notify(session, member, kind, subject, when, read=False):
    session.add(
        Notification(
            member_id=member.id,
            kind=kind,
            subject=subject,
            url="/forums/",
            created_at=when,
            read_at=when if read else None,
        )
    )


def _seed(app, session, world):
    now = utcnow()
    with app.app_context():
        _notify(session, world.member, "reply", "Lastenrad", now)
        _notify(session, world.member, "poll_opened", "Haushalt", now)
        _notify(session, world.member, "reply", "Sommerfest", now, read=True)
        _notify(session, world.member, "mention", "Plakate", now - timedelta(days=1))
        _notify(
            session, world.member, "some_new_kind", "Rätsel", now - timedelta(days=5)
        )
        session.commit()


def _sections(page):
    return re.findall(r'<section class="notification-day".*?</section>', page, re.S)


def test_grouped_by_day_and_kind_with_unread_marked(app, auth, client, session, world):
    _seed(app, session, world)
    auth.login(world.member)
    page = client.get("/notifications/").text
    days = _sections(page)
    titles = [re.search(r"<h2[^>]*>(.*?)</h2>", d, re.S).group(1).strip() for d in days]
    assert titles[:2] == ["Heute", "Gestern"], titles
    assert re.search(r"\d{4}", titles[2]), titles  # a date, the year in it
    today = days[0]
    kinds = re.findall(r'<h3 class="notification-kind"[^>]*>(.*?)</h3>', today, re.S)
    assert len(kinds) == 2
    assert "#vote" in "".join(kinds) and "#reply" in "".join(kinds)
    replies = today[today.index("Neue Antworten") :]
    assert "(2)" in replies[:200]
    # the unread reply has a visible badge; the read one a check, no badge
    lastenrad = re.search(
        r"<li class=\"notification[^>]*>(?:(?!</li>).)*Lastenrad", today, re.S
    )
    assert "notification--unread" in lastenrad.group(0) and ">Neu<" in lastenrad.group(
        0
    )
    sommerfest = re.search(
        r"<li class=\"notification[^>]*>(?:(?!</li>).)*Sommerfest", today, re.S
    )
    assert "notification--read" in sommerfest.group(
        0
    ) and ">Neu<" not in sommerfest.group(0)
    assert "#at-sign" in days[1] and "Erwähnungen" in days[1]
    assert "Weitere" in days[2] and "#bell" in days[2]  # a kind nobody named
    assert page.count('<time class="reltime"') == 5


def test_grouping_reads_in_english(app, auth, client, session, world):
    _seed(app, session, world)
    auth.login(world.member)
    auth.post("/profile/language", {"lang": "en", "next": "/notifications/"})
    page = client.get("/notifications/").text
    titles = [
        re.search(r"<h2[^>]*>(.*?)</h2>", d, re.S).group(1).strip()
        for d in _sections(page)
    ]
    assert titles[:2] == ["Today", "Yesterday"], titles
    assert "Mentions" in page and ">New<" in page and "Heute" not in page
