"""Bad input at scale: generated values sent to every form of the access matrix, as a user it is for.

Hypothesis draws, for each URL that accepts a POST from somebody, dicts of the form field names
Passage uses (every field of every form of every app, and those each page renders) with hostile
values: empty, huge, control characters, NUL bytes, numbers that are not numbers, dates that do
not exist or lie at the ends of the calendar. The same for the admin's forms, for the query of
every page that reads one (searches, filters, periods, the summary's language), and for the
sign-in forms as an anonymous or half-signed-in visitor.

Whatever is sent, the answer is never a server error (the test client re-raises any exception),
and the database is never left half-written: every POST that is refused (a form re-rendered, a
4xx, or a redirect with an error) leaves every table as it was, apart from the access log, the
sessions and django-axes' records of sign-in attempts, and a GET changes nothing either. The
global rules in check_invariants hold after every request. Each request is rolled back, so each
one meets the same world.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
from decimal import Decimal

import pytest
from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import AdminForm
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.matrix_world import PERSONAS
from tests.test_access_matrix import (  # noqa: F401  (world: a fixture)
    EXPECTED,
    Clients,
    Rollback,
    is_admin,
    url_for,
    url_patterns,
    world,
)

pytestmark = pytest.mark.django_db

FORM_MODULES = ("accounts.forms", "audit.forms", "cases.forms", "documents.forms", "operations.forms", "shelters.forms")
AUTHORISED = {200, 302}
# Signing out, switching language, redirects: nothing to fuzz. The sign-in forms have a test of their own below.
NOT_FORMS = {"accounts:logout", "set_language", "accounts:login", "admin:logout", "admin:login", "/admin/login/", "/"}
# The admin's pages with a form of their own (the others answer a POST like a GET); fuzzed in one test.
ADMIN_FORMS = (
    "admin:accounts_user_add",
    "admin:accounts_user_change",
    "admin:accounts_user_changelist",
    "admin:auth_user_password_change",
    "admin:password_change",
    "admin:axes_accessattempt_changelist",
    "admin:axes_accessattempt_delete",
)
# Pages that read a query (filters, searches, periods, pages, the summary's language): a persona they are for,
# and the names they read.
QUERY_PAGES = (
    ("cases:list", "caseworker", ("status", "risk", "page")),
    ("cases:list", "lawyer", ("page",)),
    ("money:funds", "coordinator", ("page",)),
    ("money:rates", "coordinator", ("currency", "page")),
    ("audit:log", "coordinator", ("username", "case_reference", "date_from", "date_to", "page")),
    ("shelters:dashboard", "coordinator", ("fresh",)),
    ("shelters:assignments", "coordinator", ("page",)),
    ("shelters:donor_report_csv", "coordinator", ("date_from", "date_to")),
    ("shelters:donor_report_pdf", "coordinator", ("date_from", "date_to")),
    ("documents:summary", "caseworker", ("lang", "annex")),
    ("operations:retention", "coordinator", ("page",)),
)
# What a refused request may change: the access log records the attempt, sessions are saved on every
# request, and django-axes counts sign-in failures.
UNCHECKED_TABLES = ("audit_accessevent", "django_session", "axes_")


def field_names() -> list[str]:
    names: set[str] = {"version", "entry_token", "confirm", "next", "language", "q"}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                names.update(getattr(value, "base_fields", {}))
    return sorted(names)


def url_of(world, key: str) -> str:  # noqa: F811
    route, params = next((route, params) for k, route, params in url_patterns() if k == key)
    return url_for(world, key, params, route)


def post_targets() -> list[tuple[str, str]]:
    """(URL key, persona) for every page of Passage some persona may POST to: the first such persona."""
    targets = []
    for key, methods in sorted(EXPECTED.items()):
        statuses = methods.get("POST")
        if not statuses or key in NOT_FORMS or is_admin(key):
            continue
        for persona, status in zip(PERSONAS, statuses, strict=True):
            if persona != "anonymous" and status in AUTHORISED:
                targets.append((key, persona))
                break
    return targets


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
    st.dates().map(str),
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
            "0001-01-01",
            "9999-12-30",
            "9999-12-31",
            "EV-2026-0001",
            "<script>alert(1)</script>",
            "<img src=file:///etc/passwd>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "//evil.example/",
            "x" * 300,
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


def _period(start: datetime.date, days: int) -> dict[str, str]:
    end = start + datetime.timedelta(days=min(days, (datetime.date.max - start).days))
    return {"date_from": start.isoformat(), "date_to": end.isoformat()}


# Periods that are valid as periods, often at the ends of the calendar, where a day more or less overflows.
hostile_period = st.one_of(
    st.sampled_from([(datetime.date.min, 1), (datetime.date.max - datetime.timedelta(days=1), 1)]).map(
        lambda edge: _period(*edge)
    ),
    st.builds(_period, st.dates(), st.integers(min_value=0, max_value=2000)),
)
# Names longer than any account's, which once reached django-axes' 255 characters.
hostile_username = st.one_of(hostile_text, st.integers(min_value=150, max_value=5000).map(lambda n: "u" * n))


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
            if isinstance(value, AdminForm):
                value = value.form
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


def likely_fields(clients: Clients, key: str, persona: str, pages: list[str]) -> list[str]:
    if (key, persona) not in _LIKELY:  # once per URL, not per example
        _LIKELY[(key, persona)] = forms_fields(clients.get(persona), pages)
        clients.after(persona)
    return _LIKELY[(key, persona)]


def form_data(draw, likely: list[str], anything: list[str]) -> dict:
    keys = st.sampled_from(likely) if likely else st.sampled_from(NAMES)
    return draw.draw(
        st.one_of(
            st.fixed_dictionaries({}, optional=dict.fromkeys(likely, hostile_text)) if likely else st.just({}),
            st.dictionaries(st.one_of(keys, st.sampled_from(anything)), hostile_text, max_size=12),
        )
    )


def database_state() -> dict[str, str]:
    """A checksum of the rows of every table but those a refused request may change."""
    with connection.cursor() as cursor:
        tables = sorted(
            table for table in connection.introspection.table_names(cursor) if not table.startswith(UNCHECKED_TABLES)
        )
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                    f"FROM {quote(table)} t)"
                    for table in tables
                ),
                tables,
            )
            return dict(cursor.fetchall())
        state = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = hashlib.md5("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
        return state


def changed_tables(before: dict[str, str]) -> list[str]:
    after = database_state()
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def was_refused(response) -> bool:
    """Whether Passage said no. It redirects after every write it accepts (post/redirect/get), so a 200
    to a POST is a form shown again with its errors; a redirect is a refusal when it carries an error,
    or only notes that nothing was done (a form sent twice, an item gone already)."""
    if response.status_code != 302:
        return True
    storage = getattr(response.wsgi_request, "_messages", None)
    levels = {message.level for message in storage._queued_messages} if storage is not None else set()
    return messages.ERROR in levels or levels == {messages.INFO}


def check_invariants() -> None:
    """What must hold whatever was posted, accepted or not: nothing half-written."""
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


def send(clients: Clients, persona: str, method: str, url: str, data: dict) -> None:
    """One request, rolled back: never a server error; refused, it changed nothing; and the invariants hold."""
    client = clients.get(persona)
    try:
        with transaction.atomic():
            before = database_state()
            response = getattr(client, method)(url, data)
            assert response.status_code < 500
            if method == "get" or was_refused(response):
                assert changed_tables(before) == [], f"{method.upper()} {url} {response.status_code}: written"
            check_invariants()
            raise Rollback
    except Rollback:
        pass
    finally:
        clients.after(persona)


@pytest.fixture
def clients(world):  # noqa: F811
    return Clients(world)


@pytest.mark.parametrize(("key", "persona"), post_targets())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_no_post_ever_errors_or_half_writes(world, clients, key, persona, draw):  # noqa: F811
    url = url_of(world, key)
    pages = [url, world.case.get_absolute_url(), world.other_case.get_absolute_url()]
    likely = likely_fields(clients, key, persona, pages)
    data = form_data(draw, likely, NAMES + prefixed_names(world))
    send(clients, persona, "post", url, data)


def test_every_admin_page_that_takes_a_post_is_fuzzed():
    """The admin pages left out of ADMIN_FORMS answer a POST like a GET (or only redirect): say so there."""
    administrator = PERSONAS.index("administrator")
    taking = {key for key, methods in EXPECTED.items() if is_admin(key) and methods["POST"][administrator] < 400}
    answers_like_a_get = {
        *("admin:index", "admin:app_list", "admin:view_on_site", "admin:logout", "admin:login"),
        *("admin:accounts_user_history", "admin:auth_group_changelist", "admin:auth_group_history"),
        "admin:axes_accessattempt_history",
    }
    redirects = {key for key in taking if key.startswith("/admin/")}
    assert taking - answers_like_a_get - redirects == set(ADMIN_FORMS)


# The tests below send each example to every page of their list, so that each page gets as many (one world).


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_no_admin_post_ever_errors_or_half_writes(world, clients, draw):  # noqa: F811
    admin_names = [*NAMES, "action", "_selected_action", "select_across", "index", "post"]
    for key in ADMIN_FORMS:
        url = url_of(world, key)
        data = form_data(draw, likely_fields(clients, key, "administrator", [url]), admin_names)
        send(clients, "administrator", "post", url, data)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_no_query_ever_errors_or_writes(world, clients, draw):  # noqa: F811
    for key, persona, names in QUERY_PAGES:
        query = draw.draw(st.fixed_dictionaries({}, optional=dict.fromkeys([*names, "next"], hostile_text)))
        if "date_from" in names and draw.draw(st.booleans()):
            query.update(draw.draw(hostile_period))
        send(clients, persona, "get", url_of(world, key), query)


@pytest.fixture
def visitors(make_user):
    """Clients of the sign-in: anonymous; past the password with an authenticator; past it with none yet."""
    from tests.conftest import confirmed_device

    enrolled, new = make_user("f_enrolled"), make_user("f_new")
    confirmed_device(enrolled)
    anonymous, half, enrolling = Client(), Client(), Client()
    half.force_login(enrolled)
    enrolling.force_login(new)
    return {"anonymous": anonymous, "half": half, "enrolling": enrolling}


SIGN_IN_FORMS = (
    ("anonymous", "post", "/accounts/login/", ("username", "password", "next")),
    ("anonymous", "get", "/accounts/login/", ("next",)),
    ("half", "post", "/accounts/verify/", ("code", "next")),
    ("half", "get", "/accounts/verify/", ("next",)),
    ("enrolling", "post", "/accounts/setup/", ("code", "next")),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_no_sign_in_form_ever_errors(visitors, draw):
    """Wrong codes and passwords are counted (django-axes, django-otp's throttling), so only: never a 500."""
    for who, method, url, names in SIGN_IN_FORMS:
        values = {name: hostile_username if name == "username" else hostile_text for name in names}
        data = draw.draw(st.fixed_dictionaries({}, optional=values))
        try:
            with transaction.atomic():
                response = getattr(visitors[who], method)(url, data)
                assert response.status_code < 500, f"{method.upper()} {url} as {who}"
                raise Rollback
        except Rollback:
            pass
