"""Request-wide security: request ids, response headers, and the second factor."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from accounts.logging import current_request_id

Handler = Callable[[HttpRequest], HttpResponse]

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class RequestIdMiddleware:
    """Gives each request a random id, for logs and for the page a user sees on an error."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = secrets.token_hex(8)
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Nothing Passage serves is cached, indexed, or granted device features."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers.setdefault("Pragma", "no-cache")
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response


class SecondFactorMiddleware:
    """Sends a signed-in user who has not passed the second factor to enrol or verify.

    Required for everybody when PASSAGE_REQUIRE_2FA is on (always, outside
    DEBUG); on a development run, only for users who enrolled a device.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._is_exempt(request):
            from django_otp import user_has_device

            has_device = user_has_device(user, confirmed=True)
            if has_device or settings.PASSAGE_REQUIRE_2FA:
                target = reverse("accounts:verify" if has_device else "accounts:setup")
                if request.method == "GET":
                    target = f"{target}?{urlencode({'next': request.get_full_path()})}"
                return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _is_exempt(request: HttpRequest) -> bool:
        exempt = (
            reverse("accounts:verify"),
            reverse("accounts:setup"),
            reverse("accounts:logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        return request.path.startswith(exempt)
