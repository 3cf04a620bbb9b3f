"""Python's full garbage collections run between requests, not in the middle of one.

A full collection walks every object the process holds that is not frozen, including the
cached schedule (a hundred thousand objects at 5,000 milestones): about 90 ms each. CPython
starts one whenever enough objects have survived, which at thousands of milestones is during
the very request that builds a new schedule (the first page after a change). Here the server runs it
once the response has been sent (WSGI's close, which gunicorn calls after writing the last
byte and closing the socket), as often as the interpreter would have (every 10 collections
of the middle generation), and the interpreter itself waits ten times longer than it would,
so that it starts one only where nothing sends responses (the CLI, which imports wsgi.py too).
Young objects are still collected as they always are. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import gc

from flask import Flask, Response

FULL_EVERY = 10  # middle-generation collections between full ones: CPython's own default
OLD_LIMIT = 10 * FULL_EVERY  # the interpreter's own, for processes that send no responses


def collect_between_requests(app: Flask) -> None:
    """For the server (wsgi.py): freeze what start-up made, and move full collections to
    after each response."""
    # The app's long-lived objects (models, templates, routes) move out of the collector's
    # way for good, so a full collection walks only what requests made since.
    gc.collect()
    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, OLD_LIMIT)

    @app.after_request
    def collect_after_sending(response: Response) -> Response:
        response.call_on_close(collect_if_due)
        return response


def collect_if_due() -> None:
    """A full collection, when as many middle-generation collections have run since the
    last one as CPython would wait for."""
    if gc.get_count()[2] >= FULL_EVERY:
        gc.collect()
