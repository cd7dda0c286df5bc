"""Locust users for bench/load.py: trainees, supervisors and verifiers working the site at once.

Not run on its own: bench/load.py builds the data, starts the servers and passes two paths in the environment,
LOAD_PLAN (the accounts, secrets, certificate codes and lesson addresses it made) and LOAD_RECORD (where this file
writes every write it saw confirmed, so load.py can count them again in the database). Each person signs in through
the real login form; supervisors then type the code their authenticator app would show (worked out here from the
TOTP secret load.py gave them). Every form is posted as a browser would, with its CSRF token.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import string
import struct
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115 (read once, at import)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MARKER_PREFIX = "Load marker "
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTP_PERIOD = 30

# What the users saw confirmed (and what they tried and couldn't confirm), written to LOAD_RECORD at the end.
RECORD = {
    "entries_ok": [],  # markers of entries whose form POST answered with the redirect a saved entry gets
    "entries_unconfirmed": [],  # markers of entry POSTs that failed with an error (they may or may not be saved)
    "submissions_ok": 0,  # submit POSTs answered with the redirect (one batch each: one assignment per trainee)
    "submitted_entry_ids": [],  # every entry id sent in a confirmed submission (resubmissions count again)
    "approvals_ok": [],  # {"supervisor", "batch", "entries"} per confirmed approval
    "returns_ok": [],  # {"supervisor", "batch", "entries"} per confirmed return
    "reviews_unconfirmed": 0,  # review POSTs that failed with an error (they may or may not be saved)
    "token_lookups_ok": 0,  # API lookups with a token of codes that exist (each is logged for the holder)
    "status_codes": Counter(),
    "server_errors": defaultdict(int),  # request name -> 5xx responses
}
_accounts = {
    "trainee": iter(PLAN["trainees"]),
    "supervisor": iter(PLAN["supervisors"]),
}
_tokens = itertools.cycle(PLAN["tokens"])


@events.request.add_listener
def count_status(request_type, name, response, exception, **kwargs):
    """Count every response's status code, and 5xx responses per request name."""
    status = getattr(response, "status_code", 0) or 0
    RECORD["status_codes"][str(status)] += 1
    if status >= 500:
        RECORD["server_errors"][f"{request_type} {name}"] += 1


def figures(entry) -> dict:
    """Requests, failures, rate and latency percentiles (ms) of one stats entry."""
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        **{f"p{p}": entry.get_response_time_percentile(p / 100) for p in (50, 95, 99)},
    }


@events.test_stop.add_listener
def write_record(environment, **kwargs):
    """Write what was confirmed and the final figures, once every user has stopped (their last requests included)."""
    stats = environment.stats
    RECORD["stats"] = [figures(entry) for _, entry in sorted(stats.entries.items()) if entry.num_requests]
    RECORD["total"] = figures(stats.total)
    RECORD["failures"] = [
        {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
        for error in stats.errors.values()
    ]
    with open(os.environ["LOAD_RECORD"], "w", encoding="utf-8") as handle:
        json.dump(RECORD, handle, indent=1)


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The 6-digit code an authenticator app with this base32 secret shows (RFC 6238: SHA-1, 30 seconds)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time() if at is None else at) // TOTP_PERIOD
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def csrf_token(html: str) -> str:
    """The CSRF token in a page's form."""
    found = CSRF.search(html)
    return found.group(1) if found else ""


def new_marker() -> str:
    """A unique marker for one entry: letters only, so the privacy screen never mistakes it for a phone number."""
    return MARKER_PREFIX + "".join(random.choices(string.ascii_lowercase, k=16))  # noqa: S311 (not a secret)


def json_of(answer) -> dict:
    """The JSON object a response holds, or {} if it holds none."""
    try:
        found = json.loads(answer.text or "")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def error_summary(html: str) -> str:
    """The first lines of a form's error summary, to say why a POST was refused."""
    found = re.search(r'class="error-summary".*?</div>', html, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(0) if found else html[:300])
    return " ".join(text.split())[:200]


class SignedInUser(FastHttpUser):
    """Someone who signs in through the login form first."""

    abstract = True
    wait_time = between(0.5, 2.5)
    network_timeout = 60.0
    connection_timeout = 10.0

    def sign_in(self, username: str, *, totp_secret: str | None = None) -> None:
        """Post the login form (and the two-factor form, with the app's code); stop this user if it fails."""
        page = self.client.get("/accounts/login/", name="GET /accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data=urlencode(
                {"csrfmiddlewaretoken": csrf_token(page.text), "login": username, "password": PLAN["password"]}
            ),
            headers=FORM,
            allow_redirects=False,
            name="POST /accounts/login/",
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "")
            expected = "/accounts/2fa/authenticate/" if totp_secret else "/dashboard/"
            if answer.status_code != 302 or not location.endswith(expected):
                answer.failure(f"login of {username} answered {answer.status_code} {location or ''}")
                raise StopUser
        if totp_secret:
            self.second_factor(username, totp_secret)

    def second_factor(self, username: str, secret: str) -> None:
        """Type the authenticator app's code; wait for the next one if this one is about to change."""
        page = self.client.get("/accounts/2fa/authenticate/", name="GET /accounts/2fa/authenticate/")
        left = TOTP_PERIOD - time.time() % TOTP_PERIOD
        if left < 3:
            gevent.sleep(left + 0.1)
        with self.client.post(
            "/accounts/2fa/authenticate/",
            data=urlencode({"csrfmiddlewaretoken": csrf_token(page.text), "code": totp_code(secret)}),
            headers=FORM,
            allow_redirects=False,
            name="POST /accounts/2fa/authenticate/",
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or not answer.headers.get("Location", "").endswith("/dashboard/"):
                answer.failure(f"two-factor code of {username} refused: {error_summary(answer.text or '')}")
                raise StopUser


class Trainee(SignedInUser):
    """Reads lessons and the dashboard, logs practice entries with a unique marker, and submits them for review."""

    fixed_count = len(PLAN["trainees"])

    def on_start(self):
        try:
            self.username = next(_accounts["trainee"])
        except StopIteration:
            raise StopUser from None
        self.days_back = 0
        self.sign_in(self.username)

    @task(4)
    def read_lesson(self):
        self.client.get(random.choice(PLAN["lessons"]), name="GET lesson")  # noqa: S311

    @task(2)
    def dashboard(self):
        self.client.get("/dashboard/", name="GET /dashboard/")

    @task(1)
    def course_outline(self):
        self.client.get(PLAN["course"], name="GET course")

    @task(1)
    def practice_log(self):
        self.client.get("/practice/", name="GET /practice/")

    @task(3)
    def log_practice(self):
        """Fill in and post the practice form; the entry's marker is recorded only when the site confirms it."""
        page = self.client.get("/practice/entries/new/", name="GET /practice/entries/new/")
        html = page.text or ""
        assignment = re.search(r'<select name="assignment"[^>]*>\s*<option value="(\d+)"', html)
        domains = re.findall(r'name="domains" value="(\d+)"', html)
        if not assignment or not domains:
            return
        self.days_back += 1
        marker = new_marker()
        fields = [
            ("csrfmiddlewaretoken", csrf_token(html)),
            ("assignment", assignment.group(1)),
            ("performed_on", (date.today() - timedelta(days=self.days_back)).isoformat()),
            ("duration_hours", random.choice(["0.5", "1", "1.25", "2"])),  # noqa: S311
            ("activity_type", random.choice(["individual", "group", "advocacy", "outreach"])),  # noqa: S311
            ("contact", "direct"),
            *[("domains", domain) for domain in random.sample(domains, k=min(2, len(domains)))],
            ("setting", "peer_run"),
            ("delivery", "in_person"),
            ("reflection", f"Practised open questions and reflecting back at a drop-in morning. {marker}"),
        ]
        with self.client.post(
            "/practice/entries/new/",
            data=urlencode(fields),
            headers=FORM,
            allow_redirects=False,
            name="POST /practice/entries/new/",
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/practice/"):
                RECORD["entries_ok"].append(marker)
            elif answer.status_code == 200:
                answer.failure(f"entry refused: {error_summary(answer.text or '')}")
            else:
                RECORD["entries_unconfirmed"].append(marker)
                answer.failure(f"entry POST answered {answer.status_code}")

    @task(1)
    def submit_for_review(self):
        """Send every draft and returned entry to the supervisor."""
        page = self.client.get("/practice/submit/", name="GET /practice/submit/")
        html = page.text or ""
        ids = re.findall(r'name="entries" value="(\d+)"', html)
        if not ids:
            return
        with self.client.post(
            "/practice/submit/",
            data=urlencode([("csrfmiddlewaretoken", csrf_token(html)), *[("entries", pk) for pk in ids]]),
            headers=FORM,
            allow_redirects=False,
            name="POST /practice/submit/",
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/practice/"):
                RECORD["submissions_ok"] += 1
                RECORD["submitted_entry_ids"].extend(int(pk) for pk in ids)
            else:
                answer.failure(f"submission answered {answer.status_code}: {error_summary(answer.text or '')}")


class Supervisor(SignedInUser):
    """Reviews the oldest batch waiting: approves it with the attestation, or now and then returns it."""

    fixed_count = len(PLAN["supervisors"])

    def on_start(self):
        try:
            account = next(_accounts["supervisor"])
        except StopIteration:
            raise StopUser from None
        self.username = account["username"]
        self.sign_in(self.username, totp_secret=account["totp_secret"])

    @task(1)
    def queue(self):
        self.client.get("/practice/review/", name="GET /practice/review/")

    @task(1)
    def trainee_csv(self):
        page = self.client.get("/practice/review/", name="GET /practice/review/")
        trainees = re.findall(r"/practice/review/trainees/(\d+)/hours\.csv", page.text or "")
        if trainees:
            self.client.get(
                f"/practice/review/trainees/{random.choice(trainees)}/hours.csv",  # noqa: S311
                name="GET /practice/review/trainees/[id]/hours.csv",
            )

    @task(4)
    def review_oldest_batch(self):
        page = self.client.get("/practice/review/", name="GET /practice/review/")
        batches = re.findall(r'href="/practice/review/batches/(\d+)/"', page.text or "")
        if not batches:
            return
        batch = batches[0]
        url = f"/practice/review/batches/{batch}/"
        detail = self.client.get(url, name="GET /practice/review/batches/[id]/")
        html = detail.text or ""
        ids = re.findall(r'name="entries" value="(\d+)"', html)
        if not ids:
            return
        approve = random.random() >= 0.15  # noqa: S311
        fields = [("csrfmiddlewaretoken", csrf_token(html)), *[("entries", pk) for pk in ids]]
        if approve:
            fields += [("action", "approve"), ("attested", "on")]
        else:
            fields += [("action", "return"), ("comment", "Please say which competency domain this work drew on.")]
        with self.client.post(
            url,
            data=urlencode(fields),
            headers=FORM,
            allow_redirects=False,
            name=f"POST /practice/review/batches/[id]/ ({'approve' if approve else 'return'})",
            catch_response=True,
        ) as answer:
            if answer.status_code == 302:
                decision = {"supervisor": self.username, "batch": int(batch), "entries": [int(pk) for pk in ids]}
                RECORD["approvals_ok" if approve else "returns_ok"].append(decision)
            elif answer.status_code != 200:
                RECORD["reviews_unconfirmed"] += 1
                answer.failure(f"review answered {answer.status_code}")
            else:
                answer.failure(f"review answered {answer.status_code}: {error_summary(answer.text or '')}")


class Verifier(FastHttpUser):
    """An organisation checking certificates by page and by API, anonymously or with its API token."""

    wait_time = between(0.5, 2.5)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self):
        self.token = next(_tokens)

    def certificate(self) -> dict:
        return random.choice(PLAN["certificates"])  # noqa: S311

    @task(3)
    def verify_page(self):
        certificate = self.certificate()
        with self.client.get(
            f"/verify/{certificate['code']}/", name="GET /verify/[code]/", catch_response=True
        ) as answer:
            if f"status-{certificate['status']}" not in (answer.text or ""):
                answer.failure(f"the page doesn't say {certificate['status']}")

    @task(3)
    def verify_api(self):
        self.api_lookup(self.certificate(), token=None)

    @task(2)
    def verify_api_with_token(self):
        self.api_lookup(self.certificate(), token=self.token)

    @task(1)
    def unknown_code(self):
        code = "-".join("".join(random.choices("ABCDEFGHJKMNPQRSTVWXYZ", k=4)) for _ in range(7))  # noqa: S311
        with self.client.get(
            f"/api/v1/verify/{code}", name="GET /api/v1/verify/[unknown]", catch_response=True
        ) as answer:
            if answer.status_code == 404 and json_of(answer).get("status") == "not_found":
                answer.success()
            else:
                answer.failure(f"an unknown code answered {answer.status_code}")

    def api_lookup(self, certificate: dict, *, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with self.client.get(
            f"/api/v1/verify/{certificate['code']}",
            headers=headers,
            name="GET /api/v1/verify/[code] (token)" if token else "GET /api/v1/verify/[code]",
            catch_response=True,
        ) as answer:
            status = json_of(answer).get("status") if answer.status_code == 200 else None
            if status != certificate["status"]:
                answer.failure(f"status {status!r}, expected {certificate['status']!r} ({answer.status_code})")
            elif token:
                RECORD["token_lookups_ok"] += 1
