"""The WSGI entry point imports every view and freezes what lives as long as the worker, before any request."""

import os
import subprocess
import sys

from django.conf import settings


def test_a_worker_has_its_views_imported_and_its_long_lived_objects_frozen():
    probe = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), 'verification.api' in sys.modules, 'practice.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "LMS_READ_DOTENV": "0"}
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, api_imported, views_imported = done.stdout.split()
    assert int(frozen) > 100_000  # Django, Wagtail and the URLconf: a full collection would walk them all
    assert (api_imported, views_imported) == ("True", "True")
