"""Test settings: the real settings with a fast hasher, locmem cache and mail, immediate tasks."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from lms.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
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
