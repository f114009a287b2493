"""Entry point of the content origin (SCORM package files): `gunicorn content_app:app`."""

from mooc.contentorigin.app import create_content_app

app = create_content_app()
