"""The signed-in home and the main navigation by role: trainee, supervisor, verifier, several roles, none."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.kept_home import home_changed
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from practice.models import PracticeEntry
from practice.services import entries_return, entries_submit, entry_create
from tests.factories import (
    PASSWORD,
    UserFactory,
    approve_hours,
    build_assignment,
    build_course,
    build_programme,
    entry_data,
    issued_certificate,
)
from verification.models import Lookup

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


def sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(client, path: str = DASHBOARD) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def nav_links(soup: BeautifulSoup) -> dict[str, str]:
    """The main navigation's links, by their accessible text (visually hidden text included)."""
    nav = soup.select_one('nav[aria-label="Main"]')
    return {" ".join(link.get_text(" ").split()): link["href"] for link in nav.select("a")}


def entries(assignment, count: int, *, first_day: int = 1) -> list[PracticeEntry]:
    """`count` half-hour draft entries on different days, so no day's hour limit is reached."""
    today = timezone.localdate()
    return [
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, minutes=30, performed_on=today - timedelta(days=first_day + n)),
        )
        for n in range(count)
    ]


def send(assignment, count: int, *, first_day: int = 1):
    """Send `count` entries to the assignment's supervisor, each in a batch of its own; returns the batches."""
    return [
        entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])[0]
        for entry in entries(assignment, count, first_day=first_day)
    ]


def return_entries(assignment, count: int, *, first_day: int = 100) -> None:
    """`count` entries sent and returned with a comment."""
    for batch in send(assignment, count, first_day=first_day):
        entries_return(
            supervisor=assignment.supervisor,
            batch_id=batch.pk,
            entry_ids=list(batch.entries.values_list("pk", flat=True)),
            comment="Please add the setting.",
        )


# The navigation ----------------------------------------------------------------------------------------------


def test_a_trainee_sees_dashboard_and_practice_log_only(client):
    links = nav_links(page(sign_in(client, UserFactory())))
    assert links["Dashboard"] == DASHBOARD
    assert links["Practice log"] == reverse("practice_log")
    assert not [text for text in links if text.startswith("Review") or text == "Check certificates"]


def test_a_supervisor_sees_review_with_how_many_batches_wait():
    from django.test import Client

    assignment = build_assignment()
    send(assignment, 2)
    soup = page(sign_in(Client(), assignment.supervisor))
    links = nav_links(soup)
    assert links["Review 2 (2 waiting)"] == reverse("practice_review")
    badge = soup.select_one('nav[aria-label="Main"] .count-badge')
    assert badge.get_text() == "2" and badge["aria-hidden"] == "true"
    assert "Practice log" not in links and "Check certificates" not in links


def test_a_supervisor_with_nothing_waiting_sees_review_without_a_count(client):
    links = nav_links(page(sign_in(client, UserFactory(roles=[SUPERVISOR]))))
    assert links["Review"] == reverse("practice_review")


def test_someone_elses_batches_are_not_counted(client):
    send(build_assignment(), 3)
    mine = build_assignment()
    send(mine, 1)
    assert "Review 1 (1 waiting)" in nav_links(page(sign_in(client, mine.supervisor)))


def test_a_verifier_sees_check_certificates(client):
    links = nav_links(page(sign_in(client, UserFactory(roles=[VERIFIER]))))
    assert links["Check certificates"] == reverse("verify")
    assert "Practice log" not in links


def test_someone_with_several_roles_sees_each_item(client):
    person = UserFactory(roles=[TRAINEE, SUPERVISOR, VERIFIER])
    links = nav_links(page(sign_in(client, person)))
    assert {"Dashboard", "Practice log", "Review", "Check certificates"} <= set(links)


def test_the_review_count_costs_one_query_whatever_the_queue(client):
    """On any page, the supervisor's count is one query, and asked once however often the templates show it."""
    assignment = build_assignment()
    sign_in(client, assignment.supervisor)
    path = reverse("my_data")
    counts = []
    for batches in (1, 12):
        send(assignment, batches, first_day=1 + 20 * len(counts))
        client.get(path)  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts.append(len(captured))
        waiting = [query for query in captured if 'FROM "practice_batch"' in query["sql"] and "COUNT" in query["sql"]]
        assert len(waiting) == 1, [query["sql"] for query in waiting]
    assert counts[0] == counts[1], counts


def test_pages_for_people_without_the_supervisor_role_ask_no_count(client):
    sign_in(client, UserFactory())
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("my_data"))
    assert not [query for query in captured if 'FROM "practice_batch"' in query["sql"]]


# The trainee's home ------------------------------------------------------------------------------------------


def test_returned_entries_come_first_then_continue_then_what_waits(client):
    assignment = build_assignment()
    course, lessons = build_course()
    from courses.services import enrolment_create, lesson_complete

    enrolment_create(user=assignment.trainee, course=course)
    lesson_complete(user=assignment.trainee, lesson=lessons[0])
    return_entries(assignment, 2)
    send(assignment, 3)
    entries(assignment, 1, first_day=200)
    soup = page(sign_in(client, assignment.trainee))
    main = soup.select_one("main")
    assert main.select_one("h2").get_text() == "What to do next"
    actions = main.select(".next-action")
    assert [" ".join(action.get_text(" ").split()) for action in actions] == [
        "2 entries returned by your supervisor, with a note on what to change. Fix returned entries",
        f"A course: next up, {lessons[1].title}. Continue where you left off",
        "1 draft entry not sent to your supervisor yet. Send for review",
        "3 entries waiting for your supervisor's review. Nothing to do for now. See your practice log",
    ]
    fix = actions[0].select_one("a")
    assert fix["href"] == reverse("practice_log") + "?status=returned#entries-title"  # straight to the list
    assert actions[1].select_one("a")["href"] == lessons[1].url
    assert "continue-link" in actions[1].select_one("a")["class"]
    # the course's card doesn't repeat the button the page leads with
    assert len(main.select("a.continue-link")) == 1


def test_the_returned_link_lists_exactly_the_returned_entries(client):
    assignment = build_assignment()
    return_entries(assignment, 2)
    send(assignment, 1)
    sign_in(client, assignment.trainee)
    listed = page(client, reverse("practice_log") + "?status=returned").select("table.entries-table tbody tr")
    assert len(listed) == 2


def test_a_trainee_with_nothing_to_do_is_told_so(client):
    soup = page(sign_in(client, UserFactory()))
    assert "You're up to date: nothing is waiting for you." in soup.select_one(".next-actions").get_text()
    assert "You're not enrolled in any courses yet." in soup.get_text()


def test_requirements_are_one_compact_list_with_details_on_demand(client):
    assignment = build_assignment()
    build_programme(supervision_hours=25)
    approve_hours(assignment, [entry_data(assignment, minutes=90)])
    soup = page(sign_in(client, assignment.trainee))
    lines = soup.select("ul.checklist > li.requirement")
    assert len(lines) == 2
    for line in lines:
        details = line.select_one("details.requirement-details")
        assert details is not None and not details.has_attr("open")
        assert details.select_one("summary .requirement-text") is not None
        assert details.select_one('[role="progressbar"]') is not None
    text = soup.select_one("main").get_text()
    assert text.index("What to do next") < text.index("Your certification") < text.index("Your courses")


def test_a_supervision_ratio_with_no_hours_is_not_done(client):
    assignment = build_assignment()
    build_programme(practice_hours=0, supervision_hours=0, supervision_ratio_hours=1, supervision_ratio_per=10)
    soup = page(sign_in(client, assignment.trainee))
    (line,) = soup.select("li.requirement")
    assert "is-unmet" in line["class"]
    assert line.select_one(".requirement-mark").get_text() == "To do"
    assert line.select_one(".requirement-text").get_text() == (
        "Supervision ratio (1 h per 10 h of practice): not yet, no practice hours logged"
    )
    assert "Log practice hours and the supervision that goes with them." in line.get_text()


# The supervisor's home ---------------------------------------------------------------------------------------


def test_a_supervisor_sees_the_oldest_waiting_batches_with_each_trainees_progress(client):
    build_programme(practice_hours=40)
    first = build_assignment()
    supervisor = first.supervisor
    second = build_assignment(supervisor=supervisor)
    second.trainee.first_name, second.trainee.last_name = "Remi", "Okoro"
    second.trainee.save()
    approve_hours(first, [entry_data(first, minutes=150, performed_on=timezone.localdate() - timedelta(days=300))])
    older = send(first, 1)
    newer = send(second, 6, first_day=30)
    soup = page(sign_in(client, supervisor))
    section = soup.select_one("section.supervisor-home")
    assert section.select_one("h2").get_text() == "Hours to review"
    assert "7 batches waiting for you, oldest first." in section.get_text()
    items = section.select(".home-queue-item")
    assert len(items) == 5  # the rest are on the review queue
    hrefs = [item.select_one("a")["href"] for item in items]
    assert hrefs == [reverse("practice_review_batch", args=[batch.pk]) for batch in [*older, *newer[:4]]]
    assert items[0].select_one("a").get_text(" ").startswith(first.trainee.get_full_name())
    assert "Approved practice with you: 2.5 of 40 h" in items[0].get_text()
    assert items[1].select_one("a").get_text(" ").startswith("Remi Okoro")
    assert "Approved practice with you: 0 of 40 h" in items[1].get_text()
    assert section.find("a", string="Open the full review queue")["href"] == reverse("practice_review")
    assert "Your certification" not in soup.get_text()


def test_a_supervisor_with_an_empty_queue_is_told_so(client):
    soup = page(sign_in(client, UserFactory(roles=[SUPERVISOR])))
    section = soup.select_one("section.supervisor-home")
    assert "Nothing is waiting for your review." in section.get_text()
    assert "You're not enrolled" not in soup.get_text()  # a supervisor's home isn't a trainee's empty course list


# The verifier's home -----------------------------------------------------------------------------------------


def test_a_verifier_reaches_each_way_to_check_and_sees_their_last_checks(client):
    from verification.services import verification_lookup_record, verifier_profile_save

    verifier = UserFactory(roles=[VERIFIER])
    other = UserFactory(roles=[VERIFIER])
    verifier_profile_save(user=verifier, organisation_name="Northfield Health Board", kind="employer")
    certificate = issued_certificate(first_name="Ada", last_name="Byrne")
    for _ in range(6):
        verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.BULK)
    verification_lookup_record(certificate=certificate, verifier=other, channel=Lookup.Channel.API)
    soup = page(sign_in(client, verifier))
    section = soup.select_one("section.verifier-home")
    assert "You check for Northfield Health Board." in " ".join(section.get_text().split())
    links = {link.get_text(): link["href"] for link in section.select(".home-links a")}
    assert links == {
        "Check one certificate": reverse("verify"),
        "Bulk CSV check": reverse("verify_bulk"),
        "API tokens": reverse("verify_tokens"),
    }
    rows = section.select("table.recent-checks tbody tr")
    assert len(rows) == 5
    assert rows[0].select_one("th").get_text() == certificate.number
    assert rows[0].select_one('td[data-label="How"]').get_text() == "In a CSV file of codes"
    assert "From their own system" not in section.get_text()  # another verifier's check


def test_a_verifier_who_has_checked_nothing_is_told_so(client):
    soup = page(sign_in(client, UserFactory(roles=[VERIFIER])))
    assert "You haven't checked a certificate yet." in soup.select_one("section.verifier-home").get_text()


# Several roles, and none -------------------------------------------------------------------------------------


def test_someone_with_several_roles_sees_each_section(client):
    soup = page(sign_in(client, UserFactory(roles=[TRAINEE, SUPERVISOR, VERIFIER])))
    headings = [heading.get_text() for heading in soup.select("main h2")]
    assert headings[:1] == ["What to do next"]
    assert {"Your courses", "Hours to review", "Checking certificates"} <= set(headings)
    assert "Nothing here for you yet" not in headings


def test_someone_with_no_role_gets_a_friendly_empty_state(client):
    soup = page(sign_in(client, UserFactory(roles=[])))
    empty = soup.select_one(".home-empty")
    assert empty.select_one("h2").get_text() == "Nothing here for you yet"
    assert "When your programme team makes you a trainee, a supervisor or a verifier" in empty.get_text()
    assert empty.find("a", string="Browse courses")["href"] == "/courses/"
    assert not soup.select(".next-actions, .supervisor-home, .verifier-home")


def test_a_programme_admin_is_pointed_to_the_admin(client):
    soup = page(sign_in(client, UserFactory(roles=[PROGRAMME_ADMIN])))
    assert soup.find("a", string="Open the admin")["href"] == reverse("wagtailadmin_home")
    assert not soup.select(".home-empty")


# Query counts ------------------------------------------------------------------------------------------------


def dashboard_queries(client) -> tuple[int, list[str]]:
    client.get(DASHBOARD)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured), [query["sql"] for query in captured]


def trainee_dashboard_queries(client, trainee) -> tuple[int, int]:
    """Queries of a visit that works the trainee's section out (just after a change) and of the next, which uses the
    copy the first one kept."""
    client.get(DASHBOARD)  # warm per-process caches
    home_changed(trainee.pk)
    with CaptureQueriesContext(connection) as worked_out:
        assert client.get(DASHBOARD).status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert client.get(DASHBOARD).status_code == 200
    return len(worked_out), len(kept)


# Measured on this page, whole request: each includes the session, the user, their roles and permissions (one query,
# which Wagtail's user bar reads too). Pinned so a new query is a conscious change; each is the same with one and
# with many batches, entries and checks.
TRAINEE_QUERIES = 4  # one cache read: the tree's version, the trainee's version and their kept section
# Working the section out after a change: the same cache read, the courses they're enrolled in (private sections are
# a subquery), lessons done, entry counts, invitations, the programmes, their hours; then keeping the copy (five with
# the database cache in a test's transaction: the count it culls by, a savepoint, the row, the write, the release).
TRAINEE_WORKED_OUT_QUERIES = 15
SUPERVISOR_QUERIES = 9  # the oldest batches, their trainees' sums, the hour targets (one union), the count, two-factor
VERIFIER_QUERIES = 6  # the organisation and the last checks
NO_ROLE_QUERIES = 4


def test_a_trainees_home_costs_the_same_whatever_the_entries(client):
    assignment = build_assignment()
    build_programme()
    course, _ = build_course()
    from courses.services import enrolment_create

    enrolment_create(user=assignment.trainee, course=course)
    return_entries(assignment, 1)
    send(assignment, 1, first_day=20)
    sign_in(client, assignment.trainee)
    small = trainee_dashboard_queries(client, assignment.trainee)
    return_entries(assignment, 10, first_day=150)
    send(assignment, 10, first_day=40)
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=30, performed_on=timezone.localdate() - timedelta(days=250 + n))
            for n in range(10)
        ],
    )
    large = trainee_dashboard_queries(client, assignment.trainee)
    assert small == large == (TRAINEE_WORKED_OUT_QUERIES, TRAINEE_QUERIES), (small, large)


def test_a_supervisors_home_costs_the_same_whatever_the_queue(client):
    build_programme()
    assignment = build_assignment()
    send(assignment, 1)
    sign_in(client, assignment.supervisor)
    small, _ = dashboard_queries(client)
    for _ in range(4):
        send(build_assignment(supervisor=assignment.supervisor), 3)
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=30, performed_on=timezone.localdate() - timedelta(days=50 + n))
            for n in range(5)
        ],
    )
    large, sql = dashboard_queries(client)
    assert small == large == SUPERVISOR_QUERIES, (small, large)
    assert len([query for query in sql if re.search(r'COUNT\(\*\).*FROM "practice_batch"', query)]) == 1


def test_a_verifiers_home_costs_the_same_whatever_the_checks(client):
    from verification.services import verification_lookup_record

    verifier = UserFactory(roles=[VERIFIER])
    certificate = issued_certificate(first_name="Ada", last_name="Byrne")
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    sign_in(client, verifier)
    small, _ = dashboard_queries(client)
    for _ in range(20):
        verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.API)
    large, _ = dashboard_queries(client)
    assert small == large == VERIFIER_QUERIES, (small, large)


def test_a_home_without_a_role_costs_a_fixed_few_queries(client):
    sign_in(client, UserFactory(roles=[]))
    count, _ = dashboard_queries(client)
    assert count == NO_ROLE_QUERIES
