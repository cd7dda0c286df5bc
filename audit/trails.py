"""The audit trails: what changed about a trainee or a certificate, when, by whom and why."""

# A trail merges django-simple-history tables (one row per change) with a few write-once tables that keep no
# history of their own (there a row is one event: an attestation or a credential signed, an extra quiz attempt
# granted). One UNION query orders and pages them; each page then costs a fixed number of queries per kind of
# record on it, whatever the number of history rows.

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from audit.events import Event, load_events
from audit.names import roles_of
from lms.trail import Names, trail_sources

PAGE_SIZE = 50


@dataclass
class TrailPage:
    """A page of a trail: Django's page for the links, and its events in order."""

    page: Page
    events: list[Event]


def _union(parts: list[QuerySet]) -> QuerySet:
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-at", "src", "-row")


def trainee_trail(*, person: AbstractBaseUser) -> QuerySet:
    """Every change to a record about the person, newest first, as (src, row, at) rows to page through."""
    return _union(
        [source.rows(Q(**{source.person: person.pk})) for source in trail_sources().values() if source.person]
    )


def certificate_family(certificate) -> list[int]:
    """The certificate's id with those of the certificate it replaces and the one that replaced it."""
    replaced_by = getattr(certificate, "replaced_by", None)
    return [pk for pk in (certificate.pk, certificate.replaces_id, replaced_by.pk if replaced_by else None) if pk]


def certificate_trail(*, certificate) -> QuerySet:
    """The certificate's changes and credential signing, with those of its neighbours in a reissue or renewal."""
    family = certificate_family(certificate)
    return _union(
        [
            source.rows(Q(**{f"{source.certificate}__in": family}))
            for source in trail_sources().values()
            if source.certificate
        ]
    )


def trail_page(rows: QuerySet, number) -> TrailPage:
    """One page of a trail (PAGE_SIZE events, newest first), in a number of queries that doesn't grow with it."""
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    wanted = list(page.object_list)
    ids = defaultdict(list)
    for row in wanted:
        ids[row["src"]].append(row["row"])
    names = Names()
    sources = trail_sources()
    makers = {}
    for key, pks in ids.items():
        found = load_events(sources[key], pks, names)
        makers.update({(key, pk): maker for pk, maker in found.items()})
    names.load()
    roles = roles_of([actor for actor, _ in makers.values() if actor is not None])
    events = [makers[(row["src"], row["row"])][1](roles) for row in wanted if (row["src"], row["row"]) in makers]
    return TrailPage(page=page, events=events)
