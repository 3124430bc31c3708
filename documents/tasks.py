"""Running batch exports in the background: a task that takes a job id, and the worker that runs it.

On one machine (the default, PASSAGE_EXPORT_RUNNER=thread) an in-process
worker thread runs the jobs one at a time, after the transaction that queued
them commits. The job row is the whole state (which cases, how far, the
sealed result), so nothing is lost to the thread but time: a job stuck by a
restart is marked failed by `purge_expired_exports` after an hour, and the
lawyer starts another.

Past one machine, a real queue takes the same task: make `enqueue_export`
send the job id to it (Celery's `delay`, RQ's `enqueue`, or Django 6's
`django.tasks` `enqueue`, with a database-backed or Redis broker) and run
`documents.services.export_run(job_id=...)` in the worker processes. The
task takes only the id, so any worker can run it; `export_run` claims the
job with a row lock, so a job delivered twice runs once. Sealed ZIPs then
belong in shared object storage (the vault storage over S3), not a local disk.

PASSAGE_EXPORT_RUNNER=inline runs the job in the requesting thread right
after the commit (the tests use it, so they need no thread).

Sealed ZIPs must not outlive their hour even when nobody opens an export
page. With the thread runner, a daemon timer (`periodic_purge`) hands
`purge_expired_exports` to the worker every PURGE_EVERY_SECONDS: it starts
with the first request the process serves and with the first export it
queues, so `make run` needs no cron. Deployments with a real queue schedule
the `purge_exports` command instead (cron, or the queue's own scheduler).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, transaction

logger = logging.getLogger("passage.documents")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="passage-export")
WORKER_ATTEMPTS = 3
# A ZIP lives PASSAGE_EXPORT_TTL_MINUTES (an hour by default) and at most this much longer.
PURGE_EVERY_SECONDS = 5 * 60


def enqueue_export(job_id: uuid.UUID) -> None:
    """Hands the job to the worker once the transaction that created it has committed."""
    if settings.PASSAGE_EXPORT_RUNNER == "inline":
        transaction.on_commit(lambda: run_export_job(job_id))
    else:
        periodic_purge.start()
        transaction.on_commit(lambda: _worker.submit(_run_in_worker, job_id))


def run_export_job(job_id: uuid.UUID) -> None:
    """The task: everything it needs is read from the job row."""
    from documents.services import export_run, purge_expired_exports

    purge_expired_exports()
    export_run(job_id=job_id)


def _run_in_worker(job_id: uuid.UUID) -> None:
    close_old_connections()
    try:
        for attempt in range(1, WORKER_ATTEMPTS + 1):
            try:
                run_export_job(job_id)
                return
            except OperationalError:
                # SQLite answers "database is locked" when another writer holds it; until the job is
                # claimed nothing has changed, and once it is, running again does nothing: retry.
                if attempt == WORKER_ATTEMPTS:
                    raise
                time.sleep(0.5 * attempt)
    except Exception:
        logger.exception("Batch export %s could not run.", job_id)
    finally:
        connections.close_all()  # this thread's own connections


# ---- The periodic purge of the thread runner ---------------------------------------------------------------


def purge_in_worker() -> Future:
    """Has the worker thread destroy the expired ZIPs (one tick of the periodic purge); returns its future.

    The purge runs in the worker rather than in the timer's thread so that it
    never writes at the same time as an export (SQLite allows one writer).
    """
    return _worker.submit(_purge_expired)


def _purge_expired() -> None:
    from documents.services import purge_expired_exports

    close_old_connections()
    try:
        purged = purge_expired_exports()
        if purged:
            logger.info("Destroyed %s expired export(s).", purged)
    except Exception:
        # Logged, not raised: the next tick tries again.
        logger.exception("Purging expired exports failed.")
    finally:
        connections.close_all()  # this thread's own connections


class PeriodicPurge:
    """A daemon thread that calls purge_in_worker() every `every` seconds, once started, until stopped.

    `start()` may be called any number of times, from any thread: one timer
    runs per process (a forked process, e.g. a gunicorn worker, starts its own).
    """

    def __init__(self, every: float = PURGE_EVERY_SECONDS) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._pid = 0

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def start(self) -> None:
        if self.is_running:
            return
        with self._lock:
            if self.is_running:
                return
            self._stopped = threading.Event()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopped,), name="passage-export-purge", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stops the timer (the tests, and a clean shutdown); a purge already handed to the worker still runs."""
        with self._lock:
            self._stopped.set()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self, stopped: threading.Event) -> None:
        while not stopped.wait(self.every):
            try:
                purge_in_worker()
            except RuntimeError:
                return  # the worker is shut down: the interpreter is exiting


periodic_purge = PeriodicPurge()


def start_periodic_purge_on_request(sender, **kwargs) -> None:
    """The `request_started` receiver (see DocumentsConfig.ready): a serving process starts the periodic purge.

    Not for the test client's requests (its handler's module is django.test.client):
    a test process is not a server, and the purge would run under the tests' feet.
    """
    if settings.PASSAGE_EXPORT_RUNNER == "thread" and getattr(sender, "__module__", "") != "django.test.client":
        periodic_purge.start()
