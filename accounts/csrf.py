"""CSRF protection that works with `Referrer-Policy: no-referrer`.

Under that policy browsers send `Origin: null` with every form POST, even
to the same site, which Django's origin check refuses. We accept a null
origin only when the browser itself says the request is same-origin
(`Sec-Fetch-Site`, which pages cannot forge); the CSRF token is checked
as always. See docs/decisions/0002-csrf-with-no-referrer.md.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrfViewMiddleware


class CsrfViewMiddleware(DjangoCsrfViewMiddleware):
    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        return super()._origin_verified(request)
