"""The documents' settings: their defaults, read from the environment, and no URL that serves stored files."""

from __future__ import annotations

import base64
import importlib
import os
import runpy
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, clear_url_caches

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """A production environment with nothing of Passage's set but what must be."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "PASSAGE_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_SECRET_KEY", base64.b64encode(os.urandom(48)).decode())
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "passage.example.org")
    monkeypatch.setenv("PASSAGE_MASTER_KEYS", base64.urlsafe_b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("PASSAGE_VAR_DIR", str(tmp_path))
    return monkeypatch


def load_settings() -> dict:
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_an_upload_may_be_25_mb_unless_passage_upload_max_mb_says_otherwise(environment):
    assert load_settings()["PASSAGE_UPLOAD_MAX_BYTES"] == 25 * MB
    environment.setenv("PASSAGE_UPLOAD_MAX_MB", "40")
    assert load_settings()["PASSAGE_UPLOAD_MAX_BYTES"] == 40 * MB


def test_an_annex_may_be_150_mb_unless_passage_summary_annex_max_mb_says_otherwise(environment):
    assert load_settings()["PASSAGE_SUMMARY_ANNEX_MAX_BYTES"] == 150 * MB
    environment.setenv("PASSAGE_SUMMARY_ANNEX_MAX_MB", "20")
    assert load_settings()["PASSAGE_SUMMARY_ANNEX_MAX_BYTES"] == 20 * MB


def test_there_is_no_media_url_and_the_files_are_outside_every_static_directory(environment):
    settings = load_settings()
    assert settings.get("MEDIA_URL", "") == "" and settings.get("MEDIA_ROOT", "") == ""
    files = Path(settings["PASSAGE_FILES_DIR"]).resolve()
    assert settings["STORAGES"]["default"]["OPTIONS"]["location"] == settings["PASSAGE_FILES_DIR"]
    for static in (settings["STATIC_ROOT"], *settings["STATICFILES_DIRS"]):
        static = Path(static).resolve()
        assert not files.is_relative_to(static) and not static.is_relative_to(files)


def views_of(patterns) -> list:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(views_of(pattern.url_patterns))
        elif isinstance(pattern, URLPattern):
            found.append(pattern.callback)
    return found


@pytest.mark.parametrize("debug", [False, True])
def test_no_url_pattern_serves_files_from_disk(settings, debug):
    """django.views.static.serve (what `static(MEDIA_URL, ...)` adds in DEBUG) is nowhere, DEBUG or not."""
    import config.urls

    settings.DEBUG = debug
    try:
        urls = importlib.reload(config.urls)
        callbacks = views_of(urls.urlpatterns)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
    assert callbacks
    assert not [callback for callback in callbacks if callback.__module__.startswith("django.views.static")]


@pytest.mark.django_db
def test_a_stored_file_cannot_be_fetched_by_any_url_made_of_its_name(
    client_for, caseworker, case, upload, files_in_tmp
):
    from django.conf import settings

    from tests.documents.conftest import pdf_bytes

    assert not settings.is_overridden("MEDIA_URL") and not settings.is_overridden("MEDIA_ROOT")
    document = upload(case, caseworker, pdf_bytes(text="Fictional police report"))
    assert (files_in_tmp / document.stored_name).is_file()
    client = client_for(caseworker)
    for prefix in ("", "media/", "files/", "var/files/", "static/", "static/files/", "cases/"):
        response = client.get(f"/{prefix}{document.stored_name}")
        assert response.status_code == 404, prefix
        assert b"%PDF" not in response.content
