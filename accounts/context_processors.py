"""The navigation each role sees."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if settings.PASSAGE_REQUIRE_2FA and not user.is_verified():
        return {"nav_items": []}
    items = []
    if user.is_coordinator:
        items += [
            ("shelters:dashboard", _("Dashboard")),
            ("cases:list", _("Cases")),
            ("shelters:list", _("Safe houses")),
            ("money:funds", _("Funds")),
            ("money:rates", _("Exchange rates")),
            ("audit:log", _("Access log")),
            ("operations:retention", _("Retention")),
        ]
    elif user.is_caseworker or user.is_lawyer:
        items.append(("cases:list", _("Cases")))
    if user.is_administrator and user.is_staff:
        items.append(("admin:index", _("Administration")))
    if user.is_coordinator or user.is_administrator:
        items.append(("accounts:lockdown", _("Sessions")))
    return {"nav_items": items}
