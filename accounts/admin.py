"""Administration of accounts: roles, activation, second-factor resets. No case data is here.

Every change an administrator makes to an account goes into the access log, which coordinators
review, and nobody changes their own roles or status: an administrator who made themselves a
coordinator or a caseworker could read cases. The second-factor devices have no admin pages:
they would show authenticator keys and recovery codes."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User

for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

SELF_READONLY = ("is_active", "is_staff", "groups")


@admin.register(User)
class PassageUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "role_names", "last_login")
    list_filter = ("is_active", "is_staff", "groups")
    actions = ["reset_second_factor", "end_all_sessions"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role"), {"fields": ("is_active", "is_staff", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + SELF_READONLY if obj is not None and obj.pk == request.user.pk else fields

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            services.record_account_change(user=obj, by=request.user, what="created", request=request)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = [name for name in form.changed_data if name != "password"]
        if change and changed:
            services.record_account_change(
                user=form.instance, by=request.user, what="changed: " + ", ".join(sorted(changed)), request=request
            )
        if change and ("groups" in changed or "is_active" in changed):
            services.end_sessions(user=form.instance)  # a new role, or none, takes effect at once

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            services.end_sessions(user=user)
            services.record_account_change(user=user, by=request.user, what="password set", request=request)
        return response

    @admin.display(description=_("roles"))
    def role_names(self, user: User) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all()))

    @admin.action(description=_("Reset second factor (the user enrols again at next sign-in)"))
    def reset_second_factor(self, request, queryset) -> None:
        for user in queryset:
            services.reset_second_factor(user=user, by=request.user, request=request)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Second factor reset for %d user.", "Second factor reset for %d users.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("End all sessions of these users"))
    def end_all_sessions(self, request, queryset) -> None:
        for user in queryset:
            services.end_sessions_of(user=user, by=request.user, request=request)
        count = queryset.count()
        self.message_user(
            request, ngettext("Ended the sessions of %d user.", "Ended the sessions of %d users.", count) % count
        )
