"""The dashboard's certification section: the checklist, the ethics attestation and the certificate once issued."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, EthicsAttestation
from lms.kept_home import home_changed
from lms.roles import SUPERVISOR
from tests.factories import (
    PASSWORD,
    UserFactory,
    approve_hours,
    approve_programme_hours,
    build_assignment,
    build_programme,
    entry_data,
    supervision_data,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


@pytest.fixture
def assignment():
    """A supervisor assignment for a fresh trainee."""
    return build_assignment()


@pytest.fixture
def signed_in(client, assignment):
    """The test client, signed in as the assignment's trainee."""
    assert client.login(username=assignment.trainee.username, password=PASSWORD)
    return client


def requirement_items(html: str) -> dict[str, str]:
    """Each checklist line's HTML, keyed by its summary text."""
    items = {}
    for item in re.findall(r'<li class="requirement .*?</li>', html, flags=re.S):
        summary = re.search(r'<span class="requirement-text">(.*?)</span>', item).group(1)
        items[summary] = item
    return items


def supervision_sessions(assignment, minutes: int) -> list:
    """Supervision sessions adding up to `minutes`, at most 6 hours a day, on the days before last week."""
    today = timezone.localdate()
    sessions = []
    for day in range(8, 8 + minutes // 360 + 1):
        chunk = min(360, minutes - 360 * len(sessions))
        if chunk > 0:
            sessions.append(supervision_data(assignment, minutes=chunk, performed_on=today - timedelta(days=day)))
    return sessions


def ethics_url(programme) -> str:
    return reverse("ethics_sign", args=[programme.pk])


# The checklist ---------------------------------------------------------------------------------------------


def test_checklist_shows_each_requirement_with_its_summary_and_next_step(signed_in, assignment):
    programme = build_programme(ethics_attestation_required=True, supervision_hours=25)
    approve_hours(assignment, [entry_data(assignment, minutes=90), *supervision_sessions(assignment, 1110)])
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Your certification" in html
    assert html.index("Your certification") < html.index("Your courses")
    items = requirement_items(html)
    assert list(items) == [
        "Approved practice: 1.5 of 4 h",
        "Supervision: 18.5 of 25 h",
        "Code of ethics: not signed yet",
    ]
    assert "Log 2.5 more hours of practice and send them to your supervisor." in items["Approved practice: 1.5 of 4 h"]
    assert f'href="{reverse("practice_log")}"' in items["Approved practice: 1.5 of 4 h"]
    assert "Log 6.5 more hours of supervision sessions." in items["Supervision: 18.5 of 25 h"]
    assert "Read the code of ethics and sign the attestation below." in items["Code of ethics: not signed yet"]
    assert f'href="#ethics-{programme.pk}"' in items["Code of ethics: not signed yet"]
    assert f'id="ethics-{programme.pk}"' in html
    assert "0 of 3 requirements" in html


def test_progress_bars_are_labelled_with_the_figures(signed_in, assignment):
    build_programme(supervision_hours=25)
    approve_hours(assignment, supervision_sessions(assignment, 1110))
    item = requirement_items(signed_in.get(DASHBOARD).content.decode())["Supervision: 18.5 of 25 h"]
    bar = re.search(r'<div class="progress-track" role="progressbar"[^>]*>', item).group(0)
    label_id = re.search(r'aria-labelledby="([^"]+)"', bar).group(1)
    assert f'id="{label_id}"' in item
    assert 'aria-valuenow="74"' in bar
    assert 'aria-valuetext="18.5 of 25 hours complete"' in bar


def test_met_lines_say_done_in_words_and_unmet_lines_say_to_do(signed_in, assignment):
    build_programme()
    approve_hours(assignment, [entry_data(assignment, minutes=300)])
    items = requirement_items(signed_in.get(DASHBOARD).content.decode())
    met, unmet = items["Approved practice: 5 of 4 h"], items["Supervision: 0 of 1 h"]
    assert "is-met" in met and "Done</span>" in met and 'aria-valuenow="100"' in met
    assert "next-step" not in met
    assert "is-unmet" in unmet and "To do</span>" in unmet and 'aria-valuenow="0"' in unmet
    assert "Log 1 more hours of supervision sessions." in unmet


def test_no_active_programme_shows_a_calm_empty_state(signed_in):
    build_programme(is_active=False)
    html = signed_in.get(DASHBOARD).content.decode()
    assert "There's no certification programme open at the moment." in html
    assert 'class="requirement' not in html


def test_supervisors_dashboard_has_no_certification_section(client):
    supervisor = UserFactory(roles=[SUPERVISOR])
    build_programme()
    client.login(username=supervisor.username, password=PASSWORD)
    html = client.get(DASHBOARD).content.decode()
    assert "Your certification" not in html


# The ethics attestation ------------------------------------------------------------------------------------


def test_the_ethics_box_shows_the_statement_the_code_and_the_sign_button(signed_in):
    from content.models import StandardPage
    from tests.factories import site_home

    code = site_home().add_child(instance=StandardPage(title="Code of ethics", slug="code-of-ethics"))
    programme = build_programme(ethics_attestation_required=True, ethics_code_page=code)
    html = signed_in.get(DASHBOARD).content.decode()
    box = html[html.index(f'id="ethics-{programme.pk}"') :]
    assert programme.ethics_statement in box
    assert f'href="{code.url}"' in box
    assert 'type="checkbox" name="agreed"' in box
    assert f'action="{ethics_url(programme)}"' in box
    assert ">Sign</button>" in box


def test_signing_the_ethics_attestation(signed_in, assignment):
    programme = build_programme(ethics_attestation_required=True)
    response = signed_in.post(ethics_url(programme), {"agreed": "on"})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    attestation = EthicsAttestation.objects.get(user=assignment.trainee, programme=programme)
    html = signed_in.get(DASHBOARD).content.decode()
    assert "You&#x27;ve signed the Certified Peer Specialist code of ethics." in html
    assert f'Signed on <time datetime="{attestation.signed_at:%Y-%m-%d}' in html
    assert f"Code of ethics: signed on {attestation.signed_at:%-d %B %Y}" in requirement_items(html)
    assert 'name="agreed"' not in html


def test_an_unticked_box_is_refused_in_place_and_nothing_is_lost(signed_in, assignment):
    programme = build_programme(ethics_attestation_required=True)
    approve_hours(assignment, [entry_data(assignment, minutes=90)])
    response = signed_in.post(ethics_url(programme), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert not EthicsAttestation.objects.exists()
    assert 'class="error-summary" role="alert"' in html
    assert f'href="#ethics-agree-{programme.pk}">Tick the box to show you agree to the code of ethics.' in html
    assert 'aria-invalid="true"' in html
    assert f'id="ethics-error-{programme.pk}"' in html
    assert "Approved practice: 1.5 of 4 h" in html  # the rest of the dashboard is all there
    assert "Your courses" in html


def test_signing_twice_is_harmless(signed_in, assignment):
    programme = build_programme(ethics_attestation_required=True)
    signed_in.post(ethics_url(programme), {"agreed": "on"})
    first = EthicsAttestation.objects.get()
    response = signed_in.post(ethics_url(programme), {"agreed": "on"}, follow=True)
    assert EthicsAttestation.objects.get() == first
    assert (
        f"You signed the Certified Peer Specialist code of ethics on {timezone.localtime(first.signed_at):%-d %B %Y}."
        in (response.content.decode())
    )


def test_signing_the_last_requirement_issues_the_certificate(signed_in, assignment, django_capture_on_commit_callbacks):
    programme = build_programme(ethics_attestation_required=True)
    approve_programme_hours(assignment)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(ethics_url(programme), {"agreed": "on"})
    certificate = Certificate.objects.get(holder=assignment.trainee, programme=programme)
    assert certificate.rendering == Certificate.Rendering.READY
    html = signed_in.get(DASHBOARD).content.decode()
    assert certificate.number in html
    assert reverse("certificate_download", args=[certificate.pk, "a4"]) in html
    assert reverse("certificate_download", args=[certificate.pk, "letter"]) in html
    assert '<ul class="checklist">' not in html  # the checklist gives way to the certificate


def test_a_programme_without_an_attestation_refuses_with_a_message(signed_in):
    programme = build_programme(ethics_attestation_required=False)
    response = signed_in.post(ethics_url(programme), {"agreed": "on"}, follow=True)
    assert "This programme doesn&#x27;t ask for an ethics attestation." in response.content.decode()
    assert not EthicsAttestation.objects.exists()


def test_an_inactive_programme_refuses_with_a_message(signed_in):
    programme = build_programme(ethics_attestation_required=True, is_active=False)
    response = signed_in.post(ethics_url(programme), {"agreed": "on"}, follow=True)
    assert "This programme isn&#x27;t taking new candidates." in response.content.decode()
    assert not EthicsAttestation.objects.exists()


def test_only_signed_in_trainees_can_sign(client):
    programme = build_programme(ethics_attestation_required=True)
    response = client.post(ethics_url(programme), {"agreed": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    supervisor = UserFactory(roles=[SUPERVISOR])
    client.login(username=supervisor.username, password=PASSWORD)
    assert client.post(ethics_url(programme), {"agreed": "on"}).status_code == 403
    assert not EthicsAttestation.objects.exists()


def test_signing_needs_a_post(signed_in):
    programme = build_programme(ethics_attestation_required=True)
    assert signed_in.get(ethics_url(programme)).status_code == 405


# Once a certificate is issued ------------------------------------------------------------------------------


@pytest.fixture
def certified(assignment, django_capture_on_commit_callbacks):
    """The trainee's certificate, issued and rendered."""
    build_programme()
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    return Certificate.objects.get(holder=assignment.trainee)


def test_the_certificate_shows_status_number_expiry_downloads_and_renewal(signed_in, certified):
    html = signed_in.get(DASHBOARD).content.decode()
    assert '<span class="status status-valid">Valid</span>' in html
    assert certified.number in html
    assert f"{certified.expires_on:%-d %B %Y}" in html
    assert "Download PDF (A4)" in html and "Download PDF (US Letter)" in html
    assert reverse("certificate_detail", args=[certified.pk]) in html
    assert "Continuing education: 0 of 2 h" in html
    assert 'aria-valuetext="0 of 2 hours complete"' in html
    opens_on = certified.expires_on - timedelta(days=90)
    assert f'Renewal opens on <time datetime="{opens_on:%Y-%m-%d}">{opens_on:%-d %B %Y}</time>' in html


def test_a_pending_certificate_is_being_prepared(signed_in, assignment, django_capture_on_commit_callbacks):
    from certificates.services import certificate_issue_if_eligible

    programme = build_programme()
    approve_programme_hours(assignment)
    with django_capture_on_commit_callbacks(execute=False):
        certificate_issue_if_eligible(holder=assignment.trainee, programme=programme)
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Your certificate is being prepared." in html
    assert "<progress" in html
    assert "Download PDF" not in html


def test_a_suspended_certificate_shows_the_reason(signed_in, certified):
    from certificates.status_changes import certificate_suspend
    from lms.roles import PROGRAMME_ADMIN

    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    certificate_suspend(by=admin, certificate=certified, reason="A complaint is being looked into.")
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Suspended" in html
    assert "The reason given: A complaint is being looked into." in html
    assert "Continuing education" not in html


# Query counts -----------------------------------------------------------------------------------------------

# The whole dashboard request that works the trainee's section out, measured: 19 with the seven-line checklist below,
# 15 with a certificate and its renewal (one more than before the home's next actions, which count the trainee's
# returned, waiting and draft entries at once); keeping the copy adds the database cache's write (five in a test).
QUERY_BOUND = 25


def _dashboard_queries(client) -> int:
    """Queries of a visit that works the trainee's section out, as the first visit after a change does."""
    client.get(DASHBOARD)  # warm per-process caches (content types, site root paths)
    home_changed(int(client.session["_auth_user_id"]))  # else the kept copy would be used (tests/dashboard)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured)


def _entries(assignment, count: int, start: int = 0):
    today = timezone.localdate()
    return [
        entry_data(assignment, minutes=15, performed_on=today - timedelta(days=1 + (start + n) % 300))
        for n in range(count)
    ]


def test_checklist_queries_do_not_grow_with_approved_entries(signed_in, assignment, django_assert_max_num_queries):
    build_programme(
        practice_hours=500,
        supervision_hours=100,
        ethics_attestation_required=True,
        activity_hours={"individual": 100},
        direct_share_percent=50,
        supervision_ratio_hours=1,
        supervision_ratio_per=10,
    )
    approve_hours(assignment, _entries(assignment, 2))
    small = _dashboard_queries(signed_in)
    approve_hours(assignment, [*_entries(assignment, 60, start=2), supervision_data(assignment, minutes=120)])
    large = _dashboard_queries(signed_in)
    assert small == large, (small, large)
    home_changed(assignment.trainee.pk)
    with django_assert_max_num_queries(QUERY_BOUND):
        signed_in.get(DASHBOARD)


def test_certificate_queries_do_not_grow_with_entries_or_certificates(
    signed_in, certified, assignment, django_assert_max_num_queries
):
    from certificates.services import certificates_check
    from certificates.status_changes import certificate_reissue
    from lms.roles import PROGRAMME_ADMIN

    small = _dashboard_queries(signed_in)
    approve_hours(assignment, _entries(assignment, 40) + [entry_data(assignment, activity_type="training")])
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    newer = certificate_reissue(by=admin, certificate=certified, holder_name="Tam Reyes", reason="Name change")
    certificate_reissue(by=admin, certificate=newer, holder_name="Tam Reyes-Okafor", reason="Name change")
    for _ in range(3):  # other people's certificates make no difference either
        other = build_assignment()
        approve_programme_hours(other)
        certificates_check(holder=other.trainee)
    large = _dashboard_queries(signed_in)
    assert small == large, (small, large)
    home_changed(assignment.trainee.pk)
    with django_assert_max_num_queries(QUERY_BOUND):
        signed_in.get(DASHBOARD)
