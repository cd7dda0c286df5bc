"""Serving and loading the site for `make bench`: production-like settings on throwaway storage, gunicorn, and wrk.

configure() points Django at a temporary directory (DEBUG off, a fresh signing key, the verification rate limits
off, plain http on 127.0.0.1); Server runs gunicorn with 2 sync workers there; load() measures one URL with wrk for
a fixed time (with a Python client when wrk is missing, which shares the CPU with gunicorn and so understates
the rates).
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
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WRK_THREADS = 2
SETTINGS_MODULE = "bench_settings"

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


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(port: int, *, graceful_timeout: int, app: str = "config.wsgi:application") -> list[str]:
    """gunicorn serving the site (or another WSGI app) with WORKERS sync workers on 127.0.0.1:port."""
    return [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        app,
        f"--workers={WORKERS}",
        f"--bind=127.0.0.1:{port}",
        f"--graceful-timeout={graceful_timeout}",
        "--no-control-socket",  # its default path is one per user, shared with any other gunicorn
    ]


def configure(tmp: Path, port: int, *, database_url: str) -> dict[str, str]:
    """Production-like environment on throwaway storage; also written into os.environ for the work done in-process.

    A settings module in the temporary directory takes config.settings as it is and moves the static files there; the
    cache and the rate-limit counters stay in the database, as deployed.
    Returns the environment for gunicorn.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dataintegrity.multikey import private_key_multibase

    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        '"""config.settings for make bench: static files in its temporary directory."""\n\n'
        "from config.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
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
        "DATABASE_URL": database_url,
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


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """Status and body of one GET (any status, no exception for 4xx/5xx, redirects not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (always http://127.0.0.1)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """gunicorn with 2 sync workers on a port of 127.0.0.1, started and stopped with `with`.

    Serves this site from the project root unless given another WSGI `app`, its folder `cwd` and the URL that
    answers 200 once it is up (`ready_path`).
    """

    def __init__(
        self,
        *,
        port: int,
        environment: dict[str, str],
        log: Path,
        app: str = "config.wsgi:application",
        cwd: Path = ROOT,
        ready_path: str = "/healthz",
    ):
        self.port, self.environment, self.log = port, environment, log
        self.app, self.cwd, self.ready_path = app, cwd, ready_path
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        with self.log.open("a") as log_file:
            self.process = subprocess.Popen(  # noqa: S603
                gunicorn_command(self.port, graceful_timeout=5, app=self.app),
                cwd=self.cwd,
                env=self.environment,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_up(f"{self.base}{self.ready_path}")
        return self

    def _wait_until_up(self, url: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if get(url, timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn didn't answer {url} within {seconds:.0f} s:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        """Stop gunicorn (its master stops its workers); kill its process group if it doesn't go in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Load:
    """One URL under load for a fixed time: requests, seconds, latency percentiles and failures."""

    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    non2xx: int = 0
    socket_errors: int = 0

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def client_name() -> str:
    """What drives the load, for the report."""
    if shutil.which("wrk"):
        return "wrk"
    return "a Python client (wrk not found: it shares the CPU with gunicorn, so rates are understated)"


def load(url: str, seconds: float, *, headers: dict[str, str], script: Path) -> Load:
    """Load the URL for `seconds` from CONNECTIONS connections, with wrk when installed."""
    if shutil.which("wrk"):
        return _load_wrk(url, seconds, headers=headers, script=script)
    return _load_python(url, seconds, headers=headers)


def _load_wrk(url: str, seconds: float, *, headers: dict[str, str], script: Path) -> Load:
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        *[f"--header={name}: {value}" for name, value in headers.items()],
        url,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip() or finished.stdout.strip()}")
    return Load(**json.loads(lines[-1]))


def _load_python(url: str, seconds: float, *, headers: dict[str, str]) -> Load:
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
                connection.request("GET", parts.path, headers=headers)
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
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=cuts[-1],
        **counts,
    )
