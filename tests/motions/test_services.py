"""Motion books and motions on both databases: numbering, kept versions, the
deadline in the book's time zone, supporters, the committee's steps with their
history, withdrawal, who may do what, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from models import (
    AuditEntry,
    MotionBook,
    MotionStatus,
    MotionSupporter,
    Thread,
    utcnow,
)
from motions import services
from motions.errors import DeadlinePassed, NotEnoughSupporters, TransitionRefused
from ortsverein.errors import Forbidden, NotFound, ValidationFailed
from tests.factories import fresh, make_member

from .conftest import act, make_book, submit


def _close_book(session, book, when=None):
    session.execute(
        update(MotionBook)
        .where(MotionBook.id == book.id)
        .values(deadline=when or utcnow() - timedelta(minutes=1))
    )
    session.commit()
    session.refresh(book)


def test_motions_are_numbered_kept_as_version_one_and_get_a_thread(
    app, session, world, book
):
    with app.app_context():
        first = submit(session, book, world.member)
        second = submit(session, book, world.board, title="Ein Lastenrad")
        fresh(session)
        assert (first.number, second.number) == ("A1", "A2")
        assert [v.text for v in first.versions] == [first.text]
        assert first.version == 1
        assert [(h.from_status, h.to_status) for h in first.history] == [
            (None, MotionStatus.SUBMITTED)
        ]
        assert [s.member_id for s in first.submitters] == [world.member.id]
        thread = session.get(Thread, first.thread_id)
        assert thread.forum_id == book.forum_id
        assert thread.title == "A1: Mehr Radwege"


def test_late_submission_is_refused_with_the_deadline_in_the_books_zone(
    app, session, world
):
    with app.app_context():
        deadline = datetime(2026, 7, 1, 16, 0, tzinfo=UTC)  # 17:00 in London (BST)
        book = make_book(
            session,
            world.nord,
            world.organiser,
            deadline=deadline.replace(tzinfo=None, hour=17),
            timezone="Europe/London",
        )
        fresh(session)
        assert session.get(MotionBook, book.id).deadline == deadline
        with pytest.raises(DeadlinePassed) as err:
            submit(session, book, world.member)
        assert "17:00" in err.value.message
        assert "Europe/London" in err.value.message
        fresh(session)
        assert session.get(MotionBook, book.id).motions == []


def test_support_once_take_back_and_not_after_the_deadline(app, session, world, book):
    with app.app_context():
        motion = submit(session, book, world.member)
        act(session, services.support, world.board, motion)
        act(session, services.support, world.board, motion)  # a second click
        fresh(session)
        assert session.scalars(select(MotionSupporter.member_id)).all() == [
            world.board.id
        ]
        with pytest.raises(Exception) as own:
            act(session, services.support, world.member, motion)
        assert "eigenen Antrag" in str(own.value.message)
        act(session, services.unsupport, world.board, motion)
        act(session, services.support, world.organiser, motion)
        fresh(session)
        assert session.scalars(select(MotionSupporter.member_id)).all() == [
            world.organiser.id
        ]
        _close_book(session, book)
        with pytest.raises(DeadlinePassed):
            act(session, services.support, world.board, motion)
        with pytest.raises(DeadlinePassed):
            act(session, services.unsupport, world.organiser, motion)


def test_admission_needs_the_supporters_and_history_records_each_step(
    app, session, world
):
    with app.app_context():
        book = make_book(session, world.nord, world.organiser, supporters_needed=2)
        motion = submit(session, book, world.member)
        act(session, services.support, world.board, motion)
        with pytest.raises(NotEnoughSupporters) as err:
            act(session, services.change_status, world.organiser, motion, "admitted")
        assert "fehlen noch 1" in err.value.message
        act(session, services.support, world.admin, motion)
        act(session, services.change_status, world.organiser, motion, "admitted")
        with pytest.raises(ValidationFailed) as missing:
            act(
                session,
                services.change_status,
                world.organiser,
                motion,
                "recommended",
                recommendation="refer",
            )
        assert "referral_target" in missing.value.context["fields"]
        act(
            session,
            services.change_status,
            world.organiser,
            motion,
            "recommended",
            recommendation="refer",
            referral_target="Landesvorstand",
            note="Zu groß für uns",
        )
        act(
            session,
            services.change_status,
            world.organiser,
            motion,
            "referred",
            referral_target="Landesvorstand",
        )
        with pytest.raises(TransitionRefused):
            act(session, services.change_status, world.organiser, motion, "adopted")
        fresh(session)
        steps = [
            (h.from_status, h.to_status, h.actor_id, h.note) for h in motion.history
        ]
        assert steps == [
            (None, MotionStatus.SUBMITTED, world.member.id, ""),
            (MotionStatus.SUBMITTED, MotionStatus.ADMITTED, world.organiser.id, ""),
            (
                MotionStatus.ADMITTED,
                MotionStatus.RECOMMENDED,
                world.organiser.id,
                "Zu groß für uns",
            ),
            (MotionStatus.RECOMMENDED, MotionStatus.REFERRED, world.organiser.id, ""),
        ]
        assert motion.referral_target == "Landesvorstand"
        kinds = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("motion%"))
        ).all()
        assert kinds.count("motion.status_changed") == 3
        assert {"motion_book.created", "motion.submitted", "motion.supported"} <= set(
            kinds
        )


def test_skipping_admission_is_refused(app, session, world, book):
    with app.app_context():
        motion = submit(session, book, world.member)
        with pytest.raises(TransitionRefused) as err:
            act(session, services.change_status, world.organiser, motion, "adopted")
        assert "eingereicht" in err.value.message


def test_withdraw_by_a_submitter_until_decided(app, session, world, book):
    with app.app_context():
        motion = submit(session, book, world.member)
        with pytest.raises(Forbidden):
            act(session, services.withdraw, world.board, motion)
        act(session, services.withdraw, world.member, motion, "Erledigt")
        fresh(session)
        assert motion.status == MotionStatus.WITHDRAWN
        assert motion.history[-1].note == "Erledigt"
        with pytest.raises(TransitionRefused):
            act(session, services.withdraw, world.member, motion)


@pytest.mark.parametrize("who", ["member", "board", "sued_member"])
def test_only_the_committee_changes_status(app, session, world, book, who):
    with app.app_context():
        motion = submit(session, book, world.member)
        with pytest.raises(NotFound):
            act(
                session, services.change_status, getattr(world, who), motion, "admitted"
            )


def test_other_branches_see_nothing_and_boards_below_submit_in_their_name(
    app, session, world
):
    with app.app_context():
        ub_organiser = make_member(
            session,
            world.ub,
            email="ub-orga@example.org",
            roles=((world.ub, "organiser"),),
        )
        session.commit()
        book = make_book(
            session,
            world.ub,
            ub_organiser,
            members_may_submit=False,
            working_groups=["AG Umwelt"],
        )
        with pytest.raises(NotFound):
            services.get_book(
                session,
                world.sued_member,
                make_book(session, world.nord, world.organiser).id,
            )
        ub_book = services.get_book(session, world.sued_board, book.id)
        assert [
            getattr(c, "name", c)
            for c in services.capacities(world.sued_board, ub_book)
        ] == ["OV Süd", "AG Umwelt"]
        with pytest.raises(ValidationFailed):
            submit(session, book, world.sued_board)  # not as oneself here
        motion = submit(
            session, book, world.sued_board, on_behalf_of=str(world.sued.id)
        )
        fresh(session)
        assert motion.on_behalf_of_id == world.sued.id
        grouped = submit(session, book, world.member, on_behalf_of="AG Umwelt")
        assert grouped.working_group == "AG Umwelt"


def test_editing_a_book_keeps_topic_areas_in_use_and_checks_the_occasion(
    app, session, world, book
):
    with app.app_context():
        submit(session, book, world.member, category_id=book.categories[0].id)
        data = services.BookInput(
            org_id=world.nord.id,
            title="Neu",
            categories=["Verkehr", "Frieden"],
            timezone="Europe/Berlin",
        )
        with pytest.raises(ValidationFailed) as err:
            act(session, services.update_book, world.organiser, book, data)
        assert "Umwelt" in err.value.context["fields"]["categories"]
        data.categories = ["Umwelt", "Frieden"]
        data.occasion = "meeting"
        with pytest.raises(ValidationFailed) as err:
            act(session, services.update_book, world.organiser, book, data)
        assert set(err.value.context["fields"]) == {"meeting_id"}
        data.occasion = "standing"
        act(session, services.update_book, world.organiser, book, data)
        fresh(session)
        book = session.get(MotionBook, book.id)
        assert [c.name for c in book.categories] == ["Umwelt", "Frieden"]
        assert book.motions[0].category.name == "Umwelt"
        with pytest.raises(NotFound):
            act(session, services.update_book, world.board, book, data)
