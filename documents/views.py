"""Pages of the documents app: upload and download, sharing with lawyers, the summary PDF, batch exports,
and the lawyer's list of shared cases. Every case is reached through cases.access.get_case_for_user."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import User
from accounts.roles import Role
from audit.models import AccessEvent
from audit.services import record_access
from cases.access import cases_for_user, get_case_for_user
from cases.models import Stage
from documents import services
from documents.forms import DocumentForm, ExportForm, ShareForm, SummaryForm, UnshareForm
from documents.models import CaseShare, ExportJob
from documents.summary import SummaryError, may_export_summary, summary_pdf
from vault.keys import prefetch_data_keys

READERS = (Role.CASEWORKER, Role.LAWYER, Role.COORDINATOR)


def file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download: never shown inline, never cached, never sniffed as another type."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(content))
    return response


# ---- Documents ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def document_upload(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False, log_refusal=True)
    case = access.case
    if not access.can_edit:
        raise Http404
    form = DocumentForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                case=case,
                user=request.user,
                checked=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                travel_paper=form.cleaned_data["travel_paper"],
                request=request,
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Document %(number)s is stored, encrypted.") % {"number": document.number})
            return redirect(case)
    return render(request, "documents/document_form.html", {"case": case, "access": access, "form": form})


@require_GET
@role_required(*READERS)
def document_download(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    access = get_case_for_user(
        request.user,
        reference,
        request=request,
        action=AccessEvent.Action.DOCUMENT_DOWNLOAD,
        read_sealed=True,
        log=False,
        log_refusal=True,
    )
    document = get_object_or_404(access.case.documents.current(), number=number)
    content = services.document_content(document=document)
    record_access(
        user=request.user,
        action=AccessEvent.Action.DOCUMENT_DOWNLOAD,
        request=request,
        case_reference=access.case.reference,
        target=f"document {document.number}",
        # A coordinator's download under an open break-glass is marked like their reading of the case page.
        detail="break-glass" if access.break_glass else "",
    )
    return file_response(
        content, content_type=document.content_type, filename=document.download_name(access.case.reference)
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def document_remove(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    """GET asks to confirm (evidence is not deleted by a slip of the finger); POST deletes the file."""
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False, log_refusal=True)
    if not access.can_edit:
        raise Http404
    document = get_object_or_404(access.case.documents.current(), number=number)
    if request.method == "GET":
        return render(request, "documents/document_remove.html", {"case": access.case, "document": document})
    services.document_remove(document=document, user=request.user, request=request)
    messages.success(request, _("Document %(number)s is removed; its file is deleted.") % {"number": number})
    return redirect(access.case)


# ---- Sharing -----------------------------------------------------------------------------------------------


def _case_to_share(request: HttpRequest, reference: str):
    """The case, for its caseworkers and coordinators; 404 (logged) for anyone else."""
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False, log_refusal=True)
    if not (access.can_edit or access.can_manage):
        raise Http404
    return access


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER, Role.COORDINATOR)
def case_share(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case_to_share(request, reference)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lawyer = form.cleaned_data["lawyer"]
        try:
            services.case_share(
                case=access.case, lawyer=lawyer, by=request.user, until=form.cleaned_data["until"], request=request
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The case is shared with %(user)s.") % {"user": lawyer.username})
            return redirect(access.case)
    return render(request, "documents/share_form.html", {"case": access.case, "access": access, "form": form})


@require_POST
@role_required(Role.CASEWORKER, Role.COORDINATOR)
def case_unshare(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case_to_share(request, reference)
    form = UnshareForm(request.POST)
    lawyer = None
    if form.is_valid():
        share = (
            CaseShare.objects.open()
            .filter(case=access.case, lawyer__username=form.cleaned_data["lawyer"])
            .select_related("lawyer")
            .first()
        )
        lawyer = share.lawyer if share is not None else None
    if lawyer is None:
        messages.error(request, _("This case is not shared with that lawyer."))
    else:
        services.case_unshare(case=access.case, lawyer=lawyer, by=request.user, request=request)
        messages.success(request, _("%(user)s can no longer read this case.") % {"user": lawyer.username})
    return redirect(access.case)


# ---- The summary PDF ---------------------------------------------------------------------------------------


def _summary_language(form: SummaryForm) -> str:
    if form.cleaned_data["lang"]:
        return form.cleaned_data["lang"]
    current = (get_language() or "en")[:2]
    return current if current in ("en", "ru") else "en"


@require_GET
@role_required(*READERS)
def summary(request: HttpRequest, reference: str) -> HttpResponse:
    form = SummaryForm(request.GET)
    if not form.is_valid():
        raise BadRequest("lang must be en or ru")
    access = get_case_for_user(
        request.user,
        reference,
        request=request,
        action=AccessEvent.Action.SUMMARY_EXPORT,
        read_sealed=True,
        log=False,
        log_refusal=True,
    )
    if not may_export_summary(access):
        record_access(
            user=request.user,
            action=AccessEvent.Action.REFUSED,
            request=request,
            case_reference=access.case.reference,
            detail=str(AccessEvent.Action.SUMMARY_EXPORT),
        )
        raise Http404
    lang = _summary_language(form)
    annex = form.cleaned_data["annex"]
    try:
        pdf = summary_pdf(access=access, user=request.user, lang=lang, annex=annex)
    except SummaryError as error:
        messages.error(request, str(error))
        return redirect(access.case)
    services.record_export(
        user=request.user, reference=access.case.reference, pdf=pdf, lang=lang, annex=annex, request=request
    )
    suffix = "-annex" if annex else ""
    return file_response(
        pdf, content_type="application/pdf", filename=f"{access.case.reference}-summary-{lang}{suffix}.pdf"
    )


# ---- The lawyer's cases and batch exports ------------------------------------------------------------------


def shared_cases(user: User):
    """The cases shared with a lawyer today, with the date shared, the end date and the current stage."""
    share = CaseShare.objects.active().filter(case=OuterRef("pk"), lawyer=user).order_by("-shared_at")
    return (
        cases_for_user(user)
        .with_current_stage()
        .annotate(shared_at=Subquery(share.values("shared_at")[:1]), shared_until=Subquery(share.values("until")[:1]))
        .select_related("data_key")
        .order_by("-shared_at", "reference")
    )


def lawyer_case_list(request: HttpRequest) -> HttpResponse:
    """/cases/ for a lawyer (called by cases.views.case_list): the cases shared with them."""
    record_access(user=request.user, action=AccessEvent.Action.CASE_LIST, request=request)
    page = Paginator(shared_cases(request.user), 50).get_page(request.GET.get("page"))
    prefetch_data_keys(case.data_key_id for case in page if not case.is_erased)
    stage_labels = dict(Stage.Kind.choices)
    for case in page:
        case.current_stage_label = stage_labels.get(case.current_stage, "")
    since = timezone.now() - datetime.timedelta(days=1)
    exports = ExportJob.objects.filter(requested_by=request.user, created_at__gte=since)[:5]
    context = {
        "page": page,
        "export_form": ExportForm(references=[case.reference for case in page]),
        "exports": exports,
    }
    return render(request, "documents/lawyer_case_list.html", context)


@require_POST
@role_required(Role.LAWYER)
def export_create(request: HttpRequest) -> HttpResponse:
    references = list(cases_for_user(request.user).values_list("reference", flat=True))
    form = ExportForm(request.POST, references=references)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cases:list")
    try:
        job = services.export_start(
            user=request.user, references=form.cleaned_data["cases"], lang=form.cleaned_data["lang"], request=request
        )
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect("cases:list")
    return redirect("documents:export", job_id=job.pk)


def _own_job(request: HttpRequest, job_id) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, requested_by=request.user)


@require_GET
@role_required(Role.LAWYER)
def export_status(request: HttpRequest, job_id) -> HttpResponse:
    services.purge_expired_exports()
    job = _own_job(request, job_id)
    return render(request, "documents/export_status.html", {"job": job, "refresh": job.is_working})


@require_POST
@role_required(Role.LAWYER)
def export_download(request: HttpRequest, job_id) -> HttpResponse:
    job = _own_job(request, job_id)
    try:
        content = services.export_take(job=job, user=request.user, request=request)
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect(reverse("documents:export", kwargs={"job_id": job.pk}))
    return file_response(content, content_type="application/zip", filename=job.download_name())
