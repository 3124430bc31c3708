"""Sharing a case with a lawyer: who may share, what the lawyer then reads, and how an end takes effect."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AccessEvent
from cases.access import cases_for_user, get_case_for_user
from documents.models import CaseShare
from tests.conftest import SEALED_VALUES

pytestmark = pytest.mark.django_db


def case_url(case) -> str:
    return f"/cases/{case.reference}/"


def share_url(case) -> str:
    return f"/cases/{case.reference}/share/"


def unshare_url(case) -> str:
    return f"/cases/{case.reference}/unshare/"


def pass_the_end_date(share: CaseShare) -> None:
    """As if the days had passed: the share's end date is yesterday."""
    share.until = timezone.localdate() - datetime.timedelta(days=1)
    share.save()


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_the_caseworker_or_a_coordinator_shares_the_case(request, client_for, case, lawyer, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(share_url(case)).status_code == 200
    response = client.post(share_url(case), {"lawyer": lawyer.username, "until": ""})
    assert response.status_code == 302
    share = CaseShare.objects.get()
    assert (share.case, share.lawyer, share.shared_by, share.until) == (case, lawyer, user, None)
    assert lawyer.has_perm("cases.view_case", case)
    event = AccessEvent.objects.get(action="case_share")
    assert (event.username, event.case_reference, event.target) == (user.username, case.reference, lawyer.username)


def test_the_lawyer_then_reads_the_case_with_its_sealed_fields_and_cannot_edit(client_for, lawyer, shared_case):
    client = client_for(lawyer)
    response = client.get(case_url(shared_case))
    assert response.status_code == 200
    body = response.content.decode()
    assert SEALED_VALUES["narrative"] in body and SEALED_VALUES["legal_name"] in body
    access = get_case_for_user(lawyer, shared_case.reference, log=False)
    assert (access.can_read_sealed, access.can_edit, access.can_manage) == (True, False, False)
    assert client.get(f"/cases/{shared_case.reference}/edit/").status_code == 403
    assert client.post(f"/cases/{shared_case.reference}/documents/new/", {}).status_code == 403


def test_the_lawyer_sees_since_when_it_is_shared_but_no_sharing_controls(client_for, lawyer, shared_case):
    body = client_for(lawyer).get(case_url(shared_case)).content.decode()
    assert "Shared with you on" in body
    assert "Share with a lawyer" not in body and "Stop sharing" not in body


def test_sharing_until_a_date_ends_on_the_next_request_after_it(client_for, lawyer, caseworker, case, share):
    today = timezone.localdate()
    current = share(case, lawyer, by=caseworker, until=today)
    client = client_for(lawyer)
    assert client.get(case_url(case)).status_code == 200  # the last day is included
    pass_the_end_date(current)
    assert client.get(case_url(case)).status_code == 404
    assert cases_for_user(lawyer).count() == 0
    assert client.get(f"/cases/{case.reference}/summary.pdf").status_code == 404
    assert AccessEvent.objects.filter(username=lawyer.username, action="refused").count() == 2


def test_unsharing_takes_effect_on_the_next_request(client_for, lawyer, caseworker, shared_case):
    lawyer_client = client_for(lawyer)
    assert lawyer_client.get(case_url(shared_case)).status_code == 200
    response = client_for(caseworker).post(unshare_url(shared_case), {"lawyer": lawyer.username})
    assert response.status_code == 302
    assert lawyer_client.get(case_url(shared_case)).status_code == 404
    share = CaseShare.objects.get()
    assert share.revoked_at is not None and share.revoked_by == caseworker
    assert not lawyer.has_perm("cases.view_case", shared_case)
    event = AccessEvent.objects.get(action="case_unshare")
    assert (event.username, event.target) == (caseworker.username, lawyer.username)


def test_a_guardian_grant_alone_opens_nothing_to_a_lawyer(client_for, lawyer, case):
    from guardian.shortcuts import assign_perm

    assign_perm("cases.view_case", lawyer, case)  # e.g. left behind by hand: no share, no access
    assert client_for(lawyer).get(case_url(case)).status_code == 404
    assert cases_for_user(lawyer).count() == 0


def test_sharing_and_unsharing_show_on_the_case_page(client_for, caseworker, lawyer, shared_case):
    client = client_for(caseworker)
    body = client.get(case_url(shared_case)).content.decode()
    assert "Shared with lawyers" in body and lawyer.username in body and "active" in body
    client.post(unshare_url(shared_case), {"lawyer": lawyer.username})
    body = client.get(case_url(shared_case)).content.decode()
    assert "ended " in body and lawyer.username in body


def test_sharing_again_changes_the_end_date_of_the_open_share(client_for, caseworker, lawyer, shared_case):
    until = timezone.localdate() + datetime.timedelta(days=30)
    client_for(caseworker).post(share_url(shared_case), {"lawyer": lawyer.username, "until": until.isoformat()})
    share = CaseShare.objects.get()
    assert share.until == until
    assert share.history.count() == 2


def test_sharing_again_after_the_end_date_starts_a_new_period(client_for, caseworker, lawyer, case, share):
    first = share(case, lawyer, by=caseworker, until=timezone.localdate())
    pass_the_end_date(first)
    client_for(caseworker).post(share_url(case), {"lawyer": lawyer.username, "until": ""})
    assert CaseShare.objects.count() == 2
    assert CaseShare.objects.active().get().until is None
    assert client_for(lawyer).get(case_url(case)).status_code == 200


def test_an_end_date_in_the_past_is_refused_and_nothing_is_shared(client_for, caseworker, lawyer, case):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(caseworker).post(share_url(case), {"lawyer": lawyer.username, "until": yesterday})
    assert response.status_code == 200
    assert "cannot be in the past" in response.content.decode()
    assert not CaseShare.objects.exists()


def test_only_lawyers_can_be_chosen(client_for, caseworker, other_caseworker, case):
    response = client_for(caseworker).post(share_url(case), {"lawyer": other_caseworker.username})
    assert response.status_code == 200
    assert response.context["form"].errors["lawyer"]
    assert not CaseShare.objects.exists()


def test_a_deactivated_lawyer_cannot_be_chosen(client_for, caseworker, lawyer, case):
    lawyer.is_active = False
    lawyer.save()
    response = client_for(caseworker).post(share_url(case), {"lawyer": lawyer.username})
    assert response.context["form"].errors["lawyer"]


def test_unsharing_a_lawyer_it_is_not_shared_with_says_so(client_for, caseworker, other_lawyer, shared_case):
    response = client_for(caseworker).post(unshare_url(shared_case), {"lawyer": other_lawyer.username}, follow=True)
    assert "not shared with that lawyer" in response.content.decode()
    assert CaseShare.objects.active().count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_caseworker", 404), ("lawyer", 403), ("other_lawyer", 403), ("administrator", 403)],
)
def test_nobody_else_shares_or_unshares(request, client_for, shared_case, other_lawyer, lawyer, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(share_url(shared_case)).status_code == status
    assert client.post(share_url(shared_case), {"lawyer": other_lawyer.username}).status_code == status
    assert client.post(unshare_url(shared_case), {"lawyer": lawyer.username}).status_code == status
    assert list(CaseShare.objects.active().values_list("lawyer__username", flat=True)) == [lawyer.username]


def test_an_anonymous_visitor_shares_nothing(client, case, lawyer):
    response = client.post(share_url(case), {"lawyer": lawyer.username})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not CaseShare.objects.exists()


def test_unsharing_needs_post(client_for, caseworker, shared_case):
    assert client_for(caseworker).get(unshare_url(shared_case)).status_code == 405


def test_the_command_ends_shares_past_their_date_and_removes_the_grant(lawyer, caseworker, case, share):
    current = share(case, lawyer, by=caseworker, until=timezone.localdate())
    pass_the_end_date(current)
    assert lawyer.has_perm("cases.view_case", case)
    call_command("end_expired_shares")
    current.refresh_from_db()
    assert current.revoked_at is not None
    from accounts.models import User

    assert not User.objects.get(pk=lawyer.pk).has_perm("cases.view_case", case)


def test_the_share_page_runs_a_fixed_number_of_queries(client_for, caseworker, case, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import Role

    client = client_for(caseworker)
    client.get(share_url(case))
    with CaptureQueriesContext(connection) as few:
        client.get(share_url(case))
    for number in range(5):
        make_user(f"lawyer_{number}", Role.LAWYER)
    with CaptureQueriesContext(connection) as many:
        client.get(share_url(case))
    assert len(many.captured_queries) == len(few.captured_queries)
