"""The coordinator's access-log page: every recorded access, filtered, with unusual reading flagged."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.roles import Role
from audit.forms import AccessLogFilterForm
from audit.models import AccessEvent

EVENTS_PER_PAGE = 50
# With no start date, unusual reading is looked for over this many days before the end of the
# period, so the page does not aggregate the whole history of the log on every visit.
UNUSUAL_READING_DEFAULT_DAYS = 30
UNUSUAL_READING_ROWS = 100


@require_GET
@role_required(Role.COORDINATOR)
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET)
    context: dict = {"form": form, "limit": settings.PASSAGE_UNUSUAL_READS_PER_HOUR}
    if not form.is_valid():
        return render(request, "audit/access_log.html", context)

    since, until = form.since(), form.until()
    events = (
        AccessEvent.objects.matching(
            username=form.cleaned_data["username"],
            case_reference=form.cleaned_data["case_reference"],
            since=since,
            until=until,
        )
        .only("id", "at", "username", "action", "case_reference", "target", "detail", "address")
        .order_by("-id")
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))

    flag_until = until or timezone.now()
    flag_since = since or flag_until - timedelta(days=UNUSUAL_READING_DEFAULT_DAYS)
    unusual = list(
        AccessEvent.objects.matching(since=flag_since, until=until).unusual_reading(
            more_than=settings.PASSAGE_UNUSUAL_READS_PER_HOUR
        )[: UNUSUAL_READING_ROWS + 1]
    )
    context.update(
        {
            "page": page,
            "unusual": unusual[:UNUSUAL_READING_ROWS],
            "unusual_truncated": len(unusual) > UNUSUAL_READING_ROWS,
            "flag_since": flag_since,
            "flag_until": flag_until,
        }
    )
    return render(request, "audit/access_log.html", context)
