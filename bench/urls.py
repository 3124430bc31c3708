"""Passage's URLs plus /bench/bare/: the cheapest page a signed-in user can get, the yardstick."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import *  # noqa: F403
from config.urls import urlpatterns as passage_urlpatterns


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return render(request, "coming_soon.html", {"title": "bare"})


urlpatterns = [path("bench/bare/", bare), *passage_urlpatterns]
