"""Forwarding on the motion page: the form that sends an adopted motion to a
higher level's motion book, and what the page shows of where it came from and
where it went (the route is motions.views.forward)."""

from __future__ import annotations

from flask_login import current_user
from wtforms import SelectField

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired

from models import Motion
from ortsverein.db import db
from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.permissions import can_see_org

from . import services


class ForwardForm(Form):
    # Not limited to the listed books: a book whose deadline passed since the page
    # was drawn gets the service's message with the deadline.
    book = SelectField(
        _l("An das Antragsbuch"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired()],
    )

    def setup(self, books):
        self.book.choices = [
            SelectChoice(b.id, f"{b.organisation.name}: {b.title}") for b in books
        ]
        return self


def page_context(motion: Motion, form: ForwardForm | None = None) -> dict:
    """What the motion page shows of forwarding: where the motion came from,
    where it went (with the status there), and the form for the board."""
    origin = motion.forwarded_from
    books = services.target_books(db.session, current_user, motion)
    if form is None and books:
        form = ForwardForm(formdata=None).setup(books)
    return {
        "origin": origin,
        "origin_visible": origin is not None
        and can_see_org(current_user, origin.book.organisation),
        "forwards": services.forwards(current_user, motion),
        "forward_form": form,
    }
