"""Measure requests per second of the public verification endpoints next to /healthz, on gunicorn with 2 workers.

Run from the project root with `make bench` or `.venv/bin/python bench/throughput.py`. Builds its own data in a
throwaway SQLite database, media, certificate, static and cache directory (removed afterwards) with production-like
settings (DEBUG off, a fresh signing key, the verification rate limit off), starts gunicorn on a free port of
127.0.0.1, then loads each endpoint in turn for a fixed time with wrk (a Python client if wrk is missing, which shares
the CPU with gunicorn and so understates the rates) and prints requests per second, latency and the ratio to
/healthz. The goal reported on, not asserted: each verification endpoint serves at least half /healthz's rate.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where bench/certificates.py would shadow the certificates app.
sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench")]

WORKERS = 2
CONNECTIONS = 8
WRK_THREADS = 2
DURATION = 10  # seconds each endpoint is measured
WARMUP = 2  # seconds of load before each measurement, not counted
GOAL = 0.5  # each verification endpoint's rate as a share of /healthz's
SETTINGS_MODULE = "bench_throughput_settings"

# Summed over wrk's threads in done(): responses outside 2xx (wrk itself only counts 4xx/5xx) and socket errors.
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %.0f, "seconds": %.6f, "p50_ms": %.3f, "p95_ms": %.3f, "non2xx": %.0f, "socket_errors": %.0f}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, bad,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass
class Result:
    """One endpoint's measurement, or why it wasn't measured."""

    label: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    non2xx: int = 0
    socket_errors: int = 0
    unavailable: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(tmp: Path, port: int) -> dict[str, str]:
    """Production-like environment on throwaway storage; also written into os.environ for the setup done here.

    lms/settings.py reads neither STATIC_ROOT nor the cache's location from the environment, so a settings module in
    the temporary directory takes lms.settings as it is and moves just those two into the temporary directory.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dataintegrity.multikey import private_key_multibase

    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        '"""lms.settings for bench/throughput.py: static files and the cache in its temporary directory."""\n\n'
        "from lms.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
        'CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", '
        f'"LOCATION": {str(tmp / "cache")!r}}}}}\n'
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "LMS_READ_DOTENV": "0",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",  # served over plain http on 127.0.0.1, with no proxy in front
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "CERTIFICATE_ROOT": str(tmp / "certificates"),
        "SIGNING_KEY": private_key_multibase(Ed25519PrivateKey.generate()),
        "SIGNING_KEY_FILE": "",
        "VERIFY_RATE_LIMIT": "off",
        "VERIFY_TOKEN_RATE_LIMIT": "off",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_URL": "locmem://",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    sys.path.insert(0, str(tmp))
    return {**os.environ, **environment}


def prepare_site() -> str:
    """Migrate, collect static files and issue one certificate; return its display code."""
    import django

    django.setup()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from certificates.models import Certificate
    from certificates.services import certificates_check
    from tests.factories import UserFactory, approve_programme_hours, build_assignment, build_programme

    programme = build_programme()
    assignment = build_assignment(trainee=UserFactory(first_name="Jordan", last_name="Ellis"))
    approve_programme_hours(assignment)
    certificates_check(holder=assignment.trainee)
    certificate = Certificate.objects.get(holder=assignment.trainee, programme=programme)

    from django.db import connections

    connections.close_all()
    return certificate.display_code


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body of one GET (any status, no exception for 4xx/5xx)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (always http://127.0.0.1)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            if get(url, timeout=2)[0] == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn didn't answer {url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def measure_wrk(url: str, seconds: int, script: Path) -> dict:
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout.strip()}")
    return json.loads(lines[-1])


def measure_python(url: str, seconds: int) -> dict:
    """The same figures as the wrk script, from CONNECTIONS threads each sending one request after another."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    latencies: list[float] = []
    counts = {"non2xx": 0, "socket_errors": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine, non2xx, errors = [], 0, 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                connection.request("GET", parts.path)
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                non2xx += not 200 <= response.status < 300
            except OSError:
                errors += 1
            finally:
                connection.close()
        with lock:
            latencies.extend(mine)
            counts["non2xx"] += non2xx
            counts["socket_errors"] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=20, method="inclusive") if len(latencies) > 1 else [0.0] * 19
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": cuts[-1],
        **counts,
    }


def run(base: str, endpoints: list[tuple[str, str]], tmp: Path) -> list[Result]:
    """Probe, warm up and measure each endpoint in turn against the running server."""
    script = tmp / "count.lua"
    script.write_text(WRK_SCRIPT)

    def measure(url: str, seconds: int) -> dict:
        return measure_wrk(url, seconds, script) if shutil.which("wrk") else measure_python(url, seconds)

    results = []
    for label, path in endpoints:
        result = Result(label)
        results.append(result)
        url = base + path
        status, body = get(url)
        if not 200 <= status < 300:
            result.unavailable = f"not available ({status})"
            continue
        if path.startswith("/api/"):
            with contextlib.suppress(ValueError, AttributeError):
                answered = json.loads(body).get("status")
                if answered != "valid":
                    result.notes.append(f"answered status {answered!r}, not 'valid'")
        measure(url, WARMUP)
        figures = measure(url, DURATION)
        for name, value in figures.items():
            setattr(result, name, value)
    return results


def report(results: list[Result], *, client: str, code: str, load: float) -> None:
    healthz = results[0]
    rows = []
    for result in results:
        if result.unavailable:
            rows.append((result.label, result.unavailable, "", "", "", "", ""))
            continue
        ratio = f"{result.rate / healthz.rate:.2f}" if healthz.rate else "-"
        rows.append(
            (
                result.label,
                f"{result.rate:.0f}",
                f"{result.p50_ms:.1f}",
                f"{result.p95_ms:.1f}",
                str(result.requests),
                str(result.non2xx),
                ratio,
            )
        )
    headers = ("endpoint", "requests/s", "p50 ms", "p95 ms", "requests", "non-2xx", "x /healthz")
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]
    print(
        f"Throughput: gunicorn, {WORKERS} sync workers, SQLite, DEBUG off; {client}, {CONNECTIONS} connections, "
        f"{DURATION} s per endpoint after {WARMUP} s warm-up; code {code}"
    )
    print(
        f"Load average before the run (1 min): {load:.2f} on {os.cpu_count()} CPUs; other busy processes lower "
        "every figure, the ratios less so"
    )
    print("  ".join(f"{text:<{widths[0]}}" if i == 0 else f"{text:>{widths[i]}}" for i, text in enumerate(headers)))
    for row in rows:
        print("  ".join(f"{text:<{widths[0]}}" if i == 0 else f"{text:>{widths[i]}}" for i, text in enumerate(row)))
    for result in results:
        if result.socket_errors:
            result.notes.append(f"{result.socket_errors} socket errors")
        for note in result.notes:
            print(f"note: {result.label}: {note}")
    for result in results[1:3]:
        if result.unavailable or not healthz.rate:
            print(f"goal: {result.label}: not measured")
        else:
            share = result.rate / healthz.rate
            verdict = "met" if share >= GOAL else "NOT met"
            print(f"goal: {result.label}: {share:.2f} x /healthz (at least {GOAL:.1f} wanted): {verdict}")


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn (its master stops its workers); kill its process group if it doesn't go in time."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def main() -> None:
    client = "wrk" if shutil.which("wrk") else "Python client (wrk not found: it shares the CPU, rates understated)"
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as directory:
        tmp = Path(directory)
        port = free_port()
        environment = configure(tmp, port)
        code = prepare_site()
        base = f"http://127.0.0.1:{port}"
        log = tmp / "gunicorn.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(  # noqa: S603
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "lms.wsgi:application",
                    f"--workers={WORKERS}",
                    f"--bind=127.0.0.1:{port}",
                    "--graceful-timeout=5",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_up(f"{base}/healthz", server, log)
            results = run(
                base,
                [
                    ("GET /healthz", "/healthz"),
                    ("GET /api/v1/verify/{code}", f"/api/v1/verify/{code}"),
                    ("GET /verify/{code}/", f"/verify/{code}/"),
                    ("GET /credentials/{code}.json", f"/credentials/{code}.json"),
                    ("GET /.well-known/did.json", "/.well-known/did.json"),
                ],
                tmp,
            )
        finally:
            stop(server)
    report(results, client=client, code=code, load=load_before)


if __name__ == "__main__":
    main()
