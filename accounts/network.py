"""Which address a request came from, the same for the access log and for brute-force locks."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only as far as the configured proxies.

    Each trusted proxy appends the address it received the request from, so
    behind N proxies the client is the Nth entry from the right; anything left
    of it was written by the client and proves nothing. With no proxy
    configured only the socket address counts, so nobody can choose their
    address (and slip out of a lock) by sending the header. (django-ipware
    counts proxies differently and finds no address behind a single proxy,
    which is why this is not delegated to it.)
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PASSAGE_TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
