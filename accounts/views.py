"""Sign-in with two factors, the start page of each role, and the error pages."""

from __future__ import annotations

import base64
import logging
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from accounts import services
from accounts.decorators import role_required
from accounts.forms import CodeForm, EndMySessionsForm, EndUserSessionsForm, EnrolForm, LockdownForm, SignInForm
from accounts.roles import Role

log = logging.getLogger("passage.accounts")


class LoginView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:start")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of the sign-in: a code from the authenticator, or a recovery code (each works once)."""
    if request.user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect("accounts:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            if not services.has_authenticator(user=request.user):
                # Signed in with a recovery code after removing a lost phone: enrol the new one now.
                return redirect("accounts:setup")
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("code", _("That code is not right, or it was used already. Try the next one."))
    return render(request, "accounts/verify.html", {"form": form, "next": _safe_next(request)})


def _qr_data_url(text: str) -> str:
    """The QR code as an SVG drawn here, so the secret never leaves the server for a QR service."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code, confirm with a first code, write down ten recovery codes.

    Open to a user with no second factor at all, or to one who proved a recovery code after
    removing a lost authenticator; never a way round an existing authenticator.
    """
    if services.has_authenticator(user=request.user):
        return redirect("accounts:verify")
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        return redirect("accounts:verify")
    device = services.totp_device_for_enrolment(user=request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = services.confirm_totp_device(device=device)
            request.session.cycle_key()
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
        form.add_error("code", _("That code does not match. Check the clock of your phone and try the next code."))
    context: dict[str, Any] = {
        "form": form,
        "qr_data_url": _qr_data_url(device.config_url),
        "secret": _grouped_base32(device.bin_key),
        "next": _safe_next(request),
    }
    return render(request, "accounts/setup.html", context)


def _grouped_base32(key: bytes) -> str:
    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page after signing in."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if user.is_coordinator:
        return redirect("shelters:dashboard")
    if user.is_caseworker or user.is_lawyer:
        return redirect("cases:list")
    if user.is_administrator and user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/no_role.html")


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """What django-axes shows once a username and address are locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def no_such_page(request: HttpRequest, **kwargs) -> HttpResponse:
    """For a URL that must answer nothing whatever follows it (see config/urls.py)."""
    raise Http404


def server_error(request: HttpRequest) -> HttpResponse:
    """Shows only the request id, which lets an operator find the logged traceback."""
    from django.template import loader

    template = loader.get_template("500.html")
    body = template.render({"request_id": getattr(request, "request_id", "-")})
    return HttpResponse(body, status=500)


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """A user's own panic button: end every session, optionally removing a lost authenticator."""
    form = EndMySessionsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.end_own_sessions(
            user=request.user, forget_authenticator=form.cleaned_data["forget_authenticator"], request=request
        )
        messages.success(request, _("Every session of your account has ended, this one too. Sign in again."))
        return redirect("accounts:login")
    return render(request, "accounts/security.html", {"form": form})


@role_required(Role.COORDINATOR, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def lockdown(request: HttpRequest) -> HttpResponse:
    """Ends the sessions of one user, or of everyone (lockdown): all sign in again with both factors."""
    one = EndUserSessionsForm(request.POST if "end_user" in request.POST else None)
    everyone = LockdownForm(request.POST if "lockdown" in request.POST else None)
    if request.method == "POST":
        if "end_user" in request.POST and one.is_valid():
            target = one.cleaned_data["user"]
            services.end_sessions_of(user=target, by=request.user, request=request)
            messages.success(request, _("Every session of %(user)s has ended.") % {"user": target.username})
            return redirect("accounts:lockdown")
        if "lockdown" in request.POST and everyone.is_valid():
            services.lockdown(by=request.user, request=request)
            messages.success(request, _("Lockdown: every session of every user has ended, yours too."))
            return redirect("accounts:login")
    return render(request, "accounts/lockdown.html", {"one": one, "everyone": everyone})
