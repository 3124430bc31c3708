"""The world of the access matrix: every persona, and one real object behind every URL parameter.

Every persona has an authenticator and recovery codes, and the sealed values of the world are
distinctive, so a response can be scanned for anything it must not carry."""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.models import User
from cases.models import Case
from vault.keys import key_scope

PERSONAS = (
    "anonymous",
    "caseworker",
    "other_caseworker",
    "coordinator",
    "lawyer",
    "other_lawyer",
    "administrator",
)


# Sealed values of the world besides the case's own (tests.conftest.SEALED_VALUES).
SHELTER_ADDRESS = "Reed lane 3 (fictional)"
EXPENSE_DESCRIPTION = "Expense-Fictional: bread for the Vorbl crossing"
PAPER_NOTE = "Paper-Fictional: the consul owes a stamp"
REQUEST_NOTE = "Request-Fictional: a room on the ground floor"
# The password of a failed sign-in, so that django-axes' record of it exists (and can be scanned).
WRONG_PASSWORD = "Wrong-Fictional-passphrase-17"


@dataclass
class World:
    users: dict[str, User | None]
    case: Case
    other_case: Case
    values: dict[str, object]  # URL key -> {parameter: value}, or parameter -> value
    sealed: list[str]  # sealed values of the world other than the case's personal data
    second_factor_secrets: dict[str, list[str]]  # persona -> their authenticator key (hex, base32), recovery codes


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _second_factor_secrets(user: User) -> list[str]:
    """The user's authenticator key, as hex and as base32 (plain, and grouped as the enrolment page shows
    it), and a fresh set of recovery codes."""
    from accounts.services import replace_recovery_codes
    from tests.conftest import confirmed_device

    device = confirmed_device(user)
    base32 = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    grouped = " ".join(base32[i : i + 4] for i in range(0, len(base32), 4))
    return [device.key, base32, base32.lower(), grouped, *replace_recovery_codes(user=user)]


def _admin_objects(users: dict[str, User | None]) -> dict[str, object]:
    """Real rows behind the admin's URLs: a failed sign-in recorded by django-axes, a group, a user."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    username = users["caseworker"].username
    Client().post("/accounts/login/", {"username": username, "password": WRONG_PASSWORD})
    attempt = AccessAttempt.objects.get(username=username)
    now = timezone.now()
    # Passage keeps neither log (AXES_DISABLE_ACCESS_LOG, no failure log); rows are made so their pages are real.
    log = AccessLog.objects.create(
        username=username, ip_address="192.0.2.1", user_agent="fictional", path_info="/", attempt_time=now
    )
    failure = AccessFailureLog.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="fictional",
        path_info="/accounts/login/",
        attempt_time=now,
        locked_out=False,
    )
    user_pk = users["caseworker"].pk
    group_pk = Group.objects.get(name="caseworker").pk
    values: dict[str, object] = {
        "admin:app_list": {"app_label": "accounts"},
        "admin:auth_user_password_change": {"id": user_pk},
        "/admin/(?P<url>.*)$": {"url": "no-such-page/"},
    }
    for model, pk in (
        ("accounts_user", user_pk),
        ("auth_group", group_pk),
        ("axes_accessattempt", attempt.pk),
        ("axes_accesslog", log.pk),
        ("axes_accessfailurelog", failure.pk),
    ):
        for view in ("change", "delete", "history"):
            values[f"admin:{model}_{view}"] = {"object_id": pk}
        app_label, model_name = model.split("_", 1)
        values[f"/admin/{app_label}/{model_name}/<path:object_id>/"] = {"object_id": pk}
    return values


def build_world(users: dict[str, User | None], open_case) -> World:
    from cases.money import ExpenseValues, FundValues, expense_add, fund_add
    from cases.stages import PaperValues, paper_add
    from documents.content import check_upload
    from documents.services import case_share, document_upload, export_start
    from shelters.models import KeepApart
    from shelters.services import case_place_in_shelter, keep_apart_add, place_request_create, shelter_create

    caseworker, coordinator, lawyer = users["caseworker"], users["coordinator"], users["lawyer"]
    case = open_case(caseworker)
    other_case = open_case(caseworker, legal_name="Second Fictional")
    today = timezone.localdate()
    with key_scope():
        case_share(case=case, lawyer=lawyer, by=caseworker)
        document = document_upload(
            case=case, user=caseworker, checked=check_upload(_png()), kind="photo", title="Photo"
        )
        paper = paper_add(
            case=case, user=caseworker, values=PaperValues(kind="visa", status="needed", notes=PAPER_NOTE)
        )
        expense = expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(
                stage="food",
                amount=Decimal("12.00"),
                currency="EUR",
                rate_to_eur=Decimal("1"),
                spent_on=today - datetime.timedelta(days=1),
                description=EXPENSE_DESCRIPTION,
                state="committed",
            ),
        )
        fund = fund_add(
            user=coordinator,
            values=FundValues(source="Fictional appeal", amount=Decimal("1000"), currency="EUR", received_on=today),
        )
        shelter = shelter_create(
            by=coordinator,
            data={"code_name": "Heron", "city": "Fictionburg", "capacity": 3, "address": SHELTER_ADDRESS},
        )
        stay = case_place_in_shelter(case=case, shelter=shelter, starts_on=today, by=coordinator)
        wanted = place_request_create(case=other_case, wanted_from=today, note=REQUEST_NOTE, by=caseworker)
        pair, _shared = keep_apart_add(case=case, other=other_case, reason=KeepApart.Reason.values[0], by=coordinator)
        job = export_start(user=lawyer, references=[case.reference], lang="en")
    values = {
        "reference": case.reference,
        "kind": "food",
        "number": document.number,
        "job_id": job.pk,
        "cases:paper_update": {"pk": paper.pk},
        "cases:paper_delete": {"pk": paper.pk},
        "cases:expense_edit": {"pk": expense.pk},
        "cases:expense_paid": {"pk": expense.pk},
        "cases:expense_delete": {"pk": expense.pk},
        "cases:expense_reverse": {"pk": expense.pk},
        "money:fund_edit": {"pk": fund.pk},
        "shelters:detail": {"pk": shelter.pk},
        "shelters:edit": {"pk": shelter.pk},
        "shelters:erase": {"pk": shelter.pk},
        "shelters:end": {"pk": stay.pk},
        "shelters:request_withdraw": {"reference": other_case.reference, "pk": wanted.pk},
        "shelters:grant": {"reference": other_case.reference, "pk": wanted.pk},
        "shelters:decline": {"reference": other_case.reference, "pk": wanted.pk},
        "shelters:keep_apart_remove": {"pk": pair.pk},
        # What the admin would link to "on the site": a case (the administrator is refused it there).
        "admin:view_on_site": {"content_type_id": ContentType.objects.get_for_model(Case).pk, "object_id": case.pk},
        **_admin_objects(users),
    }
    secrets = {persona: _second_factor_secrets(user) for persona, user in users.items() if user is not None}
    return World(
        users=users,
        case=case,
        other_case=other_case,
        values=values,
        sealed=[SHELTER_ADDRESS, EXPENSE_DESCRIPTION, PAPER_NOTE, REQUEST_NOTE],
        second_factor_secrets=secrets,
    )
