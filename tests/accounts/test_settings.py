"""Settings come from the environment; a bad value stops start-up and names the variable."""

from __future__ import annotations

import base64
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "PASSAGE_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DJANGO_SECRET_KEY", base64.b64encode(os.urandom(48)).decode())
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "passage.example.org")
    monkeypatch.setenv("PASSAGE_MASTER_KEYS", KEY)
    monkeypatch.setenv("PASSAGE_VAR_DIR", str(tmp_path))
    return monkeypatch


def load_settings() -> dict:
    return runpy.run_path(str(SETTINGS))


def test_production_settings_load(production_env):
    settings = load_settings()
    assert settings["DEBUG"] is False
    assert settings["PASSAGE_REQUIRE_2FA"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["PASSAGE_MASTER_KEYS"] == [base64.urlsafe_b64decode(KEY)]
    assert settings["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_a_missing_secret_key_stops_start_up(production_env):
    production_env.delenv("DJANGO_SECRET_KEY")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url at all", "postgres://"])
def test_a_malformed_database_url_stops_start_up(production_env, url):
    production_env.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite://:memory:",
        "sqlite:///:memory:",
        "sqlite:///file::memory:?cache=shared",
        "sqlite:///file:passage?mode=memory",
    ],
)
def test_an_in_memory_sqlite_database_stops_start_up(production_env, url):
    # Every case, expense and access-log entry would vanish when the process ends.
    production_env.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL points at an in-memory SQLite database"):
        load_settings()


def test_a_sqlite_file_is_understood(production_env, tmp_path):
    production_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/passage.sqlite3")
    database = load_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == f"{tmp_path}/passage.sqlite3"


def test_a_postgres_url_is_understood(production_env):
    production_env.setenv("DATABASE_URL", "postgres://passage:secret@db.internal:5432/passage")
    database = load_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "passage"
    assert database["HOST"] == "db.internal"


@pytest.mark.parametrize(
    "keys",
    ["", "tooshort", base64.urlsafe_b64encode(os.urandom(16)).decode(), "!!!not-base64!!!", f"{KEY},{KEY}"],
    ids=["empty", "too-short", "16-bytes", "not-base64", "the-same-key-twice"],  # never a key in the test's name
)
def test_a_missing_or_malformed_master_key_stops_start_up(production_env, keys):
    production_env.setenv("PASSAGE_MASTER_KEYS", keys)
    with pytest.raises(ImproperlyConfigured, match="PASSAGE_MASTER_KEY"):
        load_settings()


def _last_character_flipped(key: str) -> str:
    """The same 32 bytes spelled differently: the lowest bit of the last character is one decoding drops."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return key[:-2] + alphabet[alphabet.index(key[-2]) ^ 1] + key[-1]


# 0xfb 0xff encode to "+/" in standard base64 and to "-_" in the URL-safe alphabet.
STANDARD_ALPHABET_KEY = base64.b64encode(b"\xfb\xff" * 16).decode()


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (STANDARD_ALPHABET_KEY, "not URL-safe base64"),
        (KEY[:20] + " " + KEY[20:], "not URL-safe base64"),
        ("\u0410" + KEY[1:], "not URL-safe base64"),  # a Cyrillic A that looks like the Latin one
        (KEY.rstrip("="), "wrong base64 padding"),
        (KEY + "==", "wrong base64 padding"),
        (KEY[:-1] + "A", "of 33 bytes"),
        (base64.urlsafe_b64encode(os.urandom(33)).decode(), "of 33 bytes"),
        (_last_character_flipped(KEY), "not canonical"),
    ],
    ids=[
        "standard-alphabet",
        "space-inside",
        "cyrillic-letter",
        "padding-missing",
        "padding-too-long",
        "33-bytes-unpadded",
        "33-bytes",
        "spare-bits-set",
    ],
)
def test_a_master_key_is_decoded_strictly(production_env, keys, problem):
    production_env.setenv("PASSAGE_MASTER_KEYS", keys)
    with pytest.raises(ImproperlyConfigured, match=f"PASSAGE_MASTER_KEYS holds a master key .*{problem}") as refused:
        load_settings()
    assert KEY[:20] not in str(refused.value)  # the message never repeats the key


def test_a_malformed_key_in_the_key_file_names_the_file(production_env, tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"{KEY}\n{KEY.rstrip('=')}\n")
    production_env.delenv("PASSAGE_MASTER_KEYS")
    production_env.setenv("PASSAGE_MASTER_KEY_FILE", str(key_file))
    with pytest.raises(ImproperlyConfigured, match=r"PASSAGE_MASTER_KEY_FILE .* wrong base64 padding"):
        load_settings()


def test_master_keys_come_from_a_file_newest_first(production_env, tmp_path):
    older = base64.urlsafe_b64encode(os.urandom(32)).decode()
    key_file = tmp_path / "keys"
    key_file.write_text(f"# newest first\n{KEY}\n{older}\n")
    production_env.delenv("PASSAGE_MASTER_KEYS")
    production_env.setenv("PASSAGE_MASTER_KEY_FILE", str(key_file))
    keys = load_settings()["PASSAGE_MASTER_KEYS"]
    assert keys == [base64.urlsafe_b64decode(KEY), base64.urlsafe_b64decode(older)]


def test_a_missing_key_file_is_named(production_env, tmp_path):
    production_env.delenv("PASSAGE_MASTER_KEYS")
    production_env.setenv("PASSAGE_MASTER_KEY_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperlyConfigured, match="PASSAGE_MASTER_KEY_FILE"):
        load_settings()


@pytest.mark.parametrize("name", ["DJANGO_DEBUG", "DJANGO_SECURE_SSL_REDIRECT", "PASSAGE_REQUIRE_2FA"])
def test_a_bad_boolean_is_named(production_env, name):
    production_env.setenv(name, "perhaps")
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings()


def test_behind_a_tls_proxy_its_forwarded_protocol_header_is_trusted(production_env):
    production_env.setenv("DJANGO_BEHIND_TLS_PROXY", "1")
    assert load_settings()["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("behind_proxy", [None, "0"], ids=["unset", "off"])
def test_without_a_tls_proxy_no_header_is_trusted(production_env, behind_proxy):
    if behind_proxy is not None:
        production_env.setenv("DJANGO_BEHIND_TLS_PROXY", behind_proxy)
    settings = load_settings()
    # Not set here, so Django's default (None) applies: a client's X-Forwarded-Proto means nothing.
    assert settings.get("SECURE_PROXY_SSL_HEADER") is None
    assert settings["SECURE_SSL_REDIRECT"] is True


def test_the_ssl_redirect_can_be_left_to_the_proxy(production_env):
    production_env.setenv("DJANGO_SECURE_SSL_REDIRECT", "0")
    assert load_settings()["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(("require", "required"), [(None, False), ("0", False), ("1", True)], ids=["unset", "0", "1"])
def test_a_development_run_requires_the_second_factor_only_when_asked(production_env, require, required):
    production_env.setenv("DJANGO_DEBUG", "1")
    if require is not None:
        production_env.setenv("PASSAGE_REQUIRE_2FA", require)
    settings = load_settings()
    assert settings["DEBUG"] is True
    assert settings["PASSAGE_REQUIRE_2FA"] is required


def test_production_requires_the_second_factor_even_when_told_not_to(production_env):
    production_env.setenv("PASSAGE_REQUIRE_2FA", "0")
    assert load_settings()["PASSAGE_REQUIRE_2FA"] is True


def test_a_bad_number_is_named(production_env):
    production_env.setenv("PASSAGE_SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ImproperlyConfigured, match="PASSAGE_SESSION_IDLE_MINUTES"):
        load_settings()


def test_check_deploy_is_clean_in_production(production_env):
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{env['PASSAGE_VAR_DIR']}/deploy.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
