"""The practice log and the review queue cost the same number of queries whatever the number of entries, and page.

Setup bypasses the services and bulk-creates rows, so a thousand entries take a moment; the totals are checked
against sums worked out here in Python from the rows as built, not from the database.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from content.models import CompetencyDomain
from practice.models import Attestation, Batch, PracticeEntry, SupervisorAssignment
from practice.skills import SKILLS
from practice.totals import hours_totals
from tests.factories import PASSWORD, UserFactory, build_assignment

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED]
ACTIVITIES = PracticeEntry.ActivityType.values
CONTACTS = PracticeEntry.Contact.values
FILTER_DOMAIN = "advocacy"


@dataclass
class Log:
    """What _bulk_log built: the assignment, its entries (with their domains) and the waiting batches."""

    assignment: SupervisorAssignment
    entries: list[PracticeEntry]
    domains_of: dict[int, list[CompetencyDomain]] = field(default_factory=dict)
    batches: list[Batch] = field(default_factory=list)

    @property
    def trainee(self):
        return self.assignment.trainee

    @property
    def supervisor(self):
        return self.assignment.supervisor


def _bulk_log(assignment: SupervisorAssignment, count: int) -> Log:
    """`count` entries for the assignment over many days, mixing kinds, statuses, activities and domains.

    Statuses cycle draft, submitted, returned, approved; every seventh entry is a supervision session;
    most practice entries have one domain and every third a second; submitted entries sit two to a batch.
    """
    trainee = assignment.trainee
    domains = list(CompetencyDomain.objects.order_by("sort_order", "name"))
    assert len(domains) >= 2
    now = timezone.now()
    today = timezone.localdate()
    reviewed = Batch.objects.create(
        trainee=trainee, assignment=assignment, status=Batch.Status.REVIEWED, submitted_at=now - timedelta(days=300)
    )
    attestation = Attestation.objects.create(
        supervisor=assignment.supervisor,
        batch=reviewed,
        statement=Attestation.STATEMENT,
        signed_name="Signed Supervisor",
        credentials="CPS Supervisor, Testland S-1",
        signed_at=now,
    )
    submitted = sum(1 for i in range(count) if STATUSES[i % 4] == Status.SUBMITTED)
    batches = Batch.objects.bulk_create(
        Batch(trainee=trainee, assignment=assignment, submitted_at=now - timedelta(hours=submitted - k))
        for k in range(max(1, submitted // 2))
    )
    entries, domains_by_index = [], []
    waiting = 0
    for i in range(count):
        status = STATUSES[i % 4]
        kind = Kind.SUPERVISION if i % 7 == 5 else Kind.PRACTICE
        entry = PracticeEntry(
            trainee=trainee,
            assignment=assignment,
            kind=kind,
            performed_on=today - timedelta(days=1 + i % 360),
            minutes=15 * (1 + i % 8),
            delivery=PracticeEntry.Delivery.IN_PERSON if i % 2 else PracticeEntry.Delivery.REMOTE,
            status=status,
        )
        if kind == Kind.PRACTICE:
            entry.activity_type = ACTIVITIES[(i // 2) % len(ACTIVITIES)]
            entry.contact = CONTACTS[(i // 3) % len(CONTACTS)]
            entry.setting = PracticeEntry.Setting.COMMUNITY
            entry.reflection = f"Reflection {i}"
            if entry.activity_type == PracticeEntry.ActivityType.SKILLS_CHECK:  # a role-play: one skill, indirect
                entry.skill, entry.contact = list(SKILLS)[i % len(SKILLS)], PracticeEntry.Contact.INDIRECT
        else:
            entry.session_format = PracticeEntry.SessionFormat.INDIVIDUAL
            entry.topics = f"Topics {i}"
        if status == Status.APPROVED:
            entry.attestation = attestation
            entry.batch = reviewed
        elif status == Status.SUBMITTED:
            entry.batch = batches[waiting % len(batches)]
            waiting += 1
        elif status == Status.RETURNED:
            entry.return_comment = "Please add the setting."
        tagged = []
        if kind == Kind.PRACTICE and i % 10 != 9:
            tagged.append(domains[i % len(domains)])
            if i % 3 == 0:
                tagged.append(domains[(i + 1) % len(domains)])
        entries.append(entry)
        domains_by_index.append(tagged)
    entries = PracticeEntry.objects.bulk_create(entries)
    Through = PracticeEntry.domains.through
    Through.objects.bulk_create(
        Through(practiceentry_id=entry.pk, competencydomain_id=domain.pk)
        for entry, tagged in zip(entries, domains_by_index, strict=True)
        for domain in tagged
    )
    return Log(
        assignment=assignment,
        entries=entries,
        domains_of={entry.pk: tagged for entry, tagged in zip(entries, domains_by_index, strict=True)},
        batches=batches,
    )


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def _minutes(entries, **match) -> int:
    return sum(entry.minutes for entry in entries if all(getattr(entry, k) == v for k, v in match.items()))


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def logs():
    """Two independent trainees, each with their own supervisor: one with 10 entries, one with 1,000."""
    return {count: _bulk_log(build_assignment(), count) for count in (10, 1000)}


def _counts(client, logs, url: str, *, as_supervisor: bool = False) -> dict[int, int]:
    counts = {}
    for count, log in logs.items():
        user = log.supervisor if as_supervisor else log.trainee
        assert client.login(username=user.username, password=PASSWORD)
        _queries(client, url)  # warm per-process caches (content types, site root paths)
        counts[count] = _queries(client, url)
        client.logout()
    return counts


@pytest.mark.parametrize("query", ["", "?page=2", f"?status=approved&domain={FILTER_DOMAIN}"])
def test_practice_log_query_count_is_constant(client, logs, query):
    # The filtered view must still show rows at 10 entries, or the domain prefetch would not run.
    small = logs[10]
    assert any(
        entry.status == Status.APPROVED and FILTER_DOMAIN in [d.slug for d in small.domains_of[entry.pk]]
        for entry in small.entries
    )
    counts = _counts(client, logs, reverse("practice_log") + query)
    assert counts[10] == counts[1000] == LOG_QUERIES, counts


@pytest.mark.parametrize("query", ["", "?page=2"])
def test_review_queue_query_count_is_constant(client, logs, query):
    counts = _counts(client, logs, reverse("practice_review") + query, as_supervisor=True)
    assert counts[10] == counts[1000] == REVIEW_QUERIES, counts


# Whole requests, the session, the user, their roles and Wagtail's user bar (two) included.
# The tree's version (the competency domains and hour targets are kept with it); the totals and the counts are one
# aggregate, which also tells whether the trainee has a placement and group sessions to confirm; entries and domains.
LOG_QUERIES = 9
REVIEW_QUERIES = 8  # the waiting count serves the pages and the navigation; a page of batches; the trainees' sums


def test_practice_log_pages_25_entries_and_totals_cover_all_of_them(client, logs):
    log = logs[1000]
    entries = log.entries
    assert client.login(username=log.trainee.username, password=PASSWORD)
    response = client.get(reverse("practice_log"))
    soup = BeautifulSoup(response.content, "html.parser")

    rows = soup.select("table.entries-table tbody tr")
    assert len(rows) == 25
    newest = sorted(entries, key=lambda entry: (entry.performed_on, entry.pk), reverse=True)[:25]
    shown = [int(row.select_one("th a")["href"].rstrip("/").rsplit("/", 1)[1]) for row in rows]
    assert shown == [entry.pk for entry in newest]
    next_link = soup.select_one('nav.pagination a[rel="next"]')
    assert next_link is not None and next_link.get_text().startswith("Next")
    assert "page=2" in next_link["href"]
    assert "Page 1 of 40" in soup.select_one("nav.pagination").get_text()
    assert soup.select_one('p.meta[role="status"]').get_text().strip() == "1000 entries."

    practice_approved, supervision_approved = soup.select("p.headline-figures strong")
    assert practice_approved.get_text() == f"{_hours(_minutes(entries, kind=Kind.PRACTICE, status=Status.APPROVED))} h"
    assert supervision_approved.get_text() == (
        f"{_hours(_minutes(entries, kind=Kind.SUPERVISION, status=Status.APPROVED))} h"
    )
    headline = soup.select_one("p.headline-figures").get_text()
    assert f"{_hours(_minutes(entries, kind=Kind.PRACTICE, status=Status.SUBMITTED))} h waiting" in headline

    page2 = BeautifulSoup(client.get(reverse("practice_log") + "?page=2").content, "html.parser")
    assert len(page2.select("table.entries-table tbody tr")) == 25
    assert page2.select_one('nav.pagination a[rel="prev"]') is not None


def test_practice_log_filters_count_every_match_and_keep_the_filter_in_page_links(client, logs):
    log = logs[1000]
    matches = [
        entry
        for entry in log.entries
        if entry.status == Status.APPROVED and FILTER_DOMAIN in [d.slug for d in log.domains_of[entry.pk]]
    ]
    assert len(matches) > 25
    assert client.login(username=log.trainee.username, password=PASSWORD)
    response = client.get(reverse("practice_log"), {"status": "approved", "domain": FILTER_DOMAIN})
    soup = BeautifulSoup(response.content, "html.parser")
    rows = soup.select("table.entries-table tbody tr")
    assert len(rows) == 25
    assert all("Approved" in row.select_one('td[data-label="Status"]').get_text() for row in rows)
    assert soup.select_one('p.meta[role="status"]').get_text().strip() == f"{len(matches)} entries match your filters."
    next_href = soup.select_one('nav.pagination a[rel="next"]')["href"]
    assert "status=approved" in next_href and f"domain={FILTER_DOMAIN}" in next_href and "page=2" in next_href


def test_review_queue_pages_20_batches_oldest_first(client, logs):
    log = logs[1000]
    assert len(log.batches) > 100
    assert client.login(username=log.supervisor.username, password=PASSWORD)
    soup = BeautifulSoup(client.get(reverse("practice_review")).content, "html.parser")

    rows = soup.select("table.queue-table tbody tr")
    assert len(rows) == 20
    oldest = sorted(log.batches, key=lambda batch: (batch.submitted_at, batch.pk))[:20]
    assert [int(row.select_one('input[name="batches"]')["value"]) for row in rows] == [b.pk for b in oldest]
    for row, batch in zip(rows, oldest, strict=True):
        waiting = [entry for entry in log.entries if entry.batch_id == batch.pk]
        assert row.select_one('td[data-label="Entries"]').get_text() == str(len(waiting))
        assert row.select_one('td[data-label="Hours"]').get_text() == f"{_hours(sum(e.minutes for e in waiting))} h"
    next_link = soup.select_one('nav.pagination a[rel="next"]')
    assert next_link is not None and next_link.get_text().startswith("Next")
    pages = -(-len(log.batches) // 20)
    assert f"Page 1 of {pages}" in soup.select_one("nav.pagination").get_text()

    waiting_cell = soup.select_one('td[data-label="Waiting"]')
    assert waiting_cell.get_text() == f"{_hours(_minutes(log.entries, status=Status.SUBMITTED))} h"

    last = BeautifulSoup(client.get(reverse("practice_review"), {"page": pages}).content, "html.parser")
    assert len(last.select("table.queue-table tbody tr")) == len(log.batches) - 20 * (pages - 1)
    assert last.select_one('nav.pagination a[rel="next"]') is None


def test_hours_totals_equal_an_independent_sum():
    log = _bulk_log(build_assignment(), 400)
    # Noise that must not count: another trainee's entries, and (for the assignment filter) a second placement.
    _bulk_log(build_assignment(), 40)
    other_placement = _bulk_log(build_assignment(trainee=log.trainee, supervisor=UserFactory(roles=["Supervisor"])), 8)
    entries = log.entries + other_placement.entries
    domains_of = {**log.domains_of, **other_placement.domains_of}
    practice = [entry for entry in entries if entry.kind == Kind.PRACTICE]

    def expected(selected):
        return (
            sum(e.minutes for e in selected if e.status == Status.APPROVED),
            sum(e.minutes for e in selected if e.status == Status.SUBMITTED),
        )

    totals = hours_totals(trainee=log.trainee)

    assert (totals.practice.approved_minutes, totals.practice.pending_minutes) == expected(practice)
    supervision = [entry for entry in entries if entry.kind == Kind.SUPERVISION]
    assert (totals.supervision.approved_minutes, totals.supervision.pending_minutes) == expected(supervision)
    assert totals.supervision.approved_minutes > 0 and totals.supervision.pending_minutes > 0
    assert [line.label for line in totals.by_activity] == PracticeEntry.ActivityType.labels
    for line, value in zip(totals.by_activity, ACTIVITIES, strict=True):
        assert (line.approved_minutes, line.pending_minutes) == expected(
            [e for e in practice if e.activity_type == value]
        ), line.label
    assert [line.label for line in totals.by_contact] == PracticeEntry.Contact.labels
    for line, value in zip(totals.by_contact, CONTACTS, strict=True):
        assert (line.approved_minutes, line.pending_minutes) == expected([e for e in practice if e.contact == value]), (
            line.label
        )
    domains = list(CompetencyDomain.objects.order_by("sort_order", "name"))
    assert [line.label for line in totals.by_domain] == [domain.name for domain in domains]
    for line, domain in zip(totals.by_domain, domains, strict=True):
        assert (line.approved_minutes, line.pending_minutes) == expected(
            [e for e in practice if domain in domains_of[e.pk]]
        ), line.label
    # Entries in two domains count in each, so the domain lines add up to more than the practice total.
    assert sum(line.approved_minutes for line in totals.by_domain) > totals.practice.approved_minutes

    only_first = hours_totals(
        trainee=log.trainee, assignments=SupervisorAssignment.objects.filter(pk=log.assignment.pk)
    )
    first_practice = [entry for entry in log.entries if entry.kind == Kind.PRACTICE]
    assert (only_first.practice.approved_minutes, only_first.practice.pending_minutes) == expected(first_practice)
    assert only_first.practice.approved_minutes < totals.practice.approved_minutes
