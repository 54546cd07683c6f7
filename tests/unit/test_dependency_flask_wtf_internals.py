"""What the app takes from Flask-WTF's and WTForms' private parts.

ortsverein/security.py hands a session's signed CSRF token to later requests by
setting it on `g` under the field's name, where generate_csrf() returns it without
signing; the raw secret sits in the session under the same name.
ortsverein/shared_pages.py reads a form's `_fields` and each field's `raw_data`
and `process_errors` to tell a pristine form from one with something in it. If an
upgrade changes any of these, these tests fail here, by name.
"""

from __future__ import annotations

from flask import Flask, g, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import IntegerField, StringField


def _app() -> Flask:
    app = Flask("wtf_internals")
    app.config.update(SECRET_KEY="x" * 32, WTF_CSRF_TIME_LIMIT=None)
    return app


def test_generate_csrf_returns_the_token_on_g_and_keeps_the_secret_in_session():
    app = _app()
    with app.test_request_context():
        token = generate_csrf()
        assert g.csrf_token == token
        assert isinstance(session["csrf_token"], str)
        assert session["csrf_token"] not in token  # the token is signed, not bare
    with app.test_request_context():
        g.csrf_token = "handed-over"
        assert generate_csrf() == "handed-over"  # not signed again


class Form(FlaskForm):
    name = StringField()
    number = IntegerField()


def test_a_form_exposes_its_fields_raw_data_and_process_errors():
    app = _app()
    with app.test_request_context():
        form = Form()
        assert list(form._fields) == ["name", "number", "csrf_token"]
        assert all(not f.raw_data and not f.process_errors for f in form)
    with app.test_request_context(method="POST", data={"number": "x"}):
        form = Form()
        assert form._fields["number"].raw_data == ["x"]
        assert form._fields["number"].process_errors
