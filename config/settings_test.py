"""Test settings: the real settings, with the few overrides README's "What the tests change" lists, and why.

LMS_TEST_BACKENDS=production (the PostgreSQL pass of `make test`) keeps production's task queue and static files
storage too, so that one whole pass runs on exactly the backends a deployment runs (only the database differs).
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from config.settings import *  # noqa: E402, F403

PRODUCTION_BACKENDS = os.environ.get("LMS_TEST_BACKENDS", "") == "production"

# Production's default cache and counters (the database), whatever CACHE_URL a shell or .env sets: a test's rollback
# empties them; the Redis tests say so themselves (tests/lms/test_ratelimit.py, tests/deploy/).
CACHES, RATE_COUNTERS = cache_settings("db://")  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # PBKDF2's 1,000,000 rounds per login, ×1000s
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # tests read what was sent from mail.outbox
if not PRODUCTION_BACKENDS:
    # Tasks run at once inside the request, as in development; the production pass runs them from the database queue.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # No collectstatic before the fast pass; the production pass serves the hashed, collected files.
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
else:  # whatever DEBUG a development .env sets
    STORAGES["staticfiles"]["BACKEND"] = "lms.storage.MemoisedManifestStaticFilesStorage"  # noqa: F405
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("TEST_DATABASE_TEMPLATE"):
    # A database migrated once for the pass (scripts/test-production.sh): each worker's test database is a copy of it,
    # and migrate then finds nothing left to apply.
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = os.environ["TEST_DATABASE_TEMPLATE"]  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Certificate PDFs go to a throwaway folder (the production backend, FileSystemStorage), never into var/.
CERTIFICATE_TEST_ROOT = tempfile.mkdtemp(prefix="certificates-")
atexit.register(shutil.rmtree, CERTIFICATE_TEST_ROOT, ignore_errors=True)
STORAGES["certificates"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": CERTIFICATE_TEST_ROOT},
}
# A fixed test-only Ed25519 key (never used anywhere else) so credentials sign without a key file.
SIGNING_KEY_FILE = ""
SIGNING_KEY = "z3u2Vpmyv3syHKa77CTUAA5aqEbimPesXKBqPFzkToqhPRj9"  # noqa: S105
# Production's security settings, whatever DEBUG the environment or a development .env gives; but the test client
# speaks plain http, so no redirect to https (tests that check it turn it back on).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
