"""A lawyer's batch export: chosen cases, progress while it works, one sealed ZIP, downloaded once or destroyed."""

from __future__ import annotations

import datetime
import io
import threading
import zipfile

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from documents.models import ExportJob
from documents.services import export_run, purge_expired_exports
from vault.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shared(open_case, caseworker, lawyer, share):
    cases = [open_case(caseworker), open_case(caseworker)]
    for case in cases:
        share(case, lawyer, by=caseworker)
    return cases


def start(client, cases, *, capture, lang="en"):
    with capture(execute=True):
        return client.post("/cases/exports/", {"cases": [case.reference for case in cases], "lang": lang})


def files_on_disk(files_in_tmp) -> list:
    return [path for path in files_in_tmp.rglob("*") if path.is_file()] if files_in_tmp.exists() else []


def test_the_lawyer_exports_chosen_cases_as_one_zip(
    client_for, lawyer, two_shared, django_capture_on_commit_callbacks, files_in_tmp
):
    client = client_for(lawyer)
    response = start(client, two_shared, capture=django_capture_on_commit_callbacks, lang="ru")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/exports/{job.pk}/"
    assert job.case_ids == [case.pk for case in two_shared]  # ids, not objects
    assert (job.status, job.done, job.total) == ("ready", 2, 2)

    page = client.get(f"/cases/exports/{job.pk}/")
    assert b"Download the ZIP" in page.content and b'http-equiv="refresh"' not in page.content

    [sealed] = files_on_disk(files_in_tmp)
    assert not sealed.read_bytes().startswith(b"PK")  # sealed at rest

    with django_capture_on_commit_callbacks(execute=True):
        download = client.post(f"/cases/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="summaries-')
    assert "no-store" in download["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert sorted(archive.namelist()) == sorted(f"{case.reference}-summary-ru.pdf" for case in two_shared)
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())

    exports = AccessEvent.objects.filter(action="summary_export", username=lawyer.username)
    assert sorted(exports.values_list("case_reference", flat=True)) == sorted(case.reference for case in two_shared)
    assert all("sha256:" in event.detail and f"batch:{job.pk}" in event.detail for event in exports)


def test_the_zip_can_be_downloaded_once_then_its_key_and_file_are_destroyed(
    client_for, lawyer, two_shared, django_capture_on_commit_callbacks, files_in_tmp
):
    client = client_for(lawyer)
    start(client, two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/exports/{job.pk}/download/").status_code == 200
    job.refresh_from_db()
    assert job.status == "downloaded" and job.stored_name == ""
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []
    again = client.post(f"/cases/exports/{job.pk}/download/", follow=True)
    assert b"no longer available" in again.content


def test_an_unfetched_zip_is_destroyed_after_an_hour(
    client_for, lawyer, two_shared, django_capture_on_commit_callbacks, files_in_tmp
):
    client = client_for(lawyer)
    start(client, two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_exports(now=timezone.now() + datetime.timedelta(minutes=59)) == 0
        assert purge_expired_exports(now=timezone.now() + datetime.timedelta(minutes=61)) == 1
    job.refresh_from_db()
    assert job.status == "expired"
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []
    assert client.post(f"/cases/exports/{job.pk}/download/").status_code == 302


def test_the_page_shows_progress_and_refreshes_itself_while_the_export_works(client_for, lawyer, two_shared):
    from documents.services import export_start

    client = client_for(lawyer)
    job = export_start(user=lawyer, references=[case.reference for case in two_shared], lang="en")  # not run yet
    page = client.get(f"/cases/exports/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="2" value="0"' in page
    assert "<script" not in page

    job.status, job.done = ExportJob.Status.RUNNING, 1
    job.save()
    page = client.get(f"/cases/exports/{job.pk}/").content.decode()
    assert '<progress max="2" value="1"' in page and "1 of 2 summaries made" in page


def test_the_worker_saves_progress_after_each_case(lawyer, two_shared):
    from documents.services import export_start

    job = export_start(user=lawyer, references=[case.reference for case in two_shared], lang="en")
    seen = []
    original = ExportJob.save

    def watching(self, *args, **kwargs):
        if self.pk == job.pk:
            seen.append((self.status, self.done))
        return original(self, *args, **kwargs)

    ExportJob.save = watching
    try:
        export_run(job_id=job.pk)
    finally:
        ExportJob.save = original
    assert ("running", 1) in seen and ("running", 2) in seen and seen[-1] == ("ready", 2)


def test_a_case_unshared_while_the_export_waits_is_left_out(client_for, lawyer, caseworker, two_shared):
    from documents.services import case_unshare, export_start
    from vault.keys import key_scope

    job = export_start(user=lawyer, references=[case.reference for case in two_shared], lang="en")
    with key_scope():
        case_unshare(case=two_shared[0], lawyer=lawyer, by=caseworker)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "ready" and job.skipped == [two_shared[0].reference]
    assert AccessEvent.objects.filter(action="refused", username=lawyer.username).count() == 1
    page = client_for(lawyer).get(f"/cases/exports/{job.pk}/").content.decode()
    assert two_shared[0].reference in page


def test_a_case_not_shared_with_the_lawyer_cannot_be_chosen(client_for, lawyer, caseworker, open_case, two_shared):
    hidden = open_case(caseworker)
    response = client_for(lawyer).post(
        "/cases/exports/", {"cases": [two_shared[0].reference, hidden.reference], "lang": "en"}, follow=True
    )
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_choosing_nothing_says_so(client_for, lawyer, two_shared):
    response = client_for(lawyer).post("/cases/exports/", {"lang": "en"}, follow=True)
    assert "Choose a case." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_one_export_at_a_time(client_for, lawyer, two_shared):
    from documents.services import export_start

    export_start(user=lawyer, references=[two_shared[0].reference], lang="en")
    response = client_for(lawyer).post(
        "/cases/exports/", {"cases": [two_shared[1].reference], "lang": "en"}, follow=True
    )
    assert "still running" in response.content.decode()
    assert ExportJob.objects.count() == 1


def test_too_many_cases_are_refused(client_for, lawyer, two_shared, settings):
    settings.PASSAGE_BATCH_EXPORT_MAX_CASES = 1
    response = client_for(lawyer).post(
        "/cases/exports/", {"cases": [case.reference for case in two_shared], "lang": "en"}, follow=True
    )
    assert "at most 1 cases" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_another_lawyers_export_is_404(
    client_for, lawyer, other_lawyer, two_shared, django_capture_on_commit_callbacks
):
    start(client_for(lawyer), two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    other = client_for(other_lawyer)
    assert other.get(f"/cases/exports/{job.pk}/").status_code == 404
    assert other.post(f"/cases/exports/{job.pk}/download/").status_code == 404
    job.refresh_from_db()
    assert job.status == "ready"


@pytest.mark.parametrize("persona", ["caseworker", "coordinator", "administrator"])
def test_only_lawyers_export_in_batches(request, client_for, two_shared, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.post("/cases/exports/", {"cases": [two_shared[0].reference], "lang": "en"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, two_shared):
    response = client.post("/cases/exports/", {"cases": [two_shared[0].reference], "lang": "en"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_job_stuck_by_a_restart_is_marked_failed_after_an_hour(lawyer, two_shared):
    from documents.services import export_start

    job = export_start(user=lawyer, references=[two_shared[0].reference], lang="en")
    purge_expired_exports(now=timezone.now() + datetime.timedelta(minutes=61))
    job.refresh_from_db()
    assert job.status == "failed"


def test_the_status_page_runs_a_fixed_number_of_queries(client_for, lawyer, two_shared):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents.services import export_start

    job = export_start(user=lawyer, references=[case.reference for case in two_shared], lang="en")
    client = client_for(lawyer)
    client.get(f"/cases/exports/{job.pk}/")
    with CaptureQueriesContext(connection) as context:
        client.get(f"/cases/exports/{job.pk}/")
    job.case_ids = job.case_ids * 20
    job.total = len(job.case_ids)
    job.save()
    with CaptureQueriesContext(connection) as more:
        client.get(f"/cases/exports/{job.pk}/")
    assert len(more.captured_queries) == len(context.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_in_process_worker_thread_runs_the_export(client_for, lawyer, two_shared, settings):
    from documents.tasks import _worker, periodic_purge

    settings.PASSAGE_EXPORT_RUNNER = "thread"
    client = client_for(lawyer)
    response = client.post("/cases/exports/", {"cases": [case.reference for case in two_shared], "lang": "en"})
    assert response.status_code == 302
    # The worker runs one job at a time, in order: once this marker has run, the export has too.
    # (Waiting here rather than polling the job row keeps SQLite's shared in-memory test database uncontended.)
    _worker.submit(lambda: None).result(timeout=120)
    job = ExportJob.objects.get()
    assert (job.status, job.done) == ("ready", 2)
    assert periodic_purge.is_running  # and from now on, expired ZIPs are destroyed without a cron job
    assert client.get(f"/cases/exports/{job.pk}/").status_code == 200


# ---- Unsharing takes effect at download ----------------------------------------------------------------------


def test_a_case_unshared_after_the_zip_was_made_stops_its_download(
    client_for, lawyer, caseworker, two_shared, django_capture_on_commit_callbacks, files_in_tmp
):
    from documents.services import case_unshare
    from vault.keys import key_scope

    client = client_for(lawyer)
    start(client, two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == "ready" and job.skipped == []
    with key_scope():
        case_unshare(case=two_shared[1], lawyer=lawyer, by=caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/exports/{job.pk}/download/")
    assert response.status_code == 302 and response["Location"] == f"/cases/exports/{job.pk}/"
    assert not response.content.startswith(b"PK") and "Content-Disposition" not in response
    page = client.get(response["Location"]).content.decode()
    assert "no longer shared with you, so the download was refused" in page
    assert "destroyed without being downloaded" in page and "Download the ZIP" not in page

    job.refresh_from_db()
    assert job.status == "withdrawn" and job.stored_name == ""
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []
    refused = AccessEvent.objects.get(action="refused", username=lawyer.username)
    assert (refused.case_reference, refused.target, refused.detail) == (
        two_shared[1].reference,
        f"export {job.pk}",
        "batch_export",
    )
    assert not AccessEvent.objects.filter(action="batch_export", detail__startswith="downloaded").exists()
    # Asking again changes nothing: the ZIP is gone.
    again = client.post(f"/cases/exports/{job.pk}/download/", follow=True)
    assert b"no longer available" in again.content and not again.content.startswith(b"PK")


def test_a_share_whose_end_date_passed_after_the_zip_was_made_stops_its_download(
    client_for, lawyer, caseworker, two_shared, django_capture_on_commit_callbacks
):
    from documents.models import CaseShare

    client = client_for(lawyer)
    start(client, two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    share = CaseShare.objects.get(case=two_shared[0], lawyer=lawyer)
    share.until = timezone.localdate() - datetime.timedelta(days=1)
    share.save()
    response = client.post(f"/cases/exports/{job.pk}/download/")
    assert response.status_code == 302 and not response.content.startswith(b"PK")
    job.refresh_from_db()
    assert job.status == "withdrawn"


def test_a_case_left_out_of_the_zip_does_not_stop_the_download_of_the_others(
    client_for, lawyer, caseworker, two_shared, django_capture_on_commit_callbacks
):
    from documents.services import case_unshare, export_start
    from vault.keys import key_scope

    job = export_start(user=lawyer, references=[case.reference for case in two_shared], lang="en")
    with key_scope():
        case_unshare(case=two_shared[0], lawyer=lawyer, by=caseworker)
    export_run(job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lawyer).post(f"/cases/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == [f"{two_shared[1].reference}-summary-en.pdf"]


# ---- Expired ZIPs are destroyed without anybody opening a page ---------------------------------------------


def expire(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def test_the_purge_exports_command_destroys_an_expired_zip_and_its_key(
    client_for, lawyer, two_shared, django_capture_on_commit_callbacks, files_in_tmp
):
    from django.core.management import call_command

    start(client_for(lawyer), two_shared, capture=django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert len(files_on_disk(files_in_tmp)) == 1
    expire(job)
    output = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_exports", stdout=output)
    assert "Destroyed 1 expired export(s)." in output.getvalue()
    job.refresh_from_db()
    assert job.status == "expired" and job.stored_name == ""
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []


def ready_export(lawyer, cases) -> ExportJob:
    """An export made and sealed (by the inline runner, as in the other tests), its ZIP waiting on disk."""
    from documents.services import export_start

    job = export_start(user=lawyer, references=[case.reference for case in cases], lang="en")
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "ready"
    return job


@pytest.mark.django_db(transaction=True)
def test_the_thread_runners_periodic_purge_destroys_an_expired_zip_and_its_key(lawyer, two_shared, files_in_tmp):
    from documents.tasks import purge_in_worker

    job = ready_export(lawyer, two_shared)
    purge_in_worker().result(timeout=60)  # one tick, before the hour: nothing to do
    job.refresh_from_db()
    assert job.status == "ready" and len(files_on_disk(files_in_tmp)) == 1
    expire(job)
    purge_in_worker().result(timeout=60)  # the tick the timer makes every few minutes, run in the worker thread
    job.refresh_from_db()
    assert job.status == "expired" and job.stored_name == ""
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []


@pytest.mark.django_db(transaction=True)
def test_the_periodic_purge_timer_ticks_by_itself(lawyer, two_shared, files_in_tmp):
    import time

    from documents.tasks import PeriodicPurge

    job = ready_export(lawyer, two_shared)
    expire(job)
    timer = PeriodicPurge(every=0.05)  # the same timer as the runner's, ticking faster
    timer.start()
    try:
        deadline = time.monotonic() + 60
        while ExportJob.objects.get(pk=job.pk).status != "expired" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        timer.stop()
    assert not timer.is_running
    assert ExportJob.objects.get(pk=job.pk).status == "expired"
    assert DataKey.objects.get(pk=job.data_key_id).wrapped is None
    assert files_on_disk(files_in_tmp) == []


def server_request_starts() -> None:
    """What a server (runserver, gunicorn) signals at each request; without Django's own receiver that would
    close the database connection of the test, as the test client leaves it out too."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=WSGIHandler, environ={})
    finally:
        request_started.connect(close_old_connections)


def test_a_serving_process_starts_the_periodic_purge_with_its_first_request(settings, client_for, lawyer):
    from documents.tasks import PURGE_EVERY_SECONDS, periodic_purge

    settings.PASSAGE_EXPORT_RUNNER = "thread"
    client_for(lawyer).get("/cases/")  # the test client is not a server
    assert not periodic_purge.is_running
    server_request_starts()
    assert periodic_purge.is_running and periodic_purge.every == PURGE_EVERY_SECONDS <= 10 * 60
    server_request_starts()  # one timer, whatever the number of requests
    assert [thread.name for thread in threading.enumerate()].count("passage-export-purge") == 1


def test_the_inline_runner_starts_no_timer(client_for, lawyer, two_shared, django_capture_on_commit_callbacks):
    from documents.tasks import periodic_purge

    start(client_for(lawyer), two_shared, capture=django_capture_on_commit_callbacks)
    server_request_starts()
    assert not periodic_purge.is_running
