from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = _("Vault")

    def ready(self) -> None:
        from vault import checks  # noqa: F401  (registers the system checks)
