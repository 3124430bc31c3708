"""The environment the test suite runs in, set before Django reads its settings.

Loaded as a pytest plugin (`-p tests.environment` in pyproject.toml), so it
runs before pytest-django imports config.settings. Tests run in production
mode (DEBUG off, 2FA required) except that the test client speaks plain HTTP.
"""

import base64
import os


def _new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + _new_key())
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.pop("PASSAGE_MASTER_KEY_FILE", None)
os.environ["PASSAGE_MASTER_KEYS"] = _new_key()
# One directory per pytest-xdist worker (gw0, gw1, ...), so parallel workers never share stored files.
# Workers inherit the controller's environment, so a directory chosen here is marked as ours, not the user's.
if not os.environ.get("PASSAGE_VAR_DIR") or os.environ.get("PASSAGE_TEST_VAR_DIR_CHOSEN") == "1":
    os.environ["PASSAGE_TEST_VAR_DIR_CHOSEN"] = "1"
    os.environ["PASSAGE_VAR_DIR"] = os.path.join(
        os.path.dirname(os.path.dirname(__file__)), "var", "test", os.environ.get("PYTEST_XDIST_WORKER", "main")
    )
