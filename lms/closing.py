"""What each app does when a person closes their account, registered by the app itself, like pretix's shredders.

Each domain app registers, in its AppConfig.ready(), a closer for what it holds about people: what it does when
the person closes their account (anonymise, delete, end), what it does when the retention period of a closed
account ends (purge), what in it stops the account closing, and which of its records are kept as evidence. The
closing in privacy/ reads only this registry, never an app's models, and runs the closers in its CLOSING_ORDER.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models


@dataclass(frozen=True)
class ClosingContext:
    """What closers need to know: whose account closes, on which day, and what is kept as certificate evidence.

    `evidence_until` is the issue date of the latest kept certificate (None without one): records dated up to it
    back a certificate. `kept_programmes` are the ids of the programmes the kept certificates belong to.
    """

    user: AbstractBaseUser
    today: date
    evidence_until: date | None
    kept_programmes: frozenset[int]


@dataclass(frozen=True)
class ClosingStop:
    """Something that must happen before the person can close their account: a code, words for the page and error."""

    code: str
    title: str
    explanation: str
    message: str


@dataclass(frozen=True)
class KeptCertificate:
    """A certificate a closed account keeps verifiable: what the page and the email show, and its dates."""

    number: str
    credential: str
    verify_url: str
    programme_id: int
    issued_on: date
    expires_on: date


@dataclass(frozen=True)
class Closer:
    """One app's part in closing an account: its key, and what it does on closing, on purging and before either.

    `close` runs inside the closing transaction; `purge` (given the closed user) when the retention period ends;
    `stops` says what in the app stops the account closing today; `kept` lists the certificates the app keeps.
    """

    key: str
    close: Callable[[ClosingContext], None]
    purge: Callable[[AbstractBaseUser], None] | None = None
    stops: Callable[[AbstractBaseUser, date], Iterable[ClosingStop]] | None = None
    kept: Callable[[AbstractBaseUser], list[KeptCertificate]] | None = None


_closers: dict[str, Closer] = {}


def closer_register(closer: Closer) -> None:
    """Add an app's closer (registering the same key again replaces it, as a reloaded app would)."""
    _closers[closer.key] = closer


def registered_closers() -> dict[str, Closer]:
    """Every registered closer by key."""
    return dict(_closers)


# Deleting records together with their history, for the closers ------------------------------------------------


def delete_history(records: models.QuerySet) -> None:
    """Delete history rows, and first the many-to-many history rows that point at them (those don't cascade)."""
    for relation in records.model._meta.related_objects:
        relation.related_model.objects.filter(**{f"{relation.field.name}__in": records.values("pk")}).delete()
    records.delete()


def delete_with_history(queryset: models.QuerySet) -> None:
    """Delete the rows and every history row of theirs, including the one their deletion just wrote."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    queryset.model.objects.filter(pk__in=ids).delete()
    history = getattr(queryset.model, "history", None)
    if history is not None:
        delete_history(history.model.objects.filter(id__in=ids))
