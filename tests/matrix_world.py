"""The world of the access matrix: every persona, and one real object behind every URL parameter."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass
class World:
    users: dict[str, User | None]
    case: Case
    other_case: Case
    values: dict[str, object]  # URL name -> {parameter: value}, or parameter -> value


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


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
        paper = paper_add(case=case, user=caseworker, values=PaperValues(kind="visa", status="needed"))
        expense = expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(
                stage="food",
                amount=Decimal("12.00"),
                currency="EUR",
                rate_to_eur=Decimal("1"),
                spent_on=today - datetime.timedelta(days=1),
                description="Fictional bread",
                state="committed",
            ),
        )
        fund = fund_add(
            user=coordinator,
            values=FundValues(source="Fictional appeal", amount=Decimal("1000"), currency="EUR", received_on=today),
        )
        shelter = shelter_create(
            by=coordinator,
            data={"code_name": "Heron", "city": "Fictionburg", "capacity": 3, "address": "Reed lane 3 (fictional)"},
        )
        stay = case_place_in_shelter(case=case, shelter=shelter, starts_on=today, by=coordinator)
        wanted = place_request_create(case=other_case, wanted_from=today, note="", by=caseworker)
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
    }
    return World(users=users, case=case, other_case=other_case, values=values)
