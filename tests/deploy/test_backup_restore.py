"""Backups: scripts/backup.sh and scripts/restore.sh, run as an operator would, against real PostgreSQL databases.

A site with a signature image, two rendered certificates (one of them revoked) and a signing key file is backed up;
the backup is restored into a fresh, empty database and fresh folders; pointed at those, the site still says the
certificate is valid (page and API), its restored PDF still verifies byte for byte with the credential inside, and
the revoked one stays revoked. Like the rest of tests/deploy, nothing here uses pytest-django's test database.
"""

import hashlib
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import postgres_databases
from tests.workers import worker_redis_url

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://certify.example.test"
REVOKE_REASON = "Issued in error: the supervision hours were counted twice."

# Run by `manage.py shell` on the migrated source database, with tasks run at once: a programme with a signature
# image, two trainees whose approved hours issue and render their certificates, the second revoked. Prints JSON.
BUILD_SITE = f"""
import io, json
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.images import get_image_model
from certificates.models import Certificate
from certificates.status_changes import certificate_revoke
from tests.factories import UserFactory, approve_programme_hours, build_assignment, build_programme, superuser

picture = io.BytesIO()
Image.new("RGB", (300, 80), "white").save(picture, format="PNG")
signature = get_image_model().objects.create(title="Signature", file=ImageFile(picture, name="signature.png"))
programme = build_programme(signature_image=signature)
for first, last in (("Jordan", "Ellis"), ("Casey", "Morgan")):
    approve_programme_hours(build_assignment(trainee=UserFactory(first_name=first, last_name=last)))
kept, revoked = Certificate.objects.filter(programme=programme).order_by("pk")
certificate_revoke(by=superuser(), certificate=revoked, reason={REVOKE_REASON!r})
print(json.dumps({{
    "signature": signature.file.name,
    "certificates": [
        {{
            "code": c.display_code,
            "number": c.number,
            "rendering": c.rendering,
            "files": {{f.paper: {{"name": f.file.name, "sha256": f.sha256}} for f in c.files.all()}},
        }}
        for c in (kept, revoked)
    ],
}}))
"""

# Run by `manage.py shell` against the restored database: what the public page and API say about each code. Static
# files are served unhashed here, because the restored folders have no collected static files (no backup holds them:
# `collectstatic` makes them from the code).
CHECK_CODES = """
import json
from django.conf import settings
from django.test import Client, override_settings
plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client()
answers = {}
with override_settings(STORAGES=plain):
    for code in CODES:
        api = client.get(f"/api/v1/verify/{code}", secure=True)
        page = client.get(f"/verify/{code}/", secure=True)
        answers[code] = {"api_status": api.status_code, "api": api.json(), "page": page.content.decode()}
print(json.dumps(answers))
"""


def site_env(*, database_url: str, folder: Path, **extra: str) -> dict:
    """A production environment (DEBUG off) whose database is database_url and whose files live in folder."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "TASKS_"))}
    return {
        **inherited,
        "LMS_READ_DOTENV": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": SITE_URL,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(folder / "media"),
        "CERTIFICATE_ROOT": str(folder / "certificates"),
        "SIGNING_KEY_FILE": str(folder / "keys" / "signing-key.json"),
        "SIGNING_KEY": "",
        "STATIC_ROOT": str(folder / "static"),
        "EMAIL_URL": "locmem://",
        "VERIFY_RATE_LIMIT": "off",
        "PYTHON": sys.executable,
        **extra,
    }


def run(args: list[str], env: dict, *, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command in the project folder; its output is kept for the assertions (and shown when one fails)."""
    return subprocess.run(  # noqa: S603 - fixed commands from the tests
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def succeeded(result: subprocess.CompletedProcess) -> str:
    """What a command printed; fails the test with its output if it didn't exit 0."""
    if result.returncode:
        pytest.fail(f"{' '.join(result.args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage(env: dict, *args: str) -> str:
    return succeeded(run([sys.executable, "manage.py", *args], env))


@pytest.fixture(scope="module")
def fresh_database():
    """Empty PostgreSQL databases for this module (see postgres_databases); skips where pg_dump can't run."""
    with postgres_databases(
        "backups use pg_dump: DATABASE_URL is not PostgreSQL (make test runs this in its PostgreSQL pass)"
    ) as make:
        if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")) and not shutil.which("pg_dump"):
            pytest.skip("pg_dump is not installed")
        yield make


@pytest.fixture(scope="module")
def backed_up_site(fresh_database, tmp_path_factory):
    """A migrated site with two rendered certificates (one revoked) and a signing key file, and its backup folder.

    Returns (what BUILD_SITE printed, the site's environment, the backup folder, what backup.sh printed).
    """
    tmp_path = tmp_path_factory.mktemp("backed-up-site")
    env = site_env(database_url=fresh_database("backup_source", migrated=True), folder=tmp_path / "site")
    manage(env, "migrate", "--noinput")
    manage(env, "rotate_signing_key")
    immediate_tasks = {**env, "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    built = json.loads(manage(immediate_tasks, "shell", "--no-imports", "-c", BUILD_SITE))
    output = succeeded(run(["scripts/backup.sh"], {**env, "BACKUP_ROOT": str(tmp_path / "backups")}))
    (backup,) = (tmp_path / "backups").iterdir()
    return built, env, backup, output


def test_a_restored_backup_still_verifies_its_certificates(backed_up_site, fresh_database, tmp_path):
    built, source_env, backup, output = backed_up_site
    kept, revoked = built["certificates"]
    assert kept["rendering"] == revoked["rendering"] == "ready"
    assert sorted(path.name for path in backup.iterdir()) == [
        "SHA256SUMS",
        "certificates.tar.gz",
        "db.dump",
        "manifest.txt",
        "media.tar.gz",
        "signing-key.json",
    ]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert stat.S_IMODE((backup / "signing-key.json").stat().st_mode) == 0o600
    assert "It is a SECRET" in output
    assert f"Backup written to {backup}" in output

    target = tmp_path / "restored"
    # Restored as root (sudo make restore), the files must belong to whoever owns the site's folder, not to root.
    site_owner = pwd.getpwnam("postgres").pw_uid if os.getuid() == 0 else os.getuid()
    target.mkdir()
    os.chown(target, site_owner, -1)
    restored_env = site_env(database_url=fresh_database("restored"), folder=target)
    restored = succeeded(run(["scripts/restore.sh", str(backup)], restored_env))
    owners = {path.stat().st_uid for path in target.rglob("*")}
    assert owners == {site_owner}, f"restored files owned by {owners}, not the site folder's owner {site_owner}"
    assert "Restored." in restored
    assert f"Signing key restored to {target / 'keys' / 'signing-key.json'}" in restored

    # The files came back byte for byte: the signature image, both PDFs of each certificate, the key.
    source = Path(source_env["MEDIA_ROOT"]), Path(source_env["CERTIFICATE_ROOT"])
    name = built["signature"]
    assert (target / "media" / name).read_bytes() == (source[0] / name).read_bytes()
    for certificate in (kept, revoked):
        assert set(certificate["files"]) == {"a4", "letter"}
        for stored in certificate["files"].values():
            pdf = (target / "certificates" / stored["name"]).read_bytes()
            assert hashlib.sha256(pdf).hexdigest() == stored["sha256"]
    key = target / "keys" / "signing-key.json"
    assert key.read_bytes() == Path(source_env["SIGNING_KEY_FILE"]).read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    # The restored site answers for both codes as the original did.
    script = f"CODES = {json.dumps([kept['code'], revoked['code']])}\n" + CHECK_CODES
    answers = json.loads(manage(restored_env, "shell", "--no-imports", "-c", script))
    valid, gone = answers[kept["code"]], answers[revoked["code"]]
    assert valid["api_status"] == 200
    assert valid["api"]["status"] == "valid"
    assert valid["api"]["holder_name"] == "Jordan Ellis"
    assert valid["api"]["certificate_number"] == kept["number"]
    assert "status-banner-valid" in valid["page"]
    assert gone["api"]["status"] == "revoked"
    assert gone["api"]["reason"] == REVOKE_REASON
    assert "status-banner-revoked" in gone["page"]
    assert REVOKE_REASON in gone["page"]

    # The credential inside each restored PDF verifies against the restored keys and status lists.
    pdf = target / "certificates" / kept["files"]["a4"]["name"]
    check = run([sys.executable, "manage.py", "verify_credential", "--json", str(pdf)], restored_env)
    assert check.returncode == 0, check.stdout + check.stderr
    result = json.loads(check.stdout)
    assert result["outcome"] == "valid"
    assert result["certificate_number"] == kept["number"]
    assert {"label": "PDF", "passed": True, "detail": "Byte for byte the PDF this site issued."} in result["findings"]
    pdf = target / "certificates" / revoked["files"]["letter"]["name"]
    check = run([sys.executable, "manage.py", "verify_credential", "--json", str(pdf)], restored_env)
    assert check.returncode == 1
    assert json.loads(check.stdout)["outcome"] == "revoked"


def test_restore_refuses_a_database_in_use_unless_forced(backed_up_site, fresh_database, tmp_path):
    built, _, backup, _ = backed_up_site
    target_env = site_env(database_url=fresh_database("in_use", migrated=True), folder=tmp_path / "in-use")
    manage(target_env, "migrate", "--noinput")

    refused = run(["scripts/restore.sh", str(backup)], target_env)

    assert refused.returncode == 1
    assert "Nothing was restored, because the database" in refused.stderr
    assert "run it again with --force" in refused.stderr
    assert "Restoring the database" not in refused.stdout
    count = "from certificates.models import Certificate; print(Certificate.objects.count())"
    assert manage(target_env, "shell", "--no-imports", "-c", count).strip() == "0"

    forced = run(["scripts/restore.sh", "--force", str(backup)], target_env)

    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "With --force: the database" in forced.stdout
    assert manage(target_env, "shell", "--no-imports", "-c", count).strip() == "2"
    codes = json.dumps([built["certificates"][0]["code"]])
    answers = json.loads(manage(target_env, "shell", "--no-imports", "-c", f"CODES = {codes}\n" + CHECK_CODES))
    assert answers[built["certificates"][0]["code"]]["api"]["status"] == "valid"


def test_a_forced_restore_ends_what_the_shared_cache_kept_from_the_database_before(
    backed_up_site, fresh_database, tmp_path
):
    """Redis outlives a restore: the pages and each person's home kept there, made from the database as it was, would
    still match their versions. The restore gives the page tree, which every kept copy is checked against, a new one."""
    redis_url = worker_redis_url(os.environ.get("REDIS_URL", ""))
    if not redis_url:
        pytest.skip("needs Redis: make test's second pass starts one (scripts/with-redis.sh)")
    _, _, backup, _ = backed_up_site
    target_env = site_env(database_url=fresh_database("cached", migrated=True), folder=tmp_path / "cached")
    target_env["CACHE_URL"] = redis_url
    manage(target_env, "migrate", "--noinput")
    read_version = "from lms.page_tree import page_tree_version; print(page_tree_version())"
    before = manage(target_env, "shell", "--no-imports", "-c", read_version).strip()

    restored = succeeded(run(["scripts/restore.sh", "--force", str(backup)], target_env))

    assert "Every kept copy of the pages and of each person's home has ended" in restored
    assert manage(target_env, "shell", "--no-imports", "-c", read_version).strip() != before


def test_restore_refuses_a_damaged_backup(backed_up_site, fresh_database, tmp_path):
    _, _, backup, _ = backed_up_site
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with (damaged / "certificates.tar.gz").open("ab") as archive:
        archive.write(b"\0")
    target_env = site_env(database_url=fresh_database("damaged"), folder=tmp_path / "target")

    result = run(["scripts/restore.sh", str(damaged)], target_env)

    assert result.returncode == 1
    assert "doesn't match its checksums, so it may be damaged. Nothing was restored." in result.stderr
    assert not (tmp_path / "target" / "certificates").exists()


def test_backup_explains_how_to_copy_sqlite_instead(tmp_path):
    database = tmp_path / "site.sqlite3"
    env = site_env(database_url=f"sqlite:///{database}", folder=tmp_path, BACKUP_ROOT=str(tmp_path / "backups"))

    result = run(["scripts/backup.sh"], env)

    assert result.returncode == 2
    assert "make backup works with PostgreSQL only, and DATABASE_URL points to SQLite" in result.stderr
    assert f"sqlite3 '{database}' \".backup " in result.stderr
    assert not (tmp_path / "backups").exists()
