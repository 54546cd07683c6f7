"""Election helpers: an election made through the form, votes cast through the
polls' ballot page, rounds closed by moving the clock of their poll."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from models import Election, ElectionRound, utcnow
from ortsverein.local_time import to_local
from tests.factories import close_now, fresh, make_member

LOCAL = "%Y-%m-%dT%H:%M"


def local(moment) -> str:
    return to_local(moment).strftime(LOCAL)


@pytest.fixture
def people(app, session, world):
    """Three more members of OV Nord who stand as candidates."""
    with app.app_context():
        ns = SimpleNamespace(
            anna=make_member(session, world.nord, first_name="Anna", last_name="Arndt"),
            ben=make_member(session, world.nord, first_name="Ben", last_name="Brandt"),
            cem=make_member(session, world.nord, first_name="Cem", last_name="Celik"),
        )
        session.commit()
        return ns


class Elections:
    """Drives elections through the pages as the members would."""

    def __init__(self, auth, client, session, world):
        self.auth, self.client, self.session, self.world = auth, client, session, world

    def as_(self, member):
        self.client.get("/")
        self.auth.logout()
        self.auth.login(member)

    def create(self, **fields) -> Election:
        self.as_(self.world.organiser)
        now = utcnow()
        data = {
            "org": self.world.nord.id,
            "title": "Vorsitz 2027",
            "office": "Vorsitz",
            "body": "Wir wählen den Vorsitz.",
            "seats": 1,
            "method": "single",
            "runoff": "top_two",
            "min_yes_percent": "50",
            "quota_percent": "0",
            "secret": "y",
            "statute_reference": "§ 11 Satzung",
            "nominations_open_at": local(now - timedelta(hours=1)),
            "nominations_close_at": local(now + timedelta(days=7)),
            "meeting_id": "",
            **fields,
        }
        response = self.auth.post("/elections/new", data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        election_id = int(re.search(r"/elections/(\d+)", response.location).group(1))
        fresh(self.session)
        return self.session.get(Election, election_id)

    def stand(self, election, member, statement="Ich will."):
        self.as_(member)
        response = self.auth.post(
            f"/elections/{election.id}/nominate",
            {"nominee": member.id, "statement": statement},
        )
        assert response.status_code == 302

    def close_nominations(self, election):
        self.as_(self.world.organiser)
        response = self.auth.post(
            f"/elections/{election.id}/close-nominations", follow_redirects=True
        )
        assert "Die Vorschlagsliste ist geschlossen." in response.get_data(True)

    def start_round(self, election) -> ElectionRound:
        self.as_(self.world.organiser)
        response = self.auth.post(
            f"/elections/{election.id}/rounds",
            {"closes_at": local(utcnow() + timedelta(days=1))},
            follow_redirects=True,
        )
        assert "Wahlgang hat begonnen" in response.get_data(True), response.get_data(
            True
        )[:3000]
        fresh(self.session)
        return self.session.get(Election, election.id).rounds[-1]

    def vote(self, member, rnd: ElectionRound, **form):
        self.as_(member)
        response = self.auth.post(
            f"/polls/{rnd.poll_id}/vote", {"confirm": "y", **form}
        )
        # The receipt page: the ballot is in the box.
        assert 'id="receipt-code"' in response.get_data(as_text=True), (
            response.get_data(as_text=True)[:2000]
        )

    def option(self, rnd: ElectionRound, member) -> int:
        fresh(self.session)
        rnd = self.session.get(ElectionRound, rnd.id)
        return next(
            rc.option_id for rc in rnd.candidates if rc.candidacy.member_id == member.id
        )

    def close(self, rnd: ElectionRound) -> None:
        fresh(self.session)
        rnd = self.session.get(ElectionRound, rnd.id)
        close_now(self.session, rnd.poll)

    def page(self, election) -> str:
        return self.client.get(f"/elections/{election.id}").get_data(as_text=True)


@pytest.fixture
def elections(auth, client, session, world):
    return Elections(auth, client, session, world)
