"""Bad input at scale: generated values posted to every form of the access matrix, as a user it is for.

Hypothesis draws, for each URL that accepts a POST from somebody, dicts of
the form field names Passage uses (every field of every form of every app)
with hostile values: empty, huge, control characters, NUL bytes, numbers that
are not numbers, dates that do not exist. Whatever is sent, the answer is
never a server error (the test client re-raises any exception), and the
database is never left half-written: the invariants below hold after every
request. Each request is rolled back, so each one meets the same world.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django import forms
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.matrix_world import PERSONAS
from tests.test_access_matrix import EXPECTED, Rollback, url_for, url_names, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

FORM_MODULES = ("accounts.forms", "audit.forms", "cases.forms", "documents.forms", "operations.forms", "shelters.forms")
# Endpoints whose whole point is to end the caller's sessions: they are fuzzed too, but an empty
# POST already does what they are for, so the world is rebuilt for them like for any other.
AUTHORISED = {200, 302}


def field_names() -> list[str]:
    names: set[str] = {"version", "entry_token", "confirm", "next", "language", "q"}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                names.update(getattr(value, "base_fields", {}))
    return sorted(names)


def post_targets() -> list[tuple[str, str]]:
    """(URL name, persona) for every URL some persona may POST to: the first such persona."""
    targets = []
    for name, methods in sorted(EXPECTED.items()):
        statuses = methods.get("POST")
        if not statuses or name in {"accounts:logout", "set_language", "accounts:login"}:
            continue
        for persona, status in zip(PERSONAS, statuses, strict=True):
            if persona != "anonymous" and status in AUTHORISED:
                targets.append((name, persona))
                break
    return targets


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "-1",
            "0",
            "1e309",
            "NaN",
            "Infinity",
            "99999999999999999999",
            "12,50",
            "2026-02-30",
            "2026-13-01",
            "0000-00-00",
            "9999-12-31",
            "EV-2026-0001",
            "<script>alert(1)</script>",
            "<img src=file:///etc/passwd>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "x" * 10_000,
            "true",
            "on",
            "EUR",
            "XXX",
            "food",
            "done",
            "blocked",
            "paid",
            "LOCKDOWN",
        ]
    ),
)
NAMES = field_names()


def prefixed_names(the_world) -> list[str]:
    """Field names as the case page's prefixed forms send them (stage kinds, papers, expenses, budget)."""
    from cases.models import Stage

    paper = the_world.values["cases:paper_update"]["pk"]
    expense = the_world.values["cases:expense_paid"]["pk"]
    prefixes = [*Stage.Kind.values, "paper-new", f"paper-{paper}", "expense", "budget", f"paid-{expense}"]
    return [f"{prefix}-{name}" for prefix in prefixes for name in NAMES]


_LIKELY: dict[tuple[str, str], list[str]] = {}


def forms_fields(client, urls: list[str]) -> list[str]:
    """The names (with prefixes) of every field of every form the pages at these URLs render."""
    names: set[str] = set()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.context is None:
            continue
        contexts = response.context if isinstance(response.context, list) else [response.context]
        stack = [value for context in contexts for value in context.flatten().values()]
        while stack:
            value = stack.pop()
            if isinstance(value, forms.BaseForm):
                names.update(value.add_prefix(field) for field in value.fields)
            elif isinstance(value, list | tuple) and len(value) < 200:
                stack.extend(value)
            elif isinstance(value, dict) and len(value) < 200:
                stack.extend(value.values())
            elif hasattr(value, "__dict__") and type(value).__module__.startswith(
                ("cases.", "shelters.", "documents.")
            ):
                stack.extend(v for v in vars(value).values() if isinstance(v, forms.BaseForm | list | dict))
    return sorted(names)


def check_invariants() -> None:
    """What must hold whatever was posted: nothing half-written."""
    from cases.models import Case, Expense, Stage
    from cases.money import to_eur
    from documents.models import Document
    from shelters.models import Placement

    assert not Case.objects.annotate(n=Count("stages")).exclude(n=len(Stage.Kind.values)).exists()
    for expense in Expense.objects.all():
        assert expense.amount_eur == to_eur(expense.amount, expense.rate_to_eur) or expense.reverses_id
        assert expense.amount != Decimal(0)
    for document in Document.objects.all():
        assert document.number >= 1
    for placement in Placement.objects.select_related("shelter"):
        assert placement.ends_on is None or placement.ends_on >= placement.starts_on
    from audit.services import verify_chain

    assert verify_chain().intact


@pytest.mark.parametrize(("name", "persona"), post_targets())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_no_post_ever_errors_or_half_writes(world, client_for, name, persona, draw):  # noqa: F811
    params = dict(url_names())[name]
    url = url_for(world, name, params)
    client = client_for(world.users[persona])
    if (name, persona) not in _LIKELY:  # once per URL, not per example
        pages = [url, world.case.get_absolute_url(), world.other_case.get_absolute_url()]
        _LIKELY[(name, persona)] = forms_fields(client, pages)
    likely = _LIKELY[(name, persona)]
    keys = st.sampled_from(likely) if likely else st.sampled_from(NAMES)
    anything = st.sampled_from(NAMES + prefixed_names(world))
    data = draw.draw(
        st.one_of(
            st.fixed_dictionaries({}, optional=dict.fromkeys(likely, hostile_text)) if likely else st.just({}),
            st.dictionaries(st.one_of(keys, anything), hostile_text, max_size=12),
        )
    )
    try:
        with transaction.atomic():
            response = client.post(url, data)
            assert response.status_code < 500
            check_invariants()
            raise Rollback
    except Rollback:
        pass
