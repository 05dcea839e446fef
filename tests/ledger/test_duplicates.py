"""A repeated eventID is stored once: in one document, across documents, across captures at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jiceng.ledger.models import CaptureJob, LedgerEvent, LedgerEventEpc
from jiceng.ledger.services import document_capture
from tests.ledger.conftest import cylinder_document, filling


@pytest.mark.django_db
def test_an_event_id_repeated_in_one_document_is_stored_once(epcis):
    event = filling(1)
    job = epcis.captured(cylinder_document([event, filling(2), dict(event)]))
    assert job["success"] is True
    assert LedgerEvent.objects.count() == 2
    stored = CaptureJob.objects.get()
    assert (stored.event_count, stored.stored_count, stored.duplicate_count) == (3, 2, 1)


@pytest.mark.django_db
def test_a_document_sent_again_succeeds_and_stores_nothing_new(epcis):
    document = cylinder_document([filling(s) for s in range(10)])
    assert epcis.captured(document)["success"] is True
    again = epcis.captured(document)
    assert again["success"] is True
    assert LedgerEvent.objects.count() == 10
    assert LedgerEventEpc.objects.count() == 10
    assert CaptureJob.objects.order_by("created_at").last().duplicate_count == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_captures_of_overlapping_documents_store_each_event_once(users):
    """Four threads, each with its own database connection, capture overlapping documents."""
    documents = [
        cylinder_document([filling(serial) for serial in range(start, start + 60)])
        for start in (0, 20, 40, 0)
    ]
    barrier = threading.Barrier(len(documents))
    jobs, failures = [], []

    def capture(document):
        try:
            barrier.wait()
            jobs.append(document_capture(document=document, actor=users["wutong"]))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=capture, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(job.success for job in jobs)
    assert LedgerEvent.objects.count() == 100
    assert LedgerEventEpc.objects.count() == 100
    assert sum(job.stored_count for job in jobs) == 100
    assert sum(job.duplicate_count for job in jobs) == 140


@pytest.mark.django_db
def test_the_portable_insert_path_stores_repeated_ids_once_too(users, monkeypatch):
    """Where SQLite is not configured to lock at BEGIN, capture relies on ON CONFLICT alone."""
    monkeypatch.setattr("jiceng.ledger.services._sqlite_writes_locked", lambda: False)
    first = document_capture(
        document=cylinder_document([filling(1), filling(2), filling(1)]), actor=users["wutong"]
    )
    again = document_capture(
        document=cylinder_document([filling(2), filling(3)]), actor=users["wutong"]
    )
    assert (first.stored_count, first.duplicate_count) == (2, 1)
    assert (again.stored_count, again.duplicate_count) == (1, 1)
    assert LedgerEventEpc.objects.count() == 3
    assert sorted(LedgerEvent.objects.values_list("body__epcList__0", flat=True)) == [
        "urn:jiceng:cylinder:1",
        "urn:jiceng:cylinder:2",
        "urn:jiceng:cylinder:3",
    ]
