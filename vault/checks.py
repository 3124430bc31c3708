"""`manage.py check` (and migrate) report master keys that cannot open the stored data keys."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.database)
def check_master_keys(app_configs, databases=None, **kwargs) -> list[Error]:
    if not databases:
        return []
    from vault.keys import verify_master_keys

    try:
        problems = verify_master_keys()
    except DatabaseError:
        return []
    return [Error(problem, id="vault.E001") for problem in problems]
