"""Fresh PostgreSQL databases beside the suite's, for the servers the browser and deployment tests start."""

import os
from urllib.parse import urlparse, urlunparse

TEMPLATE = os.environ.get("TEST_DATABASE_TEMPLATE", "")
"""A database migrated once for the pass (scripts/test-production.sh), or empty where there is none."""


def admin_url(url: str) -> str:
    """The cluster's maintenance database, from which databases are made and dropped."""
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def create_database(url: str, name: str, *, migrated: bool = False) -> str:
    """Make database `name` on url's cluster (dropping one left behind), and return its URL.

    Empty, or with `migrated` a copy of the pass's migrated template where there is one: migrate then has nothing
    left to apply (without a template it is empty, and migrate does it all).
    """
    import psycopg

    template = f' TEMPLATE "{TEMPLATE}"' if migrated and TEMPLATE else ""
    with psycopg.connect(admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"{template}')
    return urlunparse(urlparse(url)._replace(path="/" + name))


def drop_database(url: str, name: str) -> None:
    """Drop database `name` on url's cluster, whoever is still connected."""
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
