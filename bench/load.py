"""Bounded load test: 32 people using the site at once for 60 s, then every write counted again in the database.

Run from the project root with `make loadtest` or `.venv/bin/python bench/load.py`. It runs itself inside a
throwaway PostgreSQL cluster (scripts/with-postgres.sh), so it never touches a database of yours, and talks only to
127.0.0.1. Steps:

1. migrate, collect static files, make a fresh signing key (`manage.py rotate_signing_key`), load the demo
   (`seed_demo --force`), then add the load-test people: trainees with a placement and a supervisor, supervisors with
   an authenticator app (a TOTP secret) and a qualification on record, and API tokens for the demo verifier;
2. start gunicorn (2 workers) with production-like settings (DEBUG off, background tasks on the database queue,
   emails to files) and one `manage.py db_worker`, and wait until the demo's certificate PDFs are rendered;
3. run locust headless (bench/locustfile.py): trainees read lessons and their dashboard, log practice entries and
   submit them; supervisors sign in with their second factor and approve (now and then return) the oldest batch;
   verifiers check certificates by page and API, some with a token. Every form is a real POST with its CSRF token;
4. stop the web server, let the worker finish every queued task, and compare what the users saw confirmed with the
   database: entries saved (each carries a unique marker, so none lost or duplicated), batches, approvals, returns,
   logged token lookups, and no failed or stranded background task.

Prints requests, failures, 5xx responses and p50/p95/p99 per request type; keeps locust's CSV files, the record of
confirmed writes and the summary in var/loadtest/<time>/. Exits 1 on any 5xx or database mismatch, 2 if the test
couldn't run. LOAD_USERS and LOAD_SECONDS change the 32 users and 60 seconds.

Two deliberate differences from production: plain http on 127.0.0.1 with no TLS proxy in front, so
SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE are off (a client only sends Secure cookies over
https); and the verification rate limits are off, since every verifier here shares one address.
"""

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where bench/certificates.py would shadow the certificates app.
sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench")]

from bench.loadtest_checks import SUPERVISOR_PREFIX, TRAINEE_PREFIX, database_checks  # noqa: E402 - after the path
from bench.serve import WORKERS, free_port, gunicorn_command  # noqa: E402 - after the path is set

USERS = int(os.environ.get("LOAD_USERS", "32"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
SPAWN_RATE = 8  # users started per second
TRAINEES = USERS * 5 // 8  # 20 of 32
SUPERVISORS = max(1, USERS // 6)  # 5 of 32; the rest (7) are verifiers
VERIFIERS = max(0, USERS - TRAINEES - SUPERVISORS)
CLUSTER_FLAG = "LMS_LOAD_TEST_CLUSTER"
SETTINGS_MODULE = "bench_load_settings"
TASK_DRAIN_SECONDS = 300
RESULTS = ROOT / "var" / "loadtest"


def in_throwaway_cluster() -> None:
    """Run this script again inside scripts/with-postgres.sh, unless this already is that run."""
    if os.environ.get(CLUSTER_FLAG) == "1" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    command = [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, str(Path(__file__).resolve())]
    finished = subprocess.run(command, cwd=ROOT, env={**os.environ, CLUSTER_FLAG: "1"}, check=False)  # noqa: S603
    if finished.returncode == 3:
        print("The load test needs PostgreSQL (Debian: apt-get install postgresql); it wasn't run.", file=sys.stderr)
    raise SystemExit(finished.returncode)


def configure(tmp: Path, port: int) -> dict[str, str]:
    """Production-like environment on throwaway storage; also written into os.environ for the setup done here.

    A settings module in the temporary directory takes config.settings as it is and moves the static files there; the
    cache and the rate limits keep their production home, the database every process shares.
    """
    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        '"""config.settings for bench/load.py: static files in its temporary directory."""\n\n'
        "from config.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "LMS_READ_DOTENV": "0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",  # plain http on 127.0.0.1, with no TLS proxy in front
        "SESSION_COOKIE_SECURE": "0",  # clients send Secure cookies only over https
        "CSRF_COOKIE_SECURE": "0",
        "MEDIA_ROOT": str(tmp / "media"),
        "CERTIFICATE_ROOT": str(tmp / "certificates"),
        "SIGNING_KEY_FILE": str(tmp / "signing-key.json"),
        "SIGNING_KEY": "",
        "VERIFY_RATE_LIMIT": "off",  # every verifier here shares 127.0.0.1
        "VERIFY_TOKEN_RATE_LIMIT": "off",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_URL": f"file://{tmp / 'mail'}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    sys.path.insert(0, str(tmp))
    return {**os.environ, **environment}


def prepare_site(plan_path: Path, password: str) -> dict:
    """Migrate, collect static files, make a signing key, load the demo and the load-test people; write the plan."""
    import django

    django.setup()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("rotate_signing_key", stdout=io.StringIO())
    output = io.StringIO()
    call_command("seed_demo", force=True, stdout=output)
    certificates = [
        {"status": found.group(1), "code": found.group(2)}
        for found in re.finditer(r"^(valid|expired|suspended|revoked|superseded) (\S+) \S+$", output.getvalue(), re.M)
    ]
    if not certificates:
        raise SystemExit("seed_demo listed no certificates:\n" + output.getvalue())
    plan = {"password": password, "certificates": certificates, **seed_load_people(password)}
    plan_path.write_text(json.dumps(plan, indent=1))

    from django.db import connections

    connections.close_all()
    return plan


def seed_load_people(password: str) -> dict:
    """Trainees with a placement, supervisors with an authenticator app and a qualification, verifier API tokens."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from courses.models import CoursePage, LessonPage
    from courses.services import enrolment_create
    from lms.roles import SUPERVISOR, TRAINEE
    from practice.supervision import assignment_create, organisation_create, supervisor_profile_save
    from verification.services import api_token_create

    user_model = get_user_model()
    password_hash = make_password(password)  # hashed once: the same password for everyone, set without re-hashing

    def person(username: str, first_name: str, last_name: str, role: str):
        user = user_model.objects.create(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@example.org",
            password=password_hash,
        )
        user.groups.add(Group.objects.get(name=role))
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    with transaction.atomic():
        supervisors = []
        for number in range(1, SUPERVISORS + 1):
            user = person(f"{SUPERVISOR_PREFIX}{number:02d}", "Robin", f"Supervisor {number}", SUPERVISOR)
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            supervisor_profile_save(
                supervisor=user,
                qualification="Certified Peer Specialist Supervisor",
                credential_number=f"LT-{number:04d}",
                jurisdiction="Testshire",
            )
            supervisors.append({"user": user, "username": user.username, "totp_secret": secret})
        organisation = organisation_create(name="Load Test Peer Centre", location="Loopback")
        course = CoursePage.objects.live().order_by("path").first()
        trainees = []
        for number in range(1, TRAINEES + 1):
            user = person(f"{TRAINEE_PREFIX}{number:02d}", "Alex", f"Trainee {number}", TRAINEE)
            assignment_create(
                supervisor=supervisors[(number - 1) % SUPERVISORS]["user"],
                trainee=user,
                organisation=organisation,
                starts_on=timezone.localdate() - timedelta(days=1000),
            )
            enrolment_create(user=user, course=course)
            trainees.append(user.username)
        verifier = user_model.objects.get(username="verifier")
        tokens = [api_token_create(user=verifier, name=f"Load test {n}")[1] for n in range(1, max(VERIFIERS, 1) + 1)]
    lessons = [page.get_url() for page in LessonPage.objects.live().descendant_of(course).order_by("path")]
    return {
        "trainees": trainees,
        "supervisors": [{"username": s["username"], "totp_secret": s["totp_secret"]} for s in supervisors],
        "tokens": tokens,
        "course": course.get_url(),
        "lessons": lessons,
    }


def get(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (always http://127.0.0.1)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def start(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """Start a server process in its own process group, its output going to a log file."""
    with log.open("w") as log_file:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen | None, *, seconds: float = 15) -> None:
    """Stop a process started here (SIGTERM, then SIGKILL of its process group if it doesn't go in time)."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if get(url, timeout=2) == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn didn't answer {url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def task_counts() -> Counter:
    """Background tasks on the database queue, by status."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    return Counter(dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")))


def wait_for_tasks(worker: subprocess.Popen, log: Path, seconds: float) -> tuple[Counter, float]:
    """Wait until the worker has run every queued task; returns the counts by status and the seconds it took."""
    started = time.monotonic()
    while True:
        counts = task_counts()
        if not counts["READY"] and not counts["RUNNING"]:
            return counts, time.monotonic() - started
        if worker.poll() is not None:
            raise SystemExit(f"db_worker exited with {worker.returncode}:\n{log.read_text()[-3000:]}")
        if time.monotonic() - started > seconds:
            return counts, time.monotonic() - started
        time.sleep(0.5)


def run_locust(base: str, tmp: Path, env: dict) -> subprocess.CompletedProcess:
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        f"{SECONDS}s",
        "--stop-timeout",
        "30",  # a user finishes the task it is in (say, a form POST) before it stops
        "--host",
        base,
        "--csv",
        str(tmp / "locust"),
        "--only-summary",
    ]
    with (tmp / "locust.log").open("w") as log:
        return subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=SECONDS + 180, check=False
        )


def table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(row))
        for row in rows
    ]


def summary(*, record, checks, tasks, tasks_before, drain_seconds, load_before, postgres) -> tuple[list[str], bool]:
    """The report's lines, and whether the run passed (no 5xx, every check and task fine)."""
    lines = [
        f"Load test: {USERS} users ({TRAINEES} trainees, {SUPERVISORS} supervisors, {VERIFIERS} verifiers), "
        f"{SECONDS} s after a ramp of {SPAWN_RATE} users/s; gunicorn {WORKERS} sync workers + 1 db_worker, "
        f"PostgreSQL {postgres}, DEBUG off; locust on the same machine",
        f"Load average before the run (1 min): {load_before:.2f} on {os.cpu_count()} CPUs",
        "",
    ]
    rows = [("request", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms")]
    total = record.get("total") or {}
    for entry in [*record.get("stats", []), {**total, "name": "all requests"}] if total else []:
        rows.append(
            (
                entry["name"],
                str(entry["requests"]),
                str(entry["failures"]),
                f"{entry['rps']:.1f}",
                *(f"{entry[p]:.0f}" for p in ("p50", "p95", "p99")),
            )
        )
    lines += table(rows)
    codes = record.get("status_codes", {})
    server_errors = sum(count for code, count in codes.items() if int(code) >= 500)
    no_response = codes.get("0", 0)
    lines += [
        "",
        "HTTP status codes: " + ", ".join(f"{code}: {count}" for code, count in sorted(codes.items())),
        f"5xx responses: {server_errors}"
        + (
            " (" + ", ".join(f"{name}: {n}" for name, n in record["server_errors"].items()) + ")"
            if server_errors
            else ""
        ),
    ]
    if no_response:
        lines.append(f"requests without any response (connection errors or timeouts): {no_response}")
    for failure in record.get("failures", []):
        lines.append(f"failure x{failure['occurrences']}: {failure['name']}: {failure['error'][:200]}")
    lines += ["", "Database checks after the run:"]
    lines += [f"  [{'ok' if check.passed else 'MISMATCH'}] {check.name}: {check.detail}" for check in checks]
    stranded = tasks["READY"] + tasks["RUNNING"]
    tasks_ok = not tasks["FAILED"] and not stranded
    lines.append(
        f"  [{'ok' if tasks_ok else 'MISMATCH'}] background tasks (emails, certificate checks) queued during the load: "
        f"{tasks['SUCCESSFUL'] - tasks_before['SUCCESSFUL']} successful, "
        f"{tasks['FAILED']} failed, {stranded} not finished {drain_seconds:.0f} s after the load stopped"
    )
    passed = bool(total.get("requests")) and not server_errors and all(check.passed for check in checks) and tasks_ok
    lines += ["", "PASSED: no 5xx, no lost or duplicated writes." if passed else "FAILED: see above."]
    return lines, passed


def main() -> None:
    in_throwaway_cluster()
    load_before = os.getloadavg()[0]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = RESULTS / stamp
    gunicorn = worker = None
    with tempfile.TemporaryDirectory(prefix="lms-load-") as directory:
        tmp = Path(directory)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = configure(tmp, port)
        print(f"Preparing the site (migrate, static files, demo data, {TRAINEES + SUPERVISORS} load-test people)…")
        prepare_site(tmp / "plan.json", secrets.token_urlsafe(16))

        from django.db import connection

        postgres = connection.cursor().connection.info.server_version
        postgres = f"{postgres // 10000}.{postgres % 10000}"
        try:
            worker = start(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
                env=env,
                log=tmp / "db_worker.log",
            )
            gunicorn = start(
                gunicorn_command(port, graceful_timeout=10),
                env=env,
                log=tmp / "gunicorn.log",
            )
            wait_until_up(f"{base}/healthz", gunicorn, tmp / "gunicorn.log")
            counts, seconds = wait_for_tasks(worker, tmp / "db_worker.log", TASK_DRAIN_SECONDS)
            print(f"Server up on {base}; the demo's {counts['SUCCESSFUL']} background tasks ran in {seconds:.0f} s.")
            print(f"Running locust: {USERS} users for {SECONDS} s…")
            locust_env = {**env, "LOAD_PLAN": str(tmp / "plan.json"), "LOAD_RECORD": str(tmp / "record.json")}
            run_locust(base, tmp, locust_env)
            stop(gunicorn)
            tasks, drain_seconds = wait_for_tasks(worker, tmp / "db_worker.log", TASK_DRAIN_SECONDS)
        finally:
            stop(gunicorn)
            stop(worker)
        record_path = tmp / "record.json"
        if not record_path.exists():
            print((tmp / "locust.log").read_text()[-4000:], file=sys.stderr)
            raise SystemExit("locust wrote no record of its writes; its log is above.")
        record = json.loads(record_path.read_text())
        checks = database_checks(record)
        lines, passed = summary(
            record=record,
            checks=checks,
            tasks=tasks,
            tasks_before=counts,
            drain_seconds=drain_seconds,
            load_before=load_before,
            postgres=postgres,
        )
        results.mkdir(parents=True, exist_ok=True)
        for name in ["record.json", "locust.log", "gunicorn.log", "db_worker.log"]:
            if (tmp / name).exists():
                shutil.copy(tmp / name, results / name)
        for path in tmp.glob("locust_*.csv"):
            shutil.copy(path, results / path.name)
        lines.append(f"Results kept in {results.relative_to(ROOT)}/")
        (results / "summary.txt").write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
        from django.db import connections

        connections.close_all()
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
