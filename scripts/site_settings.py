"""Print where the site keeps everything (database, files, signing key) as quoted shell assignments.

Read through Django itself, so backup.sh and restore.sh see exactly what the running site sees.
"""

import os
import shlex
import sys
from pathlib import Path


def main() -> None:
    """Set Django up from the environment and print PG* exports, DB_*, SIGNING_KEY_* and *_DIR/*_BACKEND."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "only-reading-paths")  # paths don't depend on it; production sets its own
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, storages
    from django.db import connections

    database = settings.DATABASES["default"]
    # libpq's own variables for pg_dump, pg_restore and psql: exported when set, unset (never inherited) when not.
    connection = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": database.get("PORT") or "",
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode", ""),
    }
    for name, value in connection.items():
        print(f"export {name}={shlex.quote(str(value))}" if value else f"unset {name}")
    values = {
        "DB_VENDOR": connections["default"].vendor,  # postgresql or sqlite
        "DB_NAME": database["NAME"],
        "SIGNING_KEY_PATH": settings.SIGNING_KEY_FILE,
        "SIGNING_KEY_IN_ENVIRONMENT": "1" if settings.SIGNING_KEY.strip() else "",
    }
    for alias, name in (("default", "MEDIA"), ("certificates", "CERTIFICATES")):
        storage = storages[alias]
        values[f"{name}_DIR"] = str(storage.location) if isinstance(storage, FileSystemStorage) else ""
        values[f"{name}_BACKEND"] = f"{type(storage).__module__}.{type(storage).__qualname__}"
    for name, value in values.items():
        print(f"{name}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
