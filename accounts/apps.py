from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import checks  # noqa: F401  (registers the system checks)
        from accounts.roles import sync_roles

        # Runs after every app's permissions exist, and again after a test flush.
        post_migrate.connect(sync_roles, dispatch_uid="passage.sync_roles")
