"""The documents app: uploaded documents, sharing with lawyers, the asylum summary PDF and batch exports."""

from django.apps import AppConfig
from django.core.signals import request_started
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from documents.tasks import start_periodic_purge_on_request

        # A serving process starts the purge of expired batch-export ZIPs with its first request (documents.tasks).
        request_started.connect(start_periodic_purge_on_request, dispatch_uid="documents-periodic-purge")
