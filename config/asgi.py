"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

# Refuse to serve with master keys that cannot open the stored data (no key, a wrong key, a removed key).
from vault.middleware import check_master_keys_at_start  # noqa: E402

check_master_keys_at_start()
