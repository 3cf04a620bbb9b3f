"""tracker/memory.py: the server's full garbage collections run once a response is sent."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ScratchDatabases, make_app
from tracker.memory import FULL_EVERY, OLD_LIMIT, collect_between_requests


@pytest.fixture()
def full_collections() -> Iterator[list[int]]:
    """The generations collected while the test runs; the collector's settings put back."""
    threshold = gc.get_threshold()
    seen: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*threshold)
        gc.unfreeze()


def test_a_full_collection_waits_for_the_response_to_be_sent(
    scratch: ScratchDatabases, full_collections: list[int]
) -> None:
    app = make_app(scratch.new("memory"))
    collect_between_requests(app)
    assert gc.get_threshold()[2] == OLD_LIMIT
    assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way

    client = app.test_client()
    for _ in range(FULL_EVERY):
        gc.collect(1)  # as many middle collections as make a full one due
    full_collections.clear()
    response = client.get("/accessibility")
    assert response.status_code == 200
    assert 2 not in full_collections  # nothing full while the request ran ...
    response.close()  # ... what gunicorn does once the last byte is written
    assert full_collections.count(2) == 1


def test_no_full_collection_after_a_response_when_none_is_due(
    scratch: ScratchDatabases, full_collections: list[int]
) -> None:
    app = make_app(scratch.new("memory_not_due"))
    collect_between_requests(app)
    gc.collect()  # a full collection just ran: the next is not due
    full_collections.clear()
    client = app.test_client()
    client.get("/accessibility").close()
    assert 2 not in full_collections
