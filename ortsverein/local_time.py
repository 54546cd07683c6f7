"""Times as members enter and read them: Europe/Berlin in forms, UTC in storage."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from wtforms.validators import ValidationError

from .i18n import _l

BERLIN = ZoneInfo("Europe/Berlin")
FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def to_utc(local):
    return local.replace(tzinfo=BERLIN).astimezone(UTC) if local else None


def to_local(moment):
    return moment.astimezone(BERLIN).replace(tzinfo=None) if moment else None


def sane_year(form, field):
    """Keep dates where time-zone arithmetic works (and meetings plausibly happen)."""
    if field.data is not None and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Bitte gib ein Datum zwischen 2000 und 2200 an."))
