"""A stock `wagtail start` site for `make bench` to compare with: the same Wagtail, production settings, SQLite.

bench/scale.py measures its home page in the same run as our pages, taking turns with them, so each ratio compares
two figures taken moments apart on the same machine. Built in a temporary folder with the project's own wagtail
(no internet needed): `wagtail start stock`, its production settings (DEBUG off, ManifestStaticFilesStorage) with a
local.py for the secret key and the host, `migrate` and `collectstatic`; served by gunicorn with 2 sync workers.
"""

import os
import subprocess
import sys
from pathlib import Path

from bench.serve import ROOT, Server

PROJECT = "stock"
HOME = "/"
SETTINGS = f"{PROJECT}.settings.production"
OUR_VARIABLES = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")

COUNT_QUERIES = """
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client(HTTP_HOST="127.0.0.1")
for _ in range(2):
    client.get("{path}")
with CaptureQueriesContext(connection) as captured:
    response = client.get("{path}")
assert response.status_code == 200, response.status_code
print(len(captured))
"""


def stock_environment(project: Path) -> dict[str, str]:
    """The environment the stock site runs in: its own production settings, none of ours."""
    environment = {name: value for name, value in os.environ.items() if name not in OUR_VARIABLES}
    return {**environment, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONPATH": str(project)}


def build_stock_site(tmp: Path) -> Path:
    """Create, migrate and collect the static files of a `wagtail start` project in tmp; its folder."""
    folder = tmp / "stock-site"
    folder.mkdir()
    subprocess.run([str(ROOT / ".venv" / "bin" / "wagtail"), "start", PROJECT], cwd=folder, check=True)  # noqa: S603
    project = folder / PROJECT
    (project / PROJECT / "settings" / "local.py").write_text(
        '"""make bench: the stock site\'s secret and host."""\n\n'
        'SECRET_KEY = "bench-only"\nALLOWED_HOSTS = ["127.0.0.1"]\n'
    )
    environment = stock_environment(project)
    for command in (["migrate", "--noinput", "--verbosity=0"], ["collectstatic", "--noinput", "--verbosity=0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=project, env=environment, check=True)  # noqa: S603
    return project


def stock_queries(project: Path) -> int:
    """The queries one request for the stock home page makes, after two warm-up requests, in its own process."""
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-c", COUNT_QUERIES.format(path=HOME)],
        cwd=project,
        env=stock_environment(project),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout.strip().splitlines()[-1])


def stock_server(project: Path, *, port: int, log: Path) -> Server:
    """gunicorn serving the stock site on the port, like ours (2 sync workers)."""
    return Server(
        port=port,
        environment=stock_environment(project),
        log=log,
        app=f"{PROJECT}.wsgi:application",
        cwd=project,
        ready_path=HOME,
    )
