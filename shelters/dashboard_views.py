"""The coordinator's pages: the dashboard, the donor report, and assigning caseworkers.

All by case reference: nothing here opens a sealed value.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import role_required
from accounts.models import User
from accounts.roles import Role
from audit.models import AccessEvent
from audit.services import record_access
from cases import services as case_services
from cases.access import CHANGE, get_case_for_user
from cases.models import Case, CaseUserObjectPermission
from cases.stages import with_list_figures
from documents.pdf import render_pdf
from shelters import dashboard as figures
from shelters import donor_report
from shelters.charts import column_chart
from shelters.forms import AssignmentForm, DonorReportForm
from shelters.occupancy import full_percent

UNASSIGNED_PER_PAGE = 50


def dashboard_figures(*, today) -> dict:
    """Every figure of the dashboard, by case reference only: a fixed number of queries."""
    shelters = figures.shelter_figures(
        today=today,
        chart_title=_("Beds taken tonight"),
        chart_description=_(
            "For the fullest open safe houses, a bar as long as the house's beds, filled up to the beds "
            "taken tonight. The table below gives every figure."
        ),
    )
    money = figures.money_figures(today=today)
    money.chart = column_chart(
        [(formats.date_format(month, "M y"), total) for month, total in money.by_month],
        title=_("Spending by month (EUR)"),
        description=_(
            "Committed and paid expenses in EUR for each of the last twelve months, oldest first. "
            "The table next to the chart gives every figure."
        ),
    )
    waiting, due = figures.pending_requests(today=today)
    papers, papers_total = figures.papers_expiring(today=today)
    counts = figures.case_status_counts()
    return {
        "today": today,
        "computed_at": timezone.now(),
        "shelters": shelters,
        "statuses": [(str(label), counts[value]) for value, label in Case.Status.choices],
        "pipeline": figures.pipeline_figures(today=today),
        "money": money,
        "full_percent": full_percent(),
        "paper_warning_days": settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS,
        "alerts": {
            "full": shelters.full,
            "urgent_unplaced": figures.urgent_without_placement(today=today),
            "requests_waiting": waiting,
            "requests_due": due,
            "kept_apart_together": figures.keep_apart_conflicts(today=today),
            "papers": papers,
            "papers_total": papers_total,
            "over_budget": figures.over_budget_cases(),
        },
    }


@require_GET
@role_required(Role.COORDINATOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures, rendered, are kept for PASSAGE_DASHBOARD_CACHE_SECONDS (per day and language; case
    references and counts only, nothing sealed and nothing of the user), so a busy team does not
    recompute them on every visit; `?fresh=1` recomputes them now."""
    today = timezone.localdate()
    seconds = settings.PASSAGE_DASHBOARD_CACHE_SECONDS
    key = f"shelters:dashboard:{today.isoformat()}:{translation.get_language()}"
    figures_html = cache.get(key) if seconds and request.GET.get("fresh") != "1" else None
    context: dict = {"report_form": DonorReportForm(initial=DonorReportForm.default_period(today))}
    if figures_html is None:
        computed = dashboard_figures(today=today)
        figures_html = render_to_string("shelters/includes/dashboard_figures.html", computed)
        if seconds:
            cache.set(key, figures_html, seconds)
        context.update(computed)  # for whoever inspects this response (the tests)
    context["figures_html"] = figures_html
    return render(request, "shelters/dashboard.html", context)


def caseworker_loads() -> QuerySet[User]:
    """Active caseworkers with `open_cases` (assigned, not closed, not erased) and `urgent_cases`: one query."""
    grants = CaseUserObjectPermission.objects.filter(
        user=OuterRef("pk"),
        permission__codename=CHANGE,
        content_object__erased_at__isnull=True,
    ).exclude(content_object__status=Case.Status.CLOSED)

    def count(queryset) -> Coalesce:
        counted = queryset.order_by().values("user").annotate(number=Count("pk")).values("number")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return (
        User.objects.filter(is_active=True, groups__name=Role.CASEWORKER.value)
        .annotate(
            open_cases=count(grants),
            urgent_cases=count(grants.filter(content_object__risk=Case.Risk.URGENT)),
        )
        .order_by("username")
    )


def unassigned_cases() -> QuerySet[Case]:
    """Open cases nobody is assigned to: the most at risk first, then the longest waiting."""
    assigned = CaseUserObjectPermission.objects.filter(content_object=OuterRef("pk"), permission__codename=CHANGE)
    urgency = Case.Risk.values[::-1]  # urgent, high, medium, low
    order = models.Case(
        *[models.When(risk=value, then=Value(rank)) for rank, value in enumerate(urgency)],
        output_field=IntegerField(),
    )
    return (
        figures.active_cases()
        .filter(~Exists(assigned))
        .annotate(urgency=order)
        .order_by("urgency", "intake_date", "pk")
        .only("id", "reference", "risk", "status", "intake_date")
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def assignments(request: HttpRequest) -> HttpResponse:
    loads = list(caseworker_loads())
    if request.method == "POST":
        form = AssignmentForm(request.POST, caseworkers=User.objects.filter(pk__in=[user.pk for user in loads]))
        if form.is_valid():
            access = get_case_for_user(
                request.user, form.cleaned_data["reference"], write=True, request=request, log=False
            )
            caseworker = form.cleaned_data["caseworker"]
            try:
                case_services.case_assign(case=access.case, caseworker=caseworker, by=request.user, request=request)
            except case_services.CaseError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(user)s is assigned to %(reference)s.")
                    % {"user": caseworker.username, "reference": access.case.reference},
                )
        else:
            messages.error(request, _("Choose a caseworker to assign."))
        return redirect("shelters:assignments")
    page = Paginator(unassigned_cases(), UNASSIGNED_PER_PAGE).get_page(request.GET.get("page"))
    # The current stage and its flags, as every list shows them: one query for the page.
    page.object_list = with_list_figures(list(page.object_list), money=False)
    return render(request, "shelters/assignments.html", {"page": page, "loads": loads})


def _report_period(request: HttpRequest) -> tuple[DonorReportForm, dict | None]:
    form = DonorReportForm(request.GET)
    return form, (form.cleaned_data if form.is_valid() else None)


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _report_name(period: dict, extension: str) -> str:
    return f"passage-donor-report-{period['date_from']:%Y-%m-%d}-to-{period['date_to']:%Y-%m-%d}.{extension}"


@require_GET
@role_required(Role.COORDINATOR)
def donor_report_csv(request: HttpRequest) -> HttpResponse:
    form, period = _report_period(request)
    if period is None:
        return render(request, "shelters/donor_report_form.html", {"form": form})
    report = donor_report.donor_report(date_from=period["date_from"], date_to=period["date_to"])
    content = donor_report.as_csv(report)
    record_access(
        user=request.user,
        action=AccessEvent.Action.REPORT_EXPORT,
        request=request,
        detail=f"csv {period['date_from']}..{period['date_to']}",
    )
    return _download(content, content_type="text/csv; charset=utf-8", filename=_report_name(period, "csv"))


@require_GET
@role_required(Role.COORDINATOR)
def donor_report_pdf(request: HttpRequest) -> HttpResponse:
    form, period = _report_period(request)
    if period is None:
        return render(request, "shelters/donor_report_form.html", {"form": form})
    report = donor_report.with_chart(
        donor_report.donor_report(date_from=period["date_from"], date_to=period["date_to"])
    )
    content = render_pdf(
        "shelters/donor_report_pdf.html",
        {"report": report, "figures": donor_report.summary_rows(report)},
        title=_("Donor report %(start)s to %(end)s")
        % {"start": period["date_from"].isoformat(), "end": period["date_to"].isoformat()},
        lang=translation.get_language() if translation.get_language() in dict(settings.LANGUAGES) else "en",
    )
    record_access(
        user=request.user,
        action=AccessEvent.Action.REPORT_EXPORT,
        request=request,
        detail=f"pdf {period['date_from']}..{period['date_to']}",
    )
    return _download(content, content_type="application/pdf", filename=_report_name(period, "pdf"))
