"""WSGI entry point for the load test (bench settings: the benchmark database, plain HTTP on loopback)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application  # noqa: F401
