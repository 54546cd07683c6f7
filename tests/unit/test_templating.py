"""The template date filter says what flask_babel.format_datetime says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import flask_babel
import pytest

from ortsverein import create_app
from ortsverein.templating import format_datetime


@pytest.mark.parametrize("lang", ["de", "en"])
def test_datetime_filter_matches_flask_babel(tmp_path, lang):
    app = create_app("testing", DATABASE_URL="sqlite://", INSTANCE_PATH=str(tmp_path))
    start = datetime(2021, 3, 28, 0, 30, tzinfo=UTC)  # across the switch to summer
    values = [start + timedelta(minutes=7 * i) for i in range(40)]
    values += [datetime(2024, 10, 27, 1, 30), datetime(2024, 12, 31, 23, 59, 59)]
    with app.test_request_context(headers={"Accept-Language": lang}):
        for value in values:
            for fmt in ("short", "medium", "long", "full"):
                expected = flask_babel.format_datetime(value, fmt)
                assert format_datetime(value, fmt) == expected
                assert format_datetime(value, fmt) == expected  # from the cache
        assert format_datetime(values[0]) == flask_babel.format_datetime(values[0])
        assert format_datetime(None) == "–"
