"""Passage's URL configuration plus one unnamed page that the access matrix has no row for.

tests/test_access_matrix.py uses it to show that its "every URL is in the table" check reports
such a page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403  (the error handlers)
from config.urls import urlpatterns as passage_urlpatterns


def unreviewed(request: HttpRequest) -> HttpResponse:
    return HttpResponse("nobody decided who may see this")


urlpatterns = [*passage_urlpatterns, path("an-unreviewed-page/", unreviewed)]
