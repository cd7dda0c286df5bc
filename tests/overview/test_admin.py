"""The overview in the Wagtail admin: the home panel, the report tables and their CSV files, and who may see them."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from overview.admin_views import PAGE_SIZE
from overview.reports import REPORTS
from practice.supervision import supervisor_request_create
from tests.factories import PASSWORD, UserFactory, build_assignment, build_programme
from tests.overview.builders import certificate_row, certify, submit_hours

pytestmark = pytest.mark.django_db

URL_NAMES = [report.url_name for report in REPORTS]


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="robin", first_name="Robin", last_name="Hughes", roles=[PROGRAMME_ADMIN])
    client.login(username=admin.username, password=PASSWORD)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def world():
    """A supervisor with hours waiting, a trainee without a supervisor, a certificate expiring soon."""
    supervisor = UserFactory(username="sup_okafor", first_name="Sam", last_name="Okafor", roles=[SUPERVISOR])
    waiting = build_assignment(
        supervisor=supervisor, trainee=UserFactory(username="t_alex", first_name="Alex", last_name="Morgan")
    )
    submit_hours(waiting, [60, 30])
    UserFactory(username="t_nobody", first_name="=HYPERLINK(1)", last_name="Sole", email="sole@example.org")
    programme = build_programme()
    expiring = certify(trainee=UserFactory(username="t_riley", first_name="Riley", last_name="Chen"), expires_in=30)
    # Certified and no longer supervised: finished, so not counted among those without a supervisor.
    certificate_row(
        holder=UserFactory(username="t_done", first_name="Dana", last_name="Done"), programme=programme, expires_in=300
    )
    return {"supervisor": supervisor, "expiring": expiring}


def test_admin_home_shows_the_overview_with_links_to_each_report(admin_client, world):
    page = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Programme overview" in page
    assert "1.5 hours in 2 entries are waiting for 1 supervisor." in page
    assert "Sam Okafor: 1.5 h" in page
    assert "Trainees without a supervisor: 1" in page
    assert "Certificates expiring in the next 90 days: 1" in page
    assert "Trainees near eligibility: 0" in page
    for report in REPORTS:
        assert f'href="{report.url}"' in page
    assert "Enrolled in a course" in page
    assert "Nobody who enrolled in a course holds a certificate yet" in page


def test_admin_home_counts_the_open_requests_for_a_supervisor(admin_client, world):
    asking = UserFactory(roles=[TRAINEE], first_name="Jo", last_name="Asker")
    supervisor_request_create(trainee=asking, help_me_find=True)
    page = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Trainees asking for a supervisor: 1" in page
    assert f'href="{reverse("practice_supervisor_requests")}"' in page


def test_hours_waiting_report_shows_names_and_downloads_every_row(admin_client, world):
    page = admin_client.get(reverse("overview_hours_waiting")).content.decode()
    assert "<h1" in page and "Hours waiting for review" in page
    assert "Sam Okafor" in page and "sup_okafor" not in page
    assert "<td>1.5</td>" in page
    rows = csv_rows(admin_client.get(reverse("overview_hours_waiting"), {"export": "csv"}))
    assert rows[0] == ["Supervisor", "Email", "Hours waiting", "Entries waiting", "Trainees", "Waiting since"]
    assert rows[1][:5] == ["Sam Okafor", "sup_okafor@example.org", "1.50", "2", "1"]
    assert len(rows) == 2


def test_without_supervisor_report_escapes_formulas_in_the_csv(admin_client, world):
    page = admin_client.get(reverse("overview_without_supervisor")).content.decode()
    assert "=HYPERLINK(1) Sole" in page and "t_nobody" not in page
    assert "Dana Done" not in page  # certified
    assert "Never assigned" in page
    rows = csv_rows(admin_client.get(reverse("overview_without_supervisor"), {"export": "csv"}))
    assert rows[0] == ["Trainee", "Email", "Joined", "Last assignment ended", "Next assignment starts"]
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(1) Sole" in names
    assert "=HYPERLINK(1) Sole" not in names


def test_expiring_report_links_each_certificate(admin_client, world):
    certificate = world["expiring"]
    page = admin_client.get(reverse("overview_expiring_certificates")).content.decode()
    assert "Riley Chen" in page and "t_riley" not in page
    assert reverse("wagtailsnippets_certificates_certificate:inspect", args=[certificate.pk]) in page
    assert "<td>30</td>" in page
    rows = csv_rows(admin_client.get(reverse("overview_expiring_certificates"), {"export": "csv"}))
    assert rows[1] == [
        "Riley Chen",
        "t_riley@example.org",
        certificate.number,
        "Certified Peer Specialist",
        certificate.expires_on.isoformat(),
        "30",
    ]


def test_empty_reports_say_so_kindly(admin_client):
    expected = {
        "overview_hours_waiting": "No hours are waiting for review. Every supervisor is up to date.",
        "overview_without_supervisor": "Every trainee has a supervisor today.",
        "overview_expiring_certificates": "No certificates expire in the next 90 days.",
        "overview_near_eligibility": "Nobody is close to a certificate just now.",
    }
    for name, message in expected.items():
        page = admin_client.get(reverse(name)).content.decode()
        assert message in page, name
        assert len(csv_rows(admin_client.get(reverse(name), {"export": "csv"}))) == 1


def test_long_lists_are_paginated_and_the_csv_holds_them_all(admin_client):
    for number in range(PAGE_SIZE + 2):
        UserFactory(first_name="Trainee", last_name=f"{number:03d}")
    first = admin_client.get(reverse("overview_without_supervisor")).content.decode()
    assert f"Page 1 of 2 ({PAGE_SIZE + 2} in all)" in first
    assert "Trainee 000" in first and "Trainee 051" not in first
    second = admin_client.get(reverse("overview_without_supervisor"), {"p": 2}).content.decode()
    assert "Trainee 051" in second and "Trainee 000" not in second
    rows = csv_rows(admin_client.get(reverse("overview_without_supervisor"), {"export": "csv"}))
    assert len(rows) == PAGE_SIZE + 3


def editor():
    """Someone allowed into the Wagtail admin (an editor) who is not a programme admin."""
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = UserFactory(roles=[])
    user.groups.add(group)
    return user


@pytest.mark.parametrize("roles", [[], [SUPERVISOR], [VERIFIER]])
def test_others_may_not_open_the_reports_or_download_them(client, world, roles):
    user = UserFactory(roles=roles)
    client.login(username=user.username, password=PASSWORD)
    for name in URL_NAMES:
        for query in ({}, {"export": "csv"}):
            response = client.get(reverse(name), query)
            assert response.status_code in (302, 403), name
            assert b"Okafor" not in response.content


def test_an_editor_in_the_admin_is_turned_away_and_sees_no_panel(client, world):
    client.login(username=editor().username, password=PASSWORD)
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert b"Programme overview" not in home.content
    for name in URL_NAMES:
        for query in ({}, {"export": "csv"}):
            response = client.get(reverse(name), query)  # Wagtail turns the refusal into a redirect home
            assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home")), name
    followed = client.get(reverse("overview_near_eligibility"), follow=True).content.decode()
    assert "Sorry, you do not have permission to access this area." in followed
    assert "Okafor" not in followed
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Near eligibility" not in menu


def test_anonymous_people_are_sent_to_sign_in(client):
    for name in URL_NAMES:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "login" in response["Location"]


def _count(client, url: str, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query or {}).status_code == 200
    return len(captured)


def _add_trainees(count: int) -> None:
    supervisor = UserFactory(roles=[SUPERVISOR])
    for _ in range(count):
        submit_hours(build_assignment(supervisor=supervisor), [60])
        submit_hours(build_assignment(), [30])
        UserFactory()
        certify(expires_in=45)


def test_pages_and_files_take_the_same_queries_however_many_trainees(admin_client):
    build_programme()
    _add_trainees(1)
    urls = [reverse("wagtailadmin_home"), *(reverse(name) for name in URL_NAMES)]
    admin_client.get(urls[0])  # the first visit to the admin sets up the user's profile
    before = {url: (_count(admin_client, url), _count(admin_client, url, {"export": "csv"})) for url in urls}
    _add_trainees(6)
    after = {url: (_count(admin_client, url), _count(admin_client, url, {"export": "csv"})) for url in urls}
    assert after == before
    # Page (session, user, Wagtail's chrome, count, rows) and CSV; near eligibility adds the programmes' set-up.
    assert [after[reverse(name)] for name in URL_NAMES] == [(12, 7), (12, 7), (12, 7), (16, 12)]
