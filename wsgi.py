"""Entry point for gunicorn (`gunicorn wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""

import gc

from tracker import create_app

app = create_app()
# The app's long-lived objects (models, templates, routes) move out of the collector's way,
# so a request's full collections walk only what that request made (docs/benchmarks.md).
gc.collect()
gc.freeze()
