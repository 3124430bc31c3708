from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts import views as account_views

admin.site.site_header = "Passage"
admin.site.site_title = "Passage"
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:start", permanent=False)),
    path("robots.txt", account_views.robots_txt, name="robots_txt"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # One sign-in for everybody: the admin's own login page would skip the second factor's flow.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    # The admin's "view on site" turns any object's id into its URL: for a case, its reference. Not for us.
    path("admin/r/<path:anything>", account_views.no_such_page),
    path("admin/", admin.site.urls),
    # Before the cases app: /cases/<reference>/summary.pdf, /cases/<reference>/documents/..., /cases/exports/...
    path("cases/", include("documents.urls")),
    path("cases/", include("cases.urls")),
    path("audit/", include("audit.urls")),
    path("", include("cases.urls_money")),
    path("operations/", include("operations.urls")),
    path("", include("shelters.urls")),
]

handler400 = "accounts.views.bad_request"
handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"
