"""System checks for what Django's own deploy checks cannot see."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_csrf_middleware(app_configs, **kwargs) -> list[Error]:
    if "accounts.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE:
        return []
    return [
        Error(
            "CSRF protection is off: accounts.csrf.CsrfViewMiddleware is not in MIDDLEWARE.",
            id="accounts.E001",
        )
    ]
