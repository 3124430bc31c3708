"""What happens to documents, shares and exports. Each change runs in a transaction; access is logged after it."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import secrets
import uuid
import zipfile

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases.access import get_case_for_user
from cases.models import Case
from documents.content import CheckedFile
from documents.models import CaseShare, Document, ExportJob
from vault.keys import create_data_key, destroy_data_key, key_scope
from vault.storage import SealedContent

logger = logging.getLogger("passage.documents")


class DocumentError(Exception):
    """A rule about documents, shares or exports was broken; the message is for the user."""


# ---- Documents ---------------------------------------------------------------------------------------------


def _new_stored_name(prefix: str) -> str:
    """A random storage name: nothing about the case, the person or the file can be read from it."""
    return f"{prefix}/{secrets.token_hex(16)}"


def document_upload(
    *,
    case: Case,
    user: User,
    checked: CheckedFile,
    kind: str,
    title: str,
    description: str = "",
    travel_paper=None,
    request: HttpRequest | None = None,
) -> Document:
    """Seals the checked file with the case's key, stores it under a random name, and numbers it.

    Locks the case row (select_for_update) while the next exhibit number is
    chosen, so two uploads at once never get the same number. The file is
    written before the row; if the row cannot be saved the file is deleted.
    """
    storage = storages["default"]
    name = storage.save(_new_stored_name("documents"), SealedContent(checked.content, data_key_id=case.data_key_id))
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=case.pk)
            if locked.is_erased:
                raise DocumentError(_("This case was erased."))
            last = Document.objects.filter(case=locked).aggregate(last=Max("number"))["last"] or 0
            document = Document(
                case=locked,
                data_key=locked.data_key,
                number=last + 1,
                kind=kind,
                title=title,
                description=description,
                content_type=checked.content_type,
                size=checked.size,
                pages=checked.pages,
                sha256=checked.sha256,
                stored_name=name,
                uploaded_by=user,
            )
            if travel_paper is not None:
                document.travel_paper = travel_paper
            document._change_reason = "uploaded"
            document.save()
    except BaseException:
        storage.delete(name)
        raise
    record_access(
        user=user,
        action=AccessEvent.Action.DOCUMENT_UPLOAD,
        request=request,
        case_reference=case.reference,
        target=f"document {document.number}",
    )
    return document


def document_content(*, document: Document) -> bytes:
    """The clear bytes of a document (checked against its case's key and its recorded hash)."""
    content = storages["default"].read_sealed(document.stored_name, data_key_id=document.data_key_id)
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentError("A stored document does not match its recorded hash.")
    return content


def document_remove(*, document: Document, user: User, request: HttpRequest | None = None) -> None:
    """Deletes the file; the row stays (sealed), so the exhibit number is never given to another file."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_removed:
            return
        locked.removed_at = timezone.now()
        locked.removed_by = user
        locked._change_reason = "removed"
        locked.save()
        transaction.on_commit(lambda: storages["default"].delete(locked.stored_name))
    # Removing a document is an edit of the case (no action of its own: the log's actions are a fixed list).
    record_access(
        user=user,
        action=AccessEvent.Action.CASE_EDIT,
        request=request,
        case_reference=document.case.reference,
        target=f"document {document.number}",
        detail="document removed",
    )


# ---- Sharing with lawyers ----------------------------------------------------------------------------------


def case_share(
    *,
    case: Case,
    lawyer: User,
    by: User,
    until: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> CaseShare:
    """Shares the case with a lawyer until the end of `until` (or until unshared); sharing again changes the date.

    Locks the lawyer's open share of this case, if any (select_for_update), so
    two shares at once leave one open share, not two (a database constraint
    backs this up).
    """
    if not lawyer.is_active or not lawyer.is_lawyer:
        raise DocumentError(_("A case can only be shared with an active lawyer account."))
    today = timezone.localdate()
    if until is not None and until < today:
        raise DocumentError(_("The end date cannot be in the past."))
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().open().filter(case=case, lawyer=lawyer).first()
        if share is not None and not share.is_active(today=today):
            # The old sharing ran out: close it, and let the new one be a period of its own.
            share.revoked_at = timezone.now()
            share._change_reason = "expired"
            share.save()
            share = None
        if share is None:
            share = CaseShare(case=case, lawyer=lawyer, shared_by=by, until=until)
            share._change_reason = "shared"
        else:
            share.until = until
            share.shared_by = by
            share._change_reason = "end date changed"
        share.save()
        assign_perm("cases.view_case", lawyer, case)
    record_access(
        user=by,
        action=AccessEvent.Action.CASE_SHARE,
        request=request,
        case_reference=case.reference,
        target=lawyer.username,
        detail=f"until {until.isoformat()}" if until else "",
    )
    return share


def case_unshare(*, case: Case, lawyer: User, by: User, request: HttpRequest | None = None) -> None:
    """Ends the sharing now: the lawyer's next request no longer reaches the case."""
    with transaction.atomic():
        for share in CaseShare.objects.select_for_update().open().filter(case=case, lawyer=lawyer):
            share.revoked_at = timezone.now()
            share.revoked_by = by
            share._change_reason = "unshared"
            share.save()
        remove_perm("cases.view_case", lawyer, case)
    record_access(
        user=by,
        action=AccessEvent.Action.CASE_UNSHARE,
        request=request,
        case_reference=case.reference,
        target=lawyer.username,
    )


def end_expired_shares(*, today: datetime.date | None = None) -> int:
    """Closes shares whose end date has passed and removes the lawyer's grant (the `end_expired_shares` command).

    Access already stops at the end date without this (cases.access asks for an
    active share); this tidies the grants so nothing else reads them as current.
    """
    today = today or timezone.localdate()
    ended = 0
    for share in CaseShare.objects.open().filter(until__lt=today).select_related("case", "lawyer"):
        with transaction.atomic():
            share.revoked_at = timezone.now()
            share._change_reason = "expired"
            share.save()
            remove_perm("cases.view_case", share.lawyer, share.case)
        record_access(
            user=None,
            action=AccessEvent.Action.CASE_UNSHARE,
            case_reference=share.case.reference,
            target=share.lawyer.username,
            detail="end date passed",
        )
        ended += 1
    return ended


# ---- Batch export of summaries -----------------------------------------------------------------------------


def export_start(*, user: User, references: list[str], lang: str, request: HttpRequest | None = None) -> ExportJob:
    """Queues a batch export of the summaries of these cases (each must be shared with the lawyer now).

    One export at a time per lawyer: a new one is refused while one is waiting
    or working. Locks the user's row so two clicks cannot start two.
    """
    from cases.access import cases_for_user
    from documents.tasks import enqueue_export

    limit = settings.PASSAGE_BATCH_EXPORT_MAX_CASES
    wanted = list(dict.fromkeys(references))
    if not wanted:
        raise DocumentError(_("Choose at least one case."))
    if len(wanted) > limit:
        raise DocumentError(_("Choose at most %(limit)s cases for one export.") % {"limit": limit})
    found = dict(cases_for_user(user).filter(reference__in=wanted).values_list("reference", "pk"))
    if len(found) != len(wanted):
        raise DocumentError(_("Some of the chosen cases are not shared with you (any more). Reload the list."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        busy = ExportJob.objects.filter(
            requested_by=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
        ).exists()
        if busy:
            raise DocumentError(_("An export of yours is still running. Wait for it to finish."))
        job = ExportJob.objects.create(
            requested_by=user, case_ids=[found[reference] for reference in wanted], lang=lang, total=len(wanted)
        )
        enqueue_export(job.pk)
    record_access(
        user=user,
        action=AccessEvent.Action.BATCH_EXPORT,
        request=request,
        target=f"export {job.pk}",
        detail=f"{len(wanted)} cases, lang {lang}",
    )
    return job


def export_run(*, job_id: uuid.UUID) -> None:
    """Makes the summaries of a queued job, one case after another, and seals the ZIP. Run by the worker.

    Each case is reached again through the access helper as the lawyer who
    asked, so a case unshared while the job waits is left out (and named in
    `skipped`). Progress is saved after each case for the page to show.
    """
    from documents.summary import summary_pdf

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id, status=ExportJob.Status.QUEUED).first()
        if job is None:
            return  # taken by another worker, or gone
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    user = job.requested_by
    references = dict(Case.objects.filter(pk__in=job.case_ids).values_list("pk", "reference"))
    buffer = io.BytesIO()
    skipped: list[str] = []
    try:
        with key_scope(), zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, case_id in enumerate(job.case_ids, start=1):
                reference = references.get(case_id)
                try:
                    if reference is None:
                        raise Http404
                    access = get_case_for_user(
                        user,
                        reference,
                        read_sealed=True,
                        action=AccessEvent.Action.SUMMARY_EXPORT,
                        log=False,
                        log_refusal=True,
                    )
                except Http404:
                    skipped.append(reference or f"#{case_id}")
                else:
                    pdf = summary_pdf(access=access, user=user, lang=job.lang)
                    record_export(user=user, reference=reference, pdf=pdf, lang=job.lang, batch=job.pk)
                    entry = zipfile.ZipInfo(f"{reference}-summary-{job.lang}.pdf", _ZIP_TIME)
                    archive.writestr(entry, pdf, compress_type=zipfile.ZIP_DEFLATED)
                job.done = index
                job.save(update_fields=["done"])
        content = buffer.getvalue()
        with transaction.atomic():
            data_key = create_data_key()
            name = storages["default"].save(
                _new_stored_name("exports"), SealedContent(content, data_key_id=data_key.pk)
            )
            job.data_key = data_key
            job.stored_name = name
            job.size = len(content)
            job.skipped = skipped
            job.status = ExportJob.Status.READY
            job.finished_at = timezone.now()
            job.expires_at = job.finished_at + datetime.timedelta(minutes=settings.PASSAGE_EXPORT_TTL_MINUTES)
            job.save()
    except Exception:
        # Not raised further: the job row says it failed, and the page tells the lawyer.
        logger.exception("Batch export %s failed.", job.pk)
        job.status = ExportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.skipped = skipped
        job.save(update_fields=["status", "finished_at", "skipped"])


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # no time of day in the archive: the log has it


def export_take(*, job: ExportJob, user: User, request: HttpRequest | None = None) -> bytes:
    """The ZIP, once: reading it destroys its key and deletes the file.

    Unsharing takes effect here too: if any case in the ZIP is no longer
    readable by the lawyer (unshared, end date passed, erased), nothing is
    read, the ZIP is destroyed, each such case is logged as a refusal, and
    DocumentError says why. Locks the job row (select_for_update) so two
    downloads at once cannot both read it.
    """
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update(of=("self",)).select_related("data_key").get(pk=job.pk)
        if not locked.is_ready:
            raise DocumentError(_("This export is no longer available. Start a new one."))
        withdrawn = _cases_no_longer_readable(job=locked, user=user)
        if withdrawn:
            _discard(locked, status=ExportJob.Status.WITHDRAWN)
        else:
            content = storages["default"].read_sealed(locked.stored_name, data_key_id=locked.data_key_id)
            _discard(locked, status=ExportJob.Status.DOWNLOADED)
    if withdrawn:
        logger.warning("Batch export %s destroyed at download: %s case(s) no longer readable.", job.pk, len(withdrawn))
        for reference in withdrawn:
            record_access(
                user=user,
                action=AccessEvent.Action.REFUSED,
                request=request,
                case_reference=reference,
                target=f"export {job.pk}",
                detail=str(AccessEvent.Action.BATCH_EXPORT),
            )
        raise DocumentError(
            _(
                "A case in this export is no longer shared with you, so the download was refused and the ZIP "
                "destroyed. Start a new export of the cases still shared with you."
            )
        )
    record_access(
        user=user,
        action=AccessEvent.Action.BATCH_EXPORT,
        request=request,
        target=f"export {job.pk}",
        detail=f"downloaded sha256:{hashlib.sha256(content).hexdigest()}",
    )
    return content


def _cases_no_longer_readable(*, job: ExportJob, user: User) -> list[str]:
    """References of the cases in the job's ZIP (those not skipped) that the user may not read today."""
    from cases.access import cases_for_user

    references = dict(Case.objects.filter(pk__in=job.case_ids).values_list("pk", "reference"))
    readable = set(
        cases_for_user(user).filter(pk__in=job.case_ids, erased_at__isnull=True).values_list("pk", flat=True)
    )
    labels = [(case_id, references.get(case_id) or f"#{case_id}") for case_id in job.case_ids]
    return [label for case_id, label in labels if label not in job.skipped and case_id not in readable]


def _discard(job: ExportJob, *, status: str) -> None:
    """Destroys the ZIP's key and deletes the file (inside the caller's transaction)."""
    name = job.stored_name
    if job.data_key is not None and not job.data_key.is_destroyed:
        destroy_data_key(data_key=job.data_key)
    job.status = status
    job.stored_name = ""
    job.save(update_fields=["status", "stored_name"])
    if name:
        transaction.on_commit(lambda: storages["default"].delete(name))


def purge_expired_exports(*, now: datetime.datetime | None = None) -> int:
    """Discards ZIPs past their hour, and marks jobs stuck for over an hour (a restarted process) as failed."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.READY, expires_at__lte=now).select_related("data_key"):
        with transaction.atomic():
            _discard(job, status=ExportJob.Status.EXPIRED)
        purged += 1
    stuck_since = now - datetime.timedelta(minutes=settings.PASSAGE_EXPORT_TTL_MINUTES)
    for job in ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], created_at__lt=stuck_since
    ):
        job.status = ExportJob.Status.FAILED
        job.finished_at = now
        job.save(update_fields=["status", "finished_at"])
    return purged


# ---- The export log ----------------------------------------------------------------------------------------


def record_export(
    *,
    user: User,
    reference: str,
    pdf: bytes,
    lang: str,
    annex: bool = False,
    batch: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> str:
    """Logs one exported summary with the SHA-256 of its bytes, so a copy found later can be matched to it."""
    digest = hashlib.sha256(pdf).hexdigest()
    detail = f"sha256:{digest} lang:{lang} annex:{int(annex)}"
    if batch is not None:
        detail += f" batch:{batch}"
    record_access(
        user=user,
        action=AccessEvent.Action.SUMMARY_EXPORT,
        request=request,
        case_reference=reference,
        detail=detail,
    )
    return digest
