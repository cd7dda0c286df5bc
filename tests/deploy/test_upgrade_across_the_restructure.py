"""A database made by the code before the restructure (issue 18) upgrades to today's code, and its certificate verifies.

The old code is taken from git history (the last commit before the apps were moved), migrates a fresh database and
issues a certificate with its own code and settings module (lms.settings). Today's code (config.settings) then
migrates the same database and checks the certificate by its stored credential and by its code.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT
from tests.deploy.test_rate_limits_live import production_settings

BEFORE_THE_RESTRUCTURE = "8fce8dc"  # main just before issue 18 moved demo code, settings and views between apps

ISSUE_AND_SAVE_THE_CREDENTIAL = """
import os
from tests.factories import issued_certificate

certificate = issued_certificate(first_name="Robin", last_name="Asante")
open(os.environ["CREDENTIAL_FILE"], "w").write(certificate.credential.document)
print(certificate.code)
"""

PUBLIC_STATUS = """
import json, os
from certificates.selectors import public_certificate_by_code
from verification.selectors import public_facts

print(json.dumps(public_facts(public_certificate_by_code(os.environ["CODE"])), default=str))
"""


def run(folder: Path, env: dict, *args: str) -> str:
    """Run manage.py in `folder`; what it printed, or the test fails with its output."""
    result = subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} in {folder} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def old_tree(into: Path) -> Path:
    """The source tree at BEFORE_THE_RESTRUCTURE, with this checkout's JSON-LD contexts beside it."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of this checkout")
    archive = subprocess.run(  # noqa: S603 - git with fixed arguments
        [git, "-C", str(ROOT), "archive", BEFORE_THE_RESTRUCTURE], capture_output=True, timeout=120
    )
    if archive.returncode:
        pytest.skip(f"commit {BEFORE_THE_RESTRUCTURE} isn't in this clone's history (a shallow clone?)")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    shutil.copytree(ROOT / "var" / "jsonld-contexts", into / "var" / "jsonld-contexts")
    return into


def migrations_in(tree: Path) -> set[tuple[str, str]]:
    """(app, migration) of every migration file in a source tree."""
    return {(path.parent.parent.name, path.stem) for path in tree.glob("*/migrations/[0-9]*.py")}


def test_a_database_from_before_the_restructure_upgrades_and_its_certificate_verifies(tmp_path):
    old = old_tree(tmp_path / "old")
    shared = tmp_path / "shared"
    env = production_settings(database_url=f"sqlite:///{tmp_path / 'site.sqlite3'}", folder=shared)
    old_env = {**env, "DJANGO_SETTINGS_MODULE": "lms.settings", "PYTHONPATH": str(old)}
    run(old, old_env, "migrate", "--noinput")
    run(old, old_env, "rotate_signing_key", "--if-missing")
    credential = tmp_path / "credential.json"
    old_env["CREDENTIAL_FILE"] = str(credential)
    code = run(old, old_env, "shell", "-c", ISSUE_AND_SAVE_THE_CREDENTIAL).split()[-1]

    new_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    # The restructure itself moved no model: the only migrations to apply are those written since (new features).
    applied = set(re.findall(r"Applying (\w+)\.(\w+)\.\.\. OK", run(ROOT, new_env, "migrate", "--noinput")))
    assert applied == migrations_in(ROOT) - migrations_in(old)
    check = json.loads(run(ROOT, new_env, "verify_credential", "--json", str(credential)))
    assert (check["outcome"], check["holder_name"]) == ("valid", "Robin Asante")
    facts = json.loads(run(ROOT, {**new_env, "CODE": code}, "shell", "--no-imports", "-c", PUBLIC_STATUS))
    assert (facts["status"], facts["holder_name"]) == ("valid", "Robin Asante")
    assert os.path.exists(old / "lms" / "settings.py") and not (ROOT / "lms" / "settings.py").exists()
