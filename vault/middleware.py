"""Refuses to start with master keys that cannot open the stored data keys; scopes opened keys to a request."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from vault.keys import key_scope, verify_master_keys


def check_master_keys_at_start() -> None:
    """Called by config.wsgi and config.asgi (so by gunicorn and runserver) before serving anything."""
    try:
        problems = verify_master_keys()
    except DatabaseError:
        return  # not migrated yet: there is nothing to open
    if problems:
        raise ImproperlyConfigured("Passage will not start: " + " ".join(problems))


class VaultMiddleware:
    """Opened data keys live for one request only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_scope():
            return self.get_response(request)
