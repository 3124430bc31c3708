"""The documents-and-sharing section of the case page: `{% load documents %}{% case_documents access %}`."""

from __future__ import annotations

from django import template
from django.utils import timezone

from cases.access import CaseAccess
from documents.models import Document
from documents.summary import may_export_summary

register = template.Library()


@register.inclusion_tag("documents/includes/case_documents.html", takes_context=True)
def case_documents(context: template.Context, access: CaseAccess) -> dict:
    """Documents (titles only for those who may read the person's data), summary export, and sharing.

    Two queries whatever the numbers: the documents with their uploaders, and
    the shares with their people. Sharing itself is a page of its own.
    """
    case = access.case
    user = context["request"].user
    documents = list(case.documents.current().for_list().select_related("travel_paper"))
    may_share = access.can_edit or access.can_manage
    today = timezone.localdate()
    shares = []
    if may_share:
        shares = list(case.shares.select_related("lawyer", "shared_by", "revoked_by").order_by("-shared_at"))
    elif user.is_lawyer:
        shares = list(case.shares.active(today=today).filter(lawyer=user))
    for share in shares:
        share.in_force = share.is_active(today=today)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "access": access,
        "documents": documents,
        "kinds": Document.Kind,
        "shares": shares,
        "may_share_more": may_share and not case.is_erased,
        "may_share": may_share,
        "may_export_summary": may_export_summary(access),
        "is_lawyer": user.is_lawyer,
    }
