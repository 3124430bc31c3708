"""Load test: 50 concurrent signed-in users against gunicorn on loopback, bounded in time.

    .venv/bin/python bench/load.py [--users 50] [--seconds 120] [--workers 4]

Uses the benchmark database (bench/run.py seeds it; run that first), signs in
50 caseworkers (sessions with a verified second factor, made directly in the
session store), starts gunicorn on 127.0.0.1, and drives it with wrk
(Debian package `wrk`) for the given time: each request picks one of the
users and asks for their case list or one of their cases. Prints throughput,
latency percentiles (p50, p95, p99) and errors. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("PASSAGE_MASTER_KEY_FILE", str(ROOT / "var" / "bench-master.key"))

LUA = r"""
local sessions = { %(sessions)s }
local paths = { %(paths)s }
local counter = 0
request = function()
  counter = counter + 1
  local user = sessions[(counter %% #sessions) + 1]
  local own = paths[(counter %% #sessions) + 1]
  local path = own[(counter %% #own) + 1]
  return wrk.format("GET", path, { ["Cookie"] = user, ["Host"] = "127.0.0.1" })
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d duration_us=%%d errors_status=%%d errors_connect=%%d errors_read=%%d errors_timeout=%%d p50_us=%%d p95_us=%%d p99_us=%%d max_us=%%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_sessions(count: int) -> list[tuple[str, list[str]]]:
    """Session cookies of `count` caseworkers, each with the paths of their own pages."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from cases.models import Case

    users = list(User.objects.filter(username__startswith="bench_caseworker_").order_by("id")[:count])
    if len(users) < count:
        raise SystemExit("Seed the benchmark database first: .venv/bin/python bench/run.py")
    made = []
    for user in users:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        references = Case.objects.filter(
            user_grants__user=user, user_grants__permission__codename="view_case"
        ).values_list("reference", flat=True)[:5]
        paths = ["/cases/"] + [f"/cases/{reference}/" for reference in references]
        made.append((f"{settings.SESSION_COOKIE_NAME}={session.session_key}", paths))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    sessions = make_sessions(args.users)
    lua = LUA % {
        "sessions": ", ".join(f'"{cookie}"' for cookie, _ in sessions),
        "paths": ", ".join("{" + ", ".join(f'"{p}"' for p in paths) + "}" for _, paths in sessions),
    }
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "bench.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(lua)
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.users}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=args.seconds + 60,
        )
        os.unlink(script.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    match = re.search(r"RESULT (.*)", result.stdout)
    if not match:
        raise SystemExit(result.stdout + result.stderr)
    figures = dict(part.split("=") for part in match.group(1).split())
    figures = {key: int(value) for key, value in figures.items()}
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in figures if key.startswith("errors_"))
    print(f"Load test: {args.users} concurrent users, {seconds:.0f} s, gunicorn with {args.workers} workers")
    print(f"requests: {figures['requests']}  throughput: {figures['requests'] / seconds:.1f} req/s  errors: {errors}")
    print(
        f"latency p50 {figures['p50_us'] / 1000:.1f} ms, p95 {figures['p95_us'] / 1000:.1f} ms, "
        f"p99 {figures['p99_us'] / 1000:.1f} ms, max {figures['max_us'] / 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
