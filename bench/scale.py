"""One database's part of `make bench`: the same pages, eligibility and certificate render at 1x and 100x data.

Run by bench/run.py as `python -m bench.scale --database sqlite|postgresql --out FILE` from the project root (for
PostgreSQL under scripts/with-postgres.sh, which sets DATABASE_URL). In a throwaway directory with production-like
settings (bench/serve.py) it migrates, then for each scale: brings the load data up to it with `seed_load`, counts
the queries of each page in-process (Django's test client against the same database, after two warm-up requests),
serves the site with gunicorn and loads each page with wrk, times the eligibility check of every trainee, and times
one certificate render next to a one-line WeasyPrint document. Writes the figures as JSON; progress goes to stderr.

A stock `wagtail start` site (bench/stock.py) is served beside ours, and its home page is loaded in turn just before
each page we compare with it (the lesson page, the dashboard and the practice log), so a ratio's two figures are
taken moments apart.

The pages are requested as the same people at both scales, whose own data is the same at both (demo/load.py):
load-trainee-00002 (part way, 100 entries) and load-supervisor-0001 (25 trainees, 46 batches waiting), so any
difference between 1x and 100x is what the other 99 % of the rows cost.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.serve import CONNECTIONS, Server, client_name, configure, free_port, get, load
from bench.stock import HOME, build_stock_site, stock_queries, stock_server

DURATION = float(os.environ.get("BENCH_DURATION", "5"))  # seconds each URL is measured
WARMUP = float(os.environ.get("BENCH_WARMUP", "1"))  # seconds of load before each measurement, not counted
SCALES = [int(scale) for scale in os.environ.get("BENCH_SCALES", "1,100").split(",")]
RENDERS = int(os.environ.get("BENCH_RENDERS", "5"))
TRAINEE = "load-trainee-00002"
SUPERVISOR = "load-supervisor-0001"
GRADUATE = "load-trainee-00001"  # holds a certificate issued on the day of the load


STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress for whoever watches the run, with the seconds since this database's part began."""
    print(f"[{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def database_version() -> str:
    """The database's name and version."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def targets() -> list[dict]:
    """The pages to measure: label, path, and the session cookie of whoever requests it (none: anonymous)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from certificates.models import Certificate
    from demo.load import ensure_curriculum
    from demo.load_context import Curriculum

    users = get_user_model().objects
    _, course = ensure_curriculum()
    lesson = Curriculum.of(course).lessons[4]
    code = Certificate.objects.get(holder__username=GRADUATE).display_code

    def session_of(username: str) -> str:
        client = Client()
        client.force_login(users.get(username=username))
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    trainee, supervisor = session_of(TRAINEE), session_of(SUPERVISOR)
    return [
        {"label": "healthz", "path": "/healthz", "session": None},
        {"label": "lesson", "path": lesson.get_url(), "session": trainee},
        {"label": "dashboard", "path": "/dashboard/", "session": trainee},
        {"label": "log", "path": "/practice/", "session": trainee},
        {"label": "review", "path": "/practice/review/", "session": supervisor},
        {"label": "verify", "path": f"/api/v1/verify/{code}", "session": None},
    ]


def count_queries(target: dict) -> int:
    """The queries one request for the page makes, after two warm-up requests, in this process."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if target["session"]:
        client.cookies[settings.SESSION_COOKIE_NAME] = target["session"]
    for _ in range(2):
        client.get(target["path"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target["path"])
    if response.status_code != 200:
        raise SystemExit(f"{target['path']} answered {response.status_code} in-process, not 200")
    return len(captured)


COMPARED_WITH_STOCK = {"lesson", "dashboard", "log"}
"""The pages whose load is taken in turn with the stock Wagtail home page's, for a ratio."""


def measure_pages(pages: list[dict], server: Server, stock: Server, script: Path, label: str) -> None:
    """Warm up and load each page in turn; adds 'load' (or 'unavailable') to each, and 'stock' (the stock home
    page's load, taken just before) to those compared with it."""
    from django.conf import settings

    for page in pages:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={page['session']}"} if page["session"] else {}
        url = server.base + page["path"]
        status, body = get(url, headers=headers)
        if status != 200:
            page["unavailable"] = f"answered {status}"
            say(f"{label}: {page['path']} answered {status}; not measured")
            continue
        if page["label"] == "verify" and json.loads(body).get("status") != "valid":
            page["note"] = f"answered status {json.loads(body).get('status')!r}, not 'valid'"
        if page["label"] in COMPARED_WITH_STOCK:
            page["stock"] = asdict(stock_load := _measure(stock.base + HOME, {}, script))
            say(f"{label}: stock Wagtail {HOME}: {stock_load.rate:,.0f} requests/s")
        page["load"] = asdict(measured := _measure(url, headers, script))
        say(f"{label}: {page['path']}: {measured.rate:,.0f} requests/s, {page['queries']} queries")


def _measure(url: str, headers: dict[str, str], script: Path):
    load(url, WARMUP, headers=headers, script=script)
    return load(url, DURATION, headers=headers, script=script)


ONE_BY_ONE_SAMPLE = 500  # trainees checked one at a time, beside the set-based check of everyone


def eligibility_of_everyone() -> dict:
    """Time the set-based eligibility check of every trainee for the programme, and the one-person check of a
    sample of them one at a time, counting the queries of each."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Prefetch
    from django.utils import timezone

    from certificates.eligibility import programme_eligibility, programme_eligibility_of_many
    from certificates.models import Programme, ProgrammeDomainHours
    from lms.roles import TRAINEE

    programme = Programme.objects.prefetch_related(
        Prefetch("domain_hours", queryset=ProgrammeDomainHours.objects.select_related("domain")), "activity_hours"
    ).get(abbreviation="CPS")
    trainees = get_user_model().objects.filter(groups__name=TRAINEE).order_by("pk")
    today = timezone.localdate()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        everyone = programme_eligibility_of_many(user_ids=trainees.values("pk"), programme=programme, on=today)
        seconds = time.perf_counter() - started
    result = {"trainees": len(everyone), "seconds": seconds, "queries": queries}
    result["met"] = sum(eligibility.met for eligibility in everyone.values())
    sample = list(trainees[:ONE_BY_ONE_SAMPLE])
    queries = 0
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        met = sum(programme_eligibility(user=user, programme=programme, on=today).met for user in sample)
        one_by_one = time.perf_counter() - started
    same = met == sum(everyone[user.pk].met for user in sample)
    result["one_by_one"] = {"trainees": len(sample), "seconds": one_by_one, "queries": queries, "same": same}
    return result


def measure_scale(scale: int, *, port: int, environment: dict, tmp: Path, stock: Server, label: str) -> dict:
    """Bring the data up to the scale and measure everything at it."""
    from django.core.management import call_command
    from django.db import connections

    from bench.certificates import render_times
    from certificates.models import Certificate
    from demo.load import load_counts
    from practice.models import PracticeEntry

    started = time.perf_counter()
    call_command("seed_load", scale=scale, force=True, stdout=sys.stderr)
    seeded = time.perf_counter() - started
    trainees, _ = load_counts()
    result = {"scale": scale, "seed_seconds": seeded, "trainees": trainees, "entries": PracticeEntry.objects.count()}
    pages = targets()
    for page in pages:
        page["queries"] = count_queries(page)
    connections.close_all()
    with Server(port=port, environment=environment, log=tmp / "gunicorn.log") as server:
        measure_pages(pages, server, stock, tmp / "count.lua", label)
    result["pages"] = [{key: value for key, value in page.items() if key != "session"} for page in pages]
    result["eligibility"] = checked = eligibility_of_everyone()
    say(f"{label}: eligibility of {checked['trainees']} trainees in {checked['seconds']:.1f} s")
    certificate = Certificate.objects.select_related("programme", "holder").get(holder__username=GRADUATE)
    result["render"] = render_times(certificate, runs=RENDERS)
    say(f"{label}: certificate render {result['render']['certificate_ms']:.0f} ms")
    connections.close_all()
    return result


def main() -> None:
    """Measure one database at every scale and write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as directory:
        tmp = Path(directory)
        if args.database == "postgresql":
            database_url = os.environ["DATABASE_URL"]
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        port = free_port()
        environment = configure(tmp, port, database_url=database_url)
        import django

        django.setup()
        from django.core.management import call_command

        name = database_version()
        say(f"{name}: migrating a new database…")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        result = {"database": name, "client": client_name(), "connections": CONNECTIONS, "scales": []}
        result.update(duration=DURATION, warmup=WARMUP, renders=RENDERS)
        say("stock Wagtail: wagtail start, migrate, collectstatic…")
        project = build_stock_site(tmp)
        queries_of_stock = stock_queries(project)
        with stock_server(project, port=free_port(), log=tmp / "stock-gunicorn.log") as stock:
            for scale in SCALES:
                label = f"{name} {scale}x"
                say(f"{label}: seed_load --scale {scale}…")
                figures = measure_scale(scale, port=port, environment=environment, tmp=tmp, stock=stock, label=label)
                result["scales"].append({**figures, "stock_queries": queries_of_stock})
    result["seconds"] = time.perf_counter() - started
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
