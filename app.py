"""Entry point for `flask --app app` and `gunicorn app:app`."""

from mooc.factory import create_app

app = create_app()
