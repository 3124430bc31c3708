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
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, transaction

logger = logging.getLogger("passage.documents")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="passage-export")
WORKER_ATTEMPTS = 3


def enqueue_export(job_id: uuid.UUID) -> None:
    """Hands the job to the worker once the transaction that created it has committed."""
    if settings.PASSAGE_EXPORT_RUNNER == "inline":
        transaction.on_commit(lambda: run_export_job(job_id))
    else:
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
