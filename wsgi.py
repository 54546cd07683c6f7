"""The entry point for gunicorn and `flask --app wsgi`."""

from ortsverein import create_app

app = create_app()
