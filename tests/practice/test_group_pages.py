"""Group supervision pages: the supervisor logs a session and follows the answers; each trainee confirms or declines
from their log. Who may open what, what each page says, and query counts that don't grow with the rows."""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.kept_home import home_changed
from practice.group import GroupSessionData, group_entry_decline, group_session_create
from practice.models import PracticeEntry
from tests.factories import PASSWORD, UserFactory, build_assignment

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status


def _trainees(supervisor, count: int, *, prefix: str = "Trainee"):
    return [
        build_assignment(
            trainee=UserFactory(first_name=f"{prefix}{n:03d}", last_name="Lane"), supervisor=supervisor
        ).trainee
        for n in range(count)
    ]


@pytest.fixture
def supervisor():
    return UserFactory(first_name="Sam", last_name="Okafor", roles=["Supervisor"])


@pytest.fixture
def trainees(supervisor):
    return _trainees(supervisor, 3)


def _log(supervisor, trainees, *, days_ago: int = 1, start: time | None = time(14, 0)):
    return group_session_create(
        supervisor=supervisor,
        data=GroupSessionData(
            trainee_ids=[trainee.pk for trainee in trainees],
            performed_on=timezone.localdate() - timedelta(days=days_ago),
            start_time=start,
            minutes=90,
            delivery="in_person",
            topics="Boundaries and self-care.",
        ),
    )


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def _links(soup) -> dict[str, str]:
    return {" ".join(link.get_text().split()): link["href"] for link in soup.select("main a")}


# The supervisor's pages ---------------------------------------------------------------------------------------


def test_a_supervisor_reaches_the_form_from_their_home_and_the_review_queue(client, supervisor, trainees):
    _as(client, supervisor)
    new = reverse("practice_review_group_session_new")
    assert _links(_soup(client.get(reverse("dashboard"))))["Log a group session"] == new
    queue = _links(_soup(client.get(reverse("practice_review"))))
    assert queue["Log a group session"] == new
    assert queue["Group sessions you logged"] == reverse("practice_review_group_sessions")


def test_the_form_offers_only_the_supervisors_current_trainees(client, supervisor, trainees):
    today = timezone.localdate()
    build_assignment(
        trainee=UserFactory(first_name="Former", last_name="Trainee"),
        supervisor=supervisor,
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=1),
    )
    build_assignment(trainee=UserFactory(first_name="Someone", last_name="Else"))
    soup = _soup(_as(client, supervisor).get(reverse("practice_review_group_session_new")))
    offered = [label.get_text(strip=True) for label in soup.select("#id_trainees label")]
    assert offered == ["Trainee000 Lane", "Trainee001 Lane", "Trainee002 Lane"]


def test_logging_from_the_form_shows_each_trainees_answer(client, supervisor, trainees):
    _as(client, supervisor)
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(
        reverse("practice_review_group_session_new"),
        {
            "trainees": [trainee.pk for trainee in trainees],
            "performed_on": day.isoformat(),
            "start_time": "10:00",
            "end_time": "11:30",
            "delivery": "remote",
            "topics": "Self-care after hard calls.",
        },
        follow=True,
    )
    soup = _soup(response)
    assert soup.h1.get_text() == f"Group session on {day:%-d %B %Y}"
    assert "Each has been emailed to confirm it" in soup.select_one(".messages").get_text()
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in soup.select("tbody tr")]
    assert rows == [[f"Trainee00{n} Lane", "Not answered yet", "—"] for n in range(3)]
    assert PracticeEntry.objects.filter(status=Status.TO_CONFIRM, minutes=90, delivery="remote").count() == 3


def test_the_form_says_what_is_wrong(client, supervisor, trainees):
    _as(client, supervisor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    soup = _soup(
        client.post(
            reverse("practice_review_group_session_new"),
            {"performed_on": tomorrow.isoformat(), "duration_hours": "1", "delivery": "remote", "topics": "Ok."},
        )
    )
    summary = soup.select_one(".error-summary").get_text(" ", strip=True)
    assert "Choose the trainees who were at the session." in summary
    soup = _soup(
        client.post(
            reverse("practice_review_group_session_new"),
            {
                "trainees": [trainees[0].pk],
                "performed_on": tomorrow.isoformat(),
                "duration_hours": "1",
                "delivery": "remote",
                "topics": "Ok.",
            },
        )
    )
    assert "You can't log practice for a date that hasn't happened yet." in soup.select_one(".error-summary").get_text()
    assert not PracticeEntry.objects.exists()


def test_someone_elses_trainee_posted_by_hand_is_refused(client, supervisor, trainees):
    stranger = build_assignment().trainee
    soup = _soup(
        _as(client, supervisor).post(
            reverse("practice_review_group_session_new"),
            {
                "trainees": [trainees[0].pk, stranger.pk],
                "performed_on": timezone.localdate().isoformat(),
                "duration_hours": "1",
                "delivery": "remote",
                "topics": "Ok.",
            },
        )
    )
    assert "is not one of the available choices" in soup.select_one(".error-summary").get_text()
    assert not PracticeEntry.objects.exists()


def test_the_supervisor_sees_who_declined_and_why(client, supervisor, trainees):
    session = _log(supervisor, trainees)
    entry = PracticeEntry.objects.get(group_session=session, trainee=trainees[1])
    group_entry_decline(trainee=trainees[1], entry_id=entry.pk, reason="I was on leave that week.")
    _as(client, supervisor)
    listing = _soup(client.get(reverse("practice_review_group_sessions")))
    row = listing.select_one("tbody tr")
    assert (
        row.select_one('td[data-label="Answers"]').get_text()
        == "0 confirmed, 2 not answered yet, 1 said they weren't there"
    )
    assert "Trainee001 Lane (said they weren't there)" in row.select_one('td[data-label="Trainees"]').get_text()
    detail = _soup(client.get(reverse("practice_review_group_session", args=[session.pk])))
    declined = next(row for row in detail.select("tbody tr") if "Trainee001" in row.get_text())
    assert declined.select_one('td[data-label="Their reason"]').get_text() == "I was on leave that week."


def test_other_people_cant_open_a_supervisors_session(client, supervisor, trainees):
    session = _log(supervisor, trainees)
    url = reverse("practice_review_group_session", args=[session.pk])
    other_supervisor = build_assignment().supervisor
    assert _as(client, other_supervisor).get(url).status_code == 404
    assert _as(client, trainees[0]).get(url).status_code == 403
    assert _as(client, trainees[0]).get(reverse("practice_review_group_session_new")).status_code == 403
    listing = _soup(_as(client, other_supervisor).get(reverse("practice_review_group_sessions")))
    assert listing.select("tbody tr") == []


# The trainee's pages ------------------------------------------------------------------------------------------


def test_the_trainee_is_asked_prominently_and_confirms(client, supervisor, trainees):
    session = _log(supervisor, trainees)
    day = timezone.localdate() - timedelta(days=1)
    _as(client, trainees[0])
    home = _soup(client.get(reverse("dashboard")))
    action = home.select_one(".next-action-fix")
    assert action.p.get_text() == "1 group supervision session from your supervisor to confirm."
    log = _soup(client.get(reverse("practice_log")))
    link = log.select_one("#to-confirm-title").find_parent("section").a
    assert link.get_text() == f"Group session from Sam Okafor on {day:%-d %b %Y} — confirm"
    page = _soup(client.get(link["href"]))
    assert page.h1.get_text() == f"Group session from Sam Okafor on {day:%-d %B %Y}"
    assert "Boundaries and self-care." in page.select_one(".reflection").get_text()

    response = client.post(link["href"], {"action": "confirm"}, follow=True)
    log = _soup(response)
    assert "It now counts towards your supervision hours." in log.select_one(".messages").get_text()
    assert log.select_one("#to-confirm-title") is None
    assert "1.5 h" in log.select_one("p.headline-figures").get_text()
    entry = PracticeEntry.objects.get(group_session=session, trainee=trainees[0])
    assert entry.status == Status.APPROVED


def test_declining_needs_a_reason_then_tells_the_supervisor(client, supervisor, trainees):
    session = _log(supervisor, trainees)
    url = reverse("practice_group_entry", args=[session.pk])
    _as(client, trainees[1])
    soup = _soup(client.post(url, {"action": "decline", "reason": ""}))
    assert "Say in a few words why, so your supervisor knows." in soup.select_one(".error-summary").get_text()
    assert soup.select_one("details.decline").has_attr("open")
    response = client.post(url, {"action": "decline", "reason": "I was on leave."}, follow=True)
    assert "We've told your supervisor" in _soup(response).select_one(".messages").get_text()
    entry = PracticeEntry.objects.get(group_session=session, trainee=trainees[1])
    assert (entry.status, entry.decline_reason) == (Status.DECLINED, "I was on leave.")
    page = _soup(client.get(url))
    assert "You said you weren't there" in page.get_text() and page.select("form.confirm-form") == []


def test_nobody_opens_or_answers_another_trainees_session(client, supervisor, trainees):
    session = _log(supervisor, trainees[:2])
    url = reverse("practice_group_entry", args=[session.pk])
    outsider = trainees[2]
    _as(client, outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    assert _as(client, supervisor).get(url).status_code == 403
    assert not PracticeEntry.objects.filter(group_session=session, status=Status.APPROVED).exists()


def test_a_long_day_asks_for_the_tick_before_confirming(client, supervisor, trainees):
    from practice.services import entry_create
    from tests.factories import entry_data

    session = _log(supervisor, trainees, start=None)
    assignment = trainees[0].supervisor_assignments.get()
    entry_create(
        trainee=trainees[0],
        data=entry_data(assignment, minutes=11 * 60, long_day_confirmed=True),
    )
    url = reverse("practice_group_entry", args=[session.pk])
    _as(client, trainees[0])
    page = _soup(client.get(url))
    assert page.select_one("#id_long_day_confirmed") is not None
    soup = _soup(client.post(url, {"action": "confirm"}))
    assert "12.5 hours on this day" in soup.select_one(".error-summary").get_text()
    client.post(url, {"action": "confirm", "long_day_confirmed": "on"})
    assert PracticeEntry.objects.get(group_session=session, trainee=trainees[0]).status == Status.APPROVED


# Query counts: pinned, and the same with many rows as with few ----------------------------------------------------


def _queries(client, url: str, *, changed=None) -> int:
    client.get(url)  # warm per-process caches
    if changed is not None:
        home_changed(changed.pk)  # the home works the trainee's section out, as after a change (tests/dashboard)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_supervisors_pages_cost_the_same_whatever_the_sessions_and_trainees(client):
    counts = {}
    for size in (3, 30):
        supervisor = UserFactory(roles=["Supervisor"])
        people = _trainees(supervisor, size, prefix=f"P{size}x")
        sessions = [_log(supervisor, people, days_ago=1 + n, start=None) for n in range(size)]
        _as(client, supervisor)
        counts[size] = (
            _queries(client, reverse("practice_review_group_sessions")),
            _queries(client, reverse("practice_review_group_session", args=[sessions[0].pk])),
            _queries(client, reverse("practice_review_group_session_new")),
        )
    assert counts[3] == counts[30] == (QUERIES_SESSIONS, QUERIES_SESSION, QUERIES_NEW), counts


def test_the_trainees_pages_cost_the_same_whatever_the_sessions(client):
    counts = {}
    for size in (1, 30):
        supervisor = UserFactory(roles=["Supervisor"])
        (trainee,) = _trainees(supervisor, 1, prefix=f"T{size}x")
        sessions = [_log(supervisor, [trainee], days_ago=1 + n, start=None) for n in range(size)]
        _as(client, trainee)
        counts[size] = (
            _queries(client, reverse("practice_group_entry", args=[sessions[0].pk])),
            _queries(client, reverse("practice_log")),
            _queries(client, reverse("dashboard"), changed=trainee),
        )
    assert counts[1] == counts[30] == (QUERIES_GROUP_ENTRY, QUERIES_LOG, QUERIES_HOME), counts


# Each includes the session, the user, their groups and permissions (one query, which Wagtail's user bar reads too),
# and the site's settings that every page reads.
QUERIES_SESSIONS = 8
QUERIES_SESSION = 7
QUERIES_NEW = 7
QUERIES_GROUP_ENTRY = 6
QUERIES_LOG = 10  # the log (9) and the group sessions waiting for this trainee to confirm them
# The home, working the trainee's section out: 6, one for the invitations to link up, the one cache read (the tree's
# version, theirs, the kept copy), and keeping the section (five with the database cache in a test's transaction).
QUERIES_HOME = 13
