"""Administration of accounts: roles, activation, second-factor resets. No case data is here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import User


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

    @admin.display(description=_("roles"))
    def role_names(self, user: User) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all()))

    @admin.action(description=_("Reset second factor (the user enrols again at next sign-in)"))
    def reset_second_factor(self, request, queryset) -> None:
        for user in queryset:
            services.reset_second_factor(user=user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Second factor reset for %d user.", "Second factor reset for %d users.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("End all sessions of these users"))
    def end_all_sessions(self, request, queryset) -> None:
        for user in queryset:
            services.end_sessions(user=user)
        count = queryset.count()
        self.message_user(
            request, ngettext("Ended the sessions of %d user.", "Ended the sessions of %d users.", count) % count
        )
