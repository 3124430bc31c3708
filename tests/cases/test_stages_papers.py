"""The travel-documents checklist: papers, their status and dates, and the expiry flag on the case and the list."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import Case, TravelPaper
from cases.stages import PaperValues, StageError, paper_add, paper_delete, paper_update
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def add(case, user, **values) -> TravelPaper:
    with key_scope():
        return paper_add(case=case, user=user, values=PaperValues(**({"kind": "visa", "status": "needed"} | values)))


def test_papers_are_listed_with_status_dates_and_sealed_notes(case, caseworker):
    paper = add(
        case,
        caseworker,
        kind="international_passport",
        status="obtained",
        applied_on=TODAY - 90 * DAY,
        obtained_on=TODAY - 30 * DAY,
        expires_on=TODAY + 3650 * DAY,
        notes="Fictional: collected at the consulate",
    )
    paper.refresh_from_db()
    assert (paper.kind, paper.status, paper.history.count()) == ("international_passport", "obtained", 1)
    with key_scope():
        assert TravelPaper.objects.get().notes == "Fictional: collected at the consulate"
    assert AccessEvent.objects.filter(action="paper_update", target="international_passport").exists()


def test_a_paper_in_hand_expiring_within_the_warning_days_is_flagged(case, caseworker, settings):
    settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS = 60
    soon = add(case, caseworker, status="obtained", obtained_on=TODAY - DAY, expires_on=TODAY + 60 * DAY)
    later = add(case, caseworker, kind="other", status="obtained", obtained_on=TODAY - DAY, expires_on=TODAY + 61 * DAY)
    assert soon.is_expiring_soon and not later.is_expiring_soon
    assert list(TravelPaper.objects.expiring()) == [soon]
    assert Case.objects.with_flags().get(pk=case.pk).has_expiring_paper
    settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS = 30
    assert not Case.objects.with_flags().get(pk=case.pk).has_expiring_paper


def test_an_expired_paper_is_flagged_too_but_not_one_refused_or_only_applied_for(case, caseworker):
    expired = add(case, caseworker, status="obtained", obtained_on=TODAY - 400 * DAY, expires_on=TODAY - DAY)
    assert expired.is_expired and expired.is_expiring_soon
    with key_scope():
        paper_update(paper=expired, user=caseworker, values=PaperValues(kind="visa", status="refused"))
    add(case, caseworker, status="applied", applied_on=TODAY - DAY, expires_on=TODAY + DAY)
    assert not Case.objects.with_flags().get(pk=case.pk).has_expiring_paper


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"status": "applied", "applied_on": TODAY + DAY}, "applied_on", "cannot be in the future"),
        (
            {"status": "obtained", "applied_on": TODAY - DAY, "obtained_on": TODAY - 5 * DAY},
            "obtained_on",
            "before it was applied for",
        ),
        (
            {"status": "obtained", "obtained_on": TODAY - DAY, "expires_on": TODAY - 2 * DAY},
            "expires_on",
            "expire before it was obtained",
        ),
        ({"status": "applied", "obtained_on": TODAY - DAY}, "obtained_on", "Only a paper obtained"),
        ({"kind": "driving_licence"}, "kind", "Choose one of the papers"),
        ({"status": "lost"}, "status", "Choose one of the statuses"),
        ({"expires_on": datetime.date(1999, 1, 1)}, "expires_on", "Check the year"),
    ],
)
def test_bad_paper_input_saves_nothing(case, caseworker, values, field, message):
    with pytest.raises(StageError) as refused:
        add(case, caseworker, **values)
    assert message in refused.value.errors[field]
    assert not TravelPaper.objects.exists()


def test_a_paper_listed_by_mistake_is_removed_and_its_history_keeps_it(case, caseworker):
    paper = add(case, caseworker)
    paper_delete(paper=paper, user=caseworker)
    assert not TravelPaper.objects.exists()
    assert list(TravelPaper.history.values_list("history_type", flat=True).order_by("history_id")) == ["+", "-"]


# ---- Through the case page ---------------------------------------------------------------------------------


def test_a_paper_is_added_and_changed_from_the_case_page(client_for, caseworker, case):
    client = client_for(caseworker)
    response = client.post(
        f"/cases/{case.reference}/papers/",
        {"paper-new-kind": "visa", "paper-new-status": "applied", "paper-new-applied_on": "2026-03-01"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#papers")
    paper = TravelPaper.objects.get()
    expires = (TODAY + 20 * DAY).isoformat()
    response = client.post(
        f"/cases/{case.reference}/papers/{paper.pk}/",
        {
            f"paper-{paper.pk}-kind": "visa",
            f"paper-{paper.pk}-status": "obtained",
            f"paper-{paper.pk}-applied_on": "2026-03-01",
            f"paper-{paper.pk}-obtained_on": TODAY.isoformat(),
            f"paper-{paper.pk}-expires_on": expires,
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#paper-{paper.pk}")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "expires in 20 days" in page
    assert "1 paper expiring" in page
    listed = client.get("/cases/").content.decode()
    assert "paper expiring" in listed


def test_bad_input_on_the_page_comes_back_with_the_message(client_for, caseworker, case):
    response = client_for(caseworker).post(
        f"/cases/{case.reference}/papers/",
        {"paper-new-kind": "visa", "paper-new-status": "applied", "paper-new-applied_on": "2999-01-01"},
    )
    assert response.status_code == 200
    assert "This date cannot be in the future" in response.content.decode()
    assert not TravelPaper.objects.exists()


def test_removing_a_paper_twice_says_it_is_gone_and_harms_nothing(client_for, caseworker, case):
    paper = add(case, caseworker)
    client = client_for(caseworker)
    url = f"/cases/{case.reference}/papers/{paper.pk}/delete/"
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)
    assert "That paper is not on the list (any more)." in again.content.decode()
    assert not TravelPaper.objects.exists()
