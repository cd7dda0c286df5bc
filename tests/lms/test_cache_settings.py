"""CACHE_URL: the default cache (allauth's sign-in limits) and where lookups are counted, shared by every server."""

import json
import os
import subprocess
import sys

import pytest

from tests.lms.test_storage_settings import ROOT, settings_error

REPORT = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"], "counters": settings.RATE_COUNTERS}))
"""


def cache_report(env: dict) -> dict:
    """The cache settings a server starts with under these environment variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "DJANGO_", "DEBUG"))}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env={
            **clean,
            "LMS_READ_DOTENV": "0",
            "SECRET_KEY": "x" * 50,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_by_default_the_cache_and_the_counters_live_in_the_database():
    report = cache_report({})
    assert report["cache"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert report["cache"]["LOCATION"] == "lms_cache"
    assert report["counters"] == "database"
    assert cache_report({"CACHE_URL": "db://"}) == report


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/2", "rediss://cache.internal:6380/0", "unix:///run/redis.sock"]
)
def test_a_redis_url_moves_both_to_django_s_redis_cache(url):
    report = cache_report({"CACHE_URL": url})
    assert report["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    assert report["counters"] == "cache"


@pytest.mark.parametrize("url", ["locmem://", "file:///var/cache/lms", "memcached://127.0.0.1:11211", "nonsense"])
def test_a_cache_each_server_would_keep_for_itself_is_refused(url):
    error = settings_error({"CACHE_URL": url})
    assert "CACHE_URL must be db:// (the default: the database) or redis://host:port/number" in error
    assert "every server must share it" in error


def test_the_old_cache_folder_setting_is_refused_with_what_to_do_instead(tmp_path):
    error = settings_error({"CACHE_LOCATION": str(tmp_path / "cache")})
    assert "CACHE_LOCATION is no longer used" in error
    assert "CACHE_URL=redis://" in error
