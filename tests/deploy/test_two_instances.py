"""Two app servers and one task worker on one PostgreSQL, started by scripts/serve.sh as in production.

A trainee signs the code of ethics through server A, the last thing their certificate needed; the task worker
(started beside A) issues the certificate and renders its PDF; then server B, which runs no worker, shows it valid
on the check page and the API, lets the holder download the PDF, and verifies that PDF when it is uploaded. The
session made on A works on B: nothing lives in one server's memory.
"""

import hashlib
import html
import re
import shutil
import socket
import time
from http.cookies import SimpleCookie

import psycopg
import pytest
import requests

from tests.deploy.conftest import SERVE, free_port, manage, production_env

pytestmark = pytest.mark.postgres

HOLDER = "Jordan Achterberg"
PASSWORD = "peerdemo2026"  # the demo password seed_demo gives every account
POLL_TIMEOUT = 120  # seconds for the worker to issue and render

# Run by `manage.py shell` after seed_demo: a trainee who has met every requirement of the demo programme (hours
# approved, courses and quizzes passed) except signing its code of ethics; prints what is still unmet.
PREPARE_TRAINEE = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from demo.certificates import DemoHolder, complete_training, ensure_person, log_hours
from certificates.eligibility import programme_eligibility
from certificates.models import Programme
from demo.site import LoadReport

holder = DemoHolder("jordan", "Jordan", "Achterberg", "Harbour Peer Support Centre", 0)
user = ensure_person(holder, LoadReport())
programme = Programme.objects.get(abbreviation="CPS")
supervisor = get_user_model().objects.get(username="supervisor")
log_hours(user=user, supervisor=supervisor, organisation=holder.organisation, certified_on=timezone.localdate())
complete_training(user=user, programme=programme, passed_at=None)
for line in programme_eligibility(user=user, programme=programme, on=timezone.localdate()).unmet:
    print(line.summary)
"""


class ProxiedClient:
    """Reaches the app servers as the TLS-terminating load balancer forwards requests: as https, with one set of
    cookies for every server (Secure cookies included, which a plain-http client would otherwise hold back)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, headers: dict | None = None, **kwargs) -> requests.Response:
        """Send one request (redirects are not followed) and keep the cookies it sets or deletes."""
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, url: str, **kwargs) -> requests.Response:
        """GET the address."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, headers: dict | None = None, **kwargs) -> requests.Response:
        """POST as the page at `url` would: with the CSRF token and its https address as the Referer."""
        referer = "https://" + url.removeprefix("http://")
        headers = {"X-CSRFToken": self.cookies.get("csrftoken", ""), "Referer": referer, **(headers or {})}
        return self.request("POST", url, headers=headers, **kwargs)


def via_proxy_protocol(port: int, *, client_address: str, path: str) -> bytes:
    """GET `path` as a load balancer speaking the PROXY protocol would, for a client at `client_address`."""
    request = (
        f"PROXY TCP4 {client_address} 127.0.0.1 40000 {port}\r\n"
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).split(b"\r\n", 1)[0]


def text(response: requests.Response) -> str:
    """The page's words, without markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", response.text)).split())


def holder_emails(folder, words: str) -> str:
    """Every email written to the folder so far, once one of them contains the words; empty until then."""
    mail = "\n".join(path.read_text() for path in folder.iterdir()) if folder.exists() else ""
    return mail if words in mail else ""


def finished_tasks(database_url: str) -> list:
    """Every task on the database queue as (path, status, worker ids), once none is waiting or running."""
    with psycopg.connect(database_url) as connection:
        tasks = connection.execute(
            "SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        ).fetchall()
    return tasks if tasks and not any(status in ("READY", "RUNNING") for _, status, _ in tasks) else []


def poll(what: str, check, *, timeout: float = POLL_TIMEOUT):
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}")


def test_a_certificate_issued_through_one_server_is_verifiable_through_the_other(
    postgres_database, processes, tmp_path, collected_static
):
    started_at = time.monotonic()

    def milestone(what: str) -> None:
        print(f"{time.monotonic() - started_at:6.1f} s  {what}")

    # A database the pass migrated (serve.sh's migrate then has nothing left to apply: the pass's own migrate of an
    # empty database is the first start's), and the static files an earlier release collected on this host.
    database_url = postgres_database("two_instances", migrated=True)
    env = production_env(database_url=database_url, folder=tmp_path)
    shutil.copytree(collected_static, env["STATIC_ROOT"])
    port_a, port_b = free_port(), free_port()
    server_a, server_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"

    # Server A migrates, makes the signing key, collects static files and runs gunicorn with the one task worker.
    serve_a = processes.start(
        "serve-a",
        SERVE,
        {**env, "BIND": f"127.0.0.1:{port_a}", "WEB_CONCURRENCY": "2", "TASK_WORKERS": "1"},
    )
    processes.wait_until_healthy(serve_a, server_a)
    for step in ("applying migrations", "no signing key file yet: making the first key", "collecting static files"):
        assert f"serve: {step}" in serve_a.output()
    milestone("server A (migrated, key made, gunicorn + worker) answers")

    # The demo data, and a trainee one signature away from a certificate (set up in-process, before any request).
    in_process = {**env, "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    manage(in_process, "seed_demo", "--force")
    unmet = manage(in_process, "shell", "--no-imports", "-c", PREPARE_TRAINEE).strip().splitlines()
    assert unmet == ["Code of ethics: not signed yet"]
    milestone("demo seeded and trainee prepared")

    # Server B: another host's app server on the same database and shared folders, with no task worker of its own.
    # A has migrated; B uses the static files A collected (another host would have its release's own copy).
    serve_b = processes.start(
        "serve-b",
        SERVE,
        {
            **env,
            **{"BIND": f"127.0.0.1:{port_b}", "WEB_CONCURRENCY": "2", "TASK_WORKERS": "0"},
            **{"MIGRATE_ON_START": "0", "COLLECTSTATIC_ON_START": "0", "PROXY_PROTOCOL_FROM": "127.0.0.1"},
        },
    )
    processes.wait_until_healthy(serve_b, server_b)
    assert "and 0 task worker(s)" in serve_b.output()
    milestone("server B answers")

    # Through A: sign in and sign the code of ethics, which completes the programme.
    client = ProxiedClient()
    client.get(f"{server_a}/accounts/login/")
    signed_in = client.post(f"{server_a}/accounts/login/", data={"login": "jordan", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text
    assert signed_in.headers["Location"] == "/dashboard/"
    dashboard = client.get(f"{server_a}/dashboard/")
    ethics_url = re.search(r'action="(/certificates/programmes/\d+/ethics/)"', dashboard.text)
    assert ethics_url, "the dashboard offers the code of ethics to sign"
    signed = client.post(server_a + ethics_url[1], data={"agreed": "on"})
    assert signed.status_code == 302 and signed.headers["Location"] == "/dashboard/"
    milestone("code of ethics signed through A")

    # Through B, with the session made on A: the thank-you message, then the certificate once the worker issued it.
    assert "Thank you. You've signed the Certified Peer Specialist code of ethics." in text(
        client.get(f"{server_b}/dashboard/")
    )
    certificate_path = poll(
        "the worker to issue the certificate",
        lambda: re.search(r'href="(/certificates/\d+/)"', client.get(f"{server_b}/dashboard/").text),
    )[1]

    def rendered_page():
        page = text(client.get(server_b + certificate_path))
        return page if "Download PDF (A4)" in page else None

    detail = poll("the worker to render the PDF", rendered_page)
    milestone("certificate issued and rendered by the worker, seen through B")
    code = re.search(r"Verification code ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){6})", detail)[1]
    number = re.search(r"CPS-\d{4}-\d{6}", detail)[0]

    # B's public check page and API say it is valid, with the holder's name.
    page = client.get(f"{server_b}/verify/{code}/")
    assert page.status_code == 200
    assert "This certificate is valid today." in text(page)
    assert f"Holder {HOLDER}" in text(page) and number in text(page)
    answer = client.get(f"{server_b}/api/v1/verify/{code}")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["holder_name"]) == ("valid", HOLDER)
    assert answer.json()["certificate_number"] == number

    # The holder downloads the stored PDF through B: the bytes the worker stored, by their SHA-256.
    download = client.get(f"{server_b}{certificate_path}certificate-a4.pdf")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    with psycopg.connect(database_url) as connection:
        stored_sha256, stored_name = connection.execute(
            "SELECT f.sha256, f.file FROM certificates_certificatefile f "
            "JOIN certificates_certificate c ON c.id = f.certificate_id WHERE c.number = %s AND f.paper = 'a4'",
            [number],
        ).fetchone()
    assert hashlib.sha256(download.content).hexdigest() == stored_sha256
    assert (tmp_path / "certificates" / stored_name).read_bytes() == download.content

    # Uploaded to B's file check, the PDF is genuine, valid and byte for byte the one issued.
    checked = client.post(
        f"{server_b}/verify/",
        files={"file": ("certificate.pdf", download.content, "application/pdf")},
        headers={"Accept": "application/json"},
    )
    assert checked.status_code == 200, checked.text
    result = checked.json()
    assert (result["outcome"], result["holder_name"], result["certificate_number"]) == ("valid", HOLDER, number)
    assert {"label": "PDF", "passed": True, "detail": "Byte for byte the PDF this site issued."} in result["findings"]

    # What A queued ran in the worker, not in the request: the check that issued, the render, the emails. The render
    # queues the holder's "ready" email as it commits, so the page can show the PDF before the worker has sent it.
    poll("the worker to email the holder", lambda: holder_emails(tmp_path / "mail", f"Verification code: {code}"))
    tasks = poll("the worker to finish every queued task", lambda: finished_tasks(database_url))
    ran = {(path, status) for path, status, _ in tasks}
    assert ("certificates.services.certificates_check_task", "SUCCESSFUL") in ran
    assert ("certificates.services.certificate_render_task", "SUCCESSFUL") in ran
    assert ("lms.mail.send_email", "SUCCESSFUL") in ran
    assert all(status == "SUCCESSFUL" and len(workers) == 1 for _, status, workers in tasks), tasks
    assert len({workers[0] for _, _, workers in tasks}) == 1, "one worker ran them all"

    # B takes a client's real address from a load balancer's PROXY protocol header (gunicorn logs it as REMOTE_ADDR,
    # which the per-address rate limit counts by), and still answers requests sent without one.
    assert via_proxy_protocol(port_b, client_address="203.0.113.7", path="/healthz") == b"HTTP/1.1 200 OK"

    # SIGTERM stops each server and everything it started, cleanly.
    for serve in (serve_b, serve_a):
        assert processes.stop(serve) == 0, serve.output()
        assert not serve.left_behind, f"{serve.name} left processes running:\n{serve.output()}"
    assert "203.0.113.7 - - [" in serve_b.output() and '"GET /healthz HTTP/1.1" 200' in serve_b.output()
    milestone("verified through B; both servers stopped")
