"""What happens to accounts: second-factor enrolment, recovery codes, ending sessions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import Action
from audit.services import record_access

RECOVERY_CODE_COUNT = 10


def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use, so a reload shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, device: TOTPDevice) -> list[str]:
    """Confirms the authenticator and issues fresh single-use recovery codes, returned once."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return replace_recovery_codes(user=device.user)


@transaction.atomic
def replace_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def reset_second_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """An administrator's 2FA reset: the user enrols again at the next sign-in, and is signed out now."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        end_sessions(user=user)
    record_access(
        user=by, action=Action.ACCOUNT_CHANGE, request=request, target=user.username, detail="second factor reset"
    )


def record_account_change(*, user: User, by: User, what: str, request: HttpRequest | None = None) -> None:
    """An administrator's change to an account, in the access log: names of what changed, never values."""
    record_access(user=by, action=Action.ACCOUNT_CHANGE, request=request, target=user.username, detail=what[:200])


def has_authenticator(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def end_sessions(*, user: User) -> None:
    """Ends every session of the user: their session hash no longer matches (docs/decisions/0001)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


def end_own_sessions(*, user: User, forget_authenticator: bool, request: HttpRequest | None = None) -> None:
    """ "I lost my phone": every session ends; the lost authenticator can be removed too."""
    with transaction.atomic():
        if forget_authenticator:
            TOTPDevice.objects.filter(user=user).delete()
        end_sessions(user=user)
    detail = "authenticator removed" if forget_authenticator else ""
    record_access(user=user, action=Action.SESSION_END, request=request, target=user.username, detail=detail)


def end_sessions_of(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    end_sessions(user=user)
    record_access(user=by, action=Action.SESSION_END, request=request, target=user.username)


def lockdown(*, by: User, request: HttpRequest | None = None) -> None:
    """Ends every session of every user at once; everybody signs in again with both factors."""
    User.objects.update(session_generation=F("session_generation") + 1)
    record_access(user=by, action=Action.LOCKDOWN, request=request)
