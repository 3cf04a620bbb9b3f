"""Entry point for gunicorn (`gunicorn wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""

from tracker import create_app
from tracker.memory import collect_between_requests

app = create_app()
collect_between_requests(app)
