"""A person's home kept rendered in the shared cache, and the version token that ends the copy when it changes.

What a person's home shows of their own records (a trainee's next actions, certification and courses) is kept in
Django's default cache, which every server process shares (the database, or Redis), never in one process's memory:
a change seen by one process must end the copy for all of them at once. A copy is used only while everything it was
made under still holds, all checked in one cache read together with the page tree's version:

- the person's version token, made anew whenever anything their home shows changes;
- the page tree's version (lms/page_tree.py: pages, programmes and what else is kept with the tree);
- the local date, and the moment the copy's maker said it was good until (say, an invitation's expiry);
- the release: this code and these templates, and what else the maker names (a setting the copy shows).

The versions are read before the copy is computed and stored with it, so a write that commits while a request
computes leaves a copy that is already out of date.

Apps say, in AppConfig.ready(), which of their records a person's home shows and whose home that is:
`home_shows(model, people=..., owners=...)` for saves and deletions, `home_shows_relation(Model.field, people=...)`
for a many-to-many relation. Each such write gives those people's homes a new token at once (for the writer's own
transaction) and again when its transaction commits (what other processes go by); a save that moves a record to
someone else (a new value in one of its `owners` fields, as an admin form can give) gives the homes it was on before
a new token too. A write that sends no signal (`QuerySet.update()`, `bulk_create`, `bulk_update`) calls
`home_changed(...)` itself.
"""

import hashlib
import math
import uuid
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from datetime import date, datetime, time, timedelta
from functools import cache as once
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from lms.page_tree import VERSION_KEY, page_tree

VERSION_KEPT_FOR = 7 * 24 * 3600
"""Seconds a person's version token lives: one that has gone is made anew, which only ends their copy."""
KEPT_AT_MOST = timedelta(minutes=10)
"""How long a copy is used at most, whatever else holds: a write the registrations can't see (a writer that died
between its commit and its second token, a change made by hand in the database) shows within this time."""

SIGN_IN_STAMP = frozenset({"last_login"})
"""What signing in saves on the account (Django's update_last_login): no home shows it."""

People = Callable[[models.Model], Iterable[int | None]]
"""Given a record, the ids of the people whose home shows it."""

PEOPLE_BEFORE = "_kept_home_people_before"
"""Where a record being saved holds, from before its save to after it, the people it was shown to before a move."""


def _version_key(user_id: int) -> str:
    return f"lms:home-version:{user_id}"


def _kept_key(user_id: int) -> str:
    return f"lms:home-kept:{user_id}"


# Writers: a new version for each person whose home changes ----------------------------------------------------


def _new_versions(user_ids: frozenset[int]) -> None:
    if not user_ids:
        return
    cache.set_many({_version_key(user_id): uuid.uuid4().hex for user_id in user_ids}, timeout=VERSION_KEPT_FOR)


def home_changed(*user_ids: int | None) -> None:
    """Give each person's home a new version now (for the writer's own transaction) and again when it commits.

    The second token is what other processes go by: any of them that computed a copy between the first token and
    the commit read the records as they were before, and kept the copy under a token that is then out of date.
    """
    people = _ids(user_ids)
    if people:
        _new_versions(people)
        transaction.on_commit(lambda: _new_versions(people))


def _ids(user_ids: Iterable[int | None]) -> frozenset[int]:
    return frozenset(user_id for user_id in user_ids if user_id is not None)


def _with_proxies(model: type[models.Model]) -> list[type[models.Model]]:
    """The model and its proxy models, which send signals under their own names."""
    proxies = [other for other in apps.get_models() if other._meta.proxy and other._meta.concrete_model is model]
    return [model, *proxies]


def home_shows(
    model: type[models.Model],
    *,
    people: People,
    not_shown: frozenset[str] = frozenset(),
    owners: tuple[str, ...] = (),
) -> None:
    """Tell the kept homes that a person's home shows records of `model`: saving or deleting one (or one of a proxy
    model) changes the home of each of `people(record)`, except a save of only `not_shown` fields. After a save,
    `people` is asked again once it commits, for whom the record reaches as committed.

    `owners` names the fields `people` goes by (say, the record's `user`). A save that changes one (an admin form can
    move an enrolment or an address to someone else) changes the homes the record was on before it too: the stored
    values are read before the save, one query, unless the save names only other fields.
    """
    registration = f"{people.__module__}.{people.__qualname__}"
    owner_columns = [model._meta.get_field(name).attname for name in owners]

    def moving(sender, instance, update_fields=None, **kwargs) -> None:
        if instance._state.adding or instance.pk is None:
            return
        if update_fields is not None and not set(owners) & set(update_fields):
            return
        stored = sender._base_manager.filter(pk=instance.pk).only(*owners).first()
        if stored is None or all(getattr(stored, column) == getattr(instance, column) for column in owner_columns):
            return
        instance.__dict__.setdefault(PEOPLE_BEFORE, {})[registration] = list(people(stored))

    def changed(sender, instance, signal, update_fields=None, **kwargs) -> None:
        before = instance.__dict__.get(PEOPLE_BEFORE, {}).pop(registration, [])
        if update_fields and set(update_fields) <= not_shown and not before:
            return
        shown_to = _ids([*people(instance), *before])
        if signal is post_delete:  # gone: nobody new can be reached through it (and it has no id to look them up by)
            home_changed(*shown_to)
            return
        _new_versions(shown_to)

        def reached_once_committed() -> None:
            """Give a new version to whom the record reaches as committed, as well."""
            # Whom it reaches through other records (whoever holds an address verified) may have changed in a
            # transaction that committed meanwhile. Saved, then deleted before the commit, it reaches nobody now.
            again = frozenset() if instance.pk is None else _ids(people(instance))
            _new_versions(shown_to | again)

        transaction.on_commit(reached_once_committed)

    for sender in _with_proxies(model):
        uid = f"lms-kept-home-{sender._meta.label}-{registration}"
        for signal in (post_save, post_delete):
            signal.connect(changed, sender=sender, weak=False, dispatch_uid=uid)
        if owners:
            pre_save.connect(moving, sender=sender, weak=False, dispatch_uid=uid)


def home_shows_relation(relation, *, people: People) -> None:
    """Tell the kept homes that a person's home shows a many-to-many relation (`Model.field`): adding, removing or
    clearing changes the home of each of `people(record)` for the records of `Model` it touches, from either side."""
    field = relation.field
    owner, through = field.model, field.remote_field.through
    owner_column, other_column = field.m2m_field_name(), field.m2m_reverse_field_name()

    def changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
        if action not in {"post_add", "post_remove", "pre_clear"}:
            return
        if not reverse:
            records = [instance]
        elif pk_set is not None:
            records = owner._default_manager.filter(pk__in=pk_set)
        else:  # the other side cleared: whom it was linked with, read before the links go
            linked = through.objects.filter(**{other_column: instance.pk}).values(owner_column)
            records = owner._default_manager.filter(pk__in=linked)
        home_changed(*(user_id for record in records for user_id in people(record)))

    m2m_changed.connect(
        changed,
        sender=through,
        weak=False,
        dispatch_uid=f"lms-kept-home-{through._meta.label}-{people.__module__}.{people.__qualname__}",
    )


def person_themself(user) -> list[int]:
    """The person: their own name is on their home (the ethics form signs with it), and their roles shape it."""
    return [user.pk]


# Readers: the copy, if it was made under the versions that hold now --------------------------------------------


@once
def release() -> str:
    """A fingerprint of the release, the same in every process of one: a copy made by another is never used."""
    return release_fingerprint()


def release_fingerprint() -> str:
    """What a release is made of: the site's own code and templates, the installed packages' versions (Wagtail's or
    Django's templates and tags change with them) and the static files' hashed names (a copy links to them)."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(config.path).resolve() for config in apps.get_app_configs()]
    folders += [Path(folder).resolve() for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    files = {
        path
        for folder in folders
        if folder.parent == base  # the site's own apps and templates, not the packages installed beside them
        for path in folder.rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and path.is_file()
    }
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    packages = sorted(f"{package.metadata['Name']}=={package.version}" for package in metadata.distributions())
    digest.update("\n".join(packages).encode())
    digest.update(getattr(staticfiles_storage, "manifest_hash", "").encode())  # empty where nothing is hashed (DEBUG)
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class HomeVersions:
    """What a copy of someone's home is made under, read before it is computed and stored with it."""

    user_id: int
    person: str
    tree: str
    on: date
    host: str
    made_with: str


def _person_version(user_id: int) -> str:
    """A token for a person who has none (first visit, or it expired): a new one, or the one another request added."""
    key, version = _version_key(user_id), uuid.uuid4().hex
    if cache.add(key, version, timeout=VERSION_KEPT_FOR):
        return version
    return cache.get(key) or version  # without one a copy kept now is never used: it is only a wasted copy


def kept_home(request, *, on: date, made_with: str = "") -> tuple[HomeVersions, str | None]:
    """The versions that hold now and the person's kept copy if it was made under them and is still good, in one
    cache read; the request's page tree comes from the version read with them.

    `made_with` names what else the copy shows that can change without a write (a setting, say).
    """
    user_id = request.user.pk
    version_key, kept_key = _version_key(user_id), _kept_key(user_id)
    found = cache.get_many([VERSION_KEY, version_key, kept_key])
    tree = page_tree(request, version=found.get(VERSION_KEY))
    versions = HomeVersions(
        user_id=user_id,
        person=found.get(version_key) or _person_version(user_id),
        tree=tree.version,
        on=on,
        host=request.get_host(),
        made_with=f"{release()}:{made_with}",
    )
    kept = found.get(kept_key)
    if not isinstance(kept, dict) or kept.get("versions") != astuple(versions):
        return versions, None
    good_until = kept.get("good_until")
    if good_until is not None and timezone.now().timestamp() >= good_until:
        return versions, None
    return versions, kept.get("html")


def home_keep(versions: HomeVersions, html: str, *, good_until: datetime | None = None) -> None:
    """Keep the copy under the versions read before it was computed, until `good_until`, the end of its day, or
    KEPT_AT_MOST from now, whichever comes first."""
    now = timezone.now()
    day_ends = timezone.make_aware(datetime.combine(versions.on + timedelta(days=1), time.min))
    until = min(good_until or day_ends, day_ends, now + KEPT_AT_MOST)
    seconds = (until - now).total_seconds()
    if seconds < 1:
        return
    cache.set(
        _kept_key(versions.user_id),
        {
            "versions": astuple(versions),
            "good_until": until.timestamp(),
            "html": str(html),
        },
        timeout=math.ceil(seconds),
    )
