"""The public certification pages: every live programme, and what one asks for, to anyone, in fixed queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from certificates.models import ProgrammeDomainHours
from practice.models import PracticeEntry
from tests.factories import UserFactory, build_course, build_programme, build_quiz, site_home

pytestmark = pytest.mark.django_db

DOMAINS = {"advocacy": 50, "mentoring-education": 75, "recovery-wellness": 100, "ethical-responsibility": 25}


def full_programme(**overrides):
    """A programme like the demo's: courses, domain and activity minimums, a ratio, a window and renewal."""
    values = {
        "practice_hours": Decimal(500),
        "supervision_hours": Decimal(25),
        "supervision_ratio_hours": Decimal(1),
        "supervision_ratio_per": Decimal(20),
        "direct_share_percent": 50,
        "hours_window_months": 36,
        "ethics_attestation_required": True,
        "validity_months": 24,
        "renewal_ce_hours": Decimal(20),
        "description": "The entry credential for peer specialists.",
    }
    values.update(overrides)
    return build_programme(**values)


def test_anyone_sees_what_a_programme_asks_for(client, settings):
    settings.CONTACT_EMAIL = "board@peers.example.org"
    course, lessons = build_course(title="Peer Specialist Foundations")
    quiz = build_quiz(lessons[0].get_parent(), title="Ethics check")
    full_programme(
        courses=[course],
        quizzes=[quiz],
        domain_hours=DOMAINS,
        activity_hours={PracticeEntry.ActivityType.INDIVIDUAL: 150},
    )
    response = client.get("/certification/cps/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Certified Peer Specialist (CPS)" in page
    assert "<dd>500 hours</dd>" in page
    assert "<dd>25 hours</dd>" in page
    assert "<dd>2 years</dd>" in page
    assert "<dd>20 hours of continuing education</dd>" in page
    assert "1 hour of supervision for every 20 hours of practice" in page
    assert "At least 50% of those hours spent directly with the people you support." in page
    assert "within the last 36 months" in page
    assert '<th scope="row">Recovery and wellness support</th><td data-label="At least">100 hours</td>' in page
    assert '<td data-label="At least">150 hours</td>' in page
    assert f'href="{course.url}">Peer Specialist Foundations</a> (course)' in page
    assert "Ethics check (quiz)" in page
    assert "sign your agreement to practise by it" in page
    assert "Renewal opens 90 days before it expires" in page
    assert "Who may apply" in page and "Supervisors and placements" in page
    assert 'Contact the Peer Support Certification Board at <a href="mailto:board@peers.example.org">' in page
    assert "Create an account to start" in page


def test_a_programme_without_ratio_ethics_or_renewal_says_so(client):
    full_programme(
        supervision_ratio_per=Decimal(0), ethics_attestation_required=False, renewal_ce_hours=0, validity_months=18
    )
    page = client.get("/certification/CPS/").content.decode()
    assert "<dd>18 months</dd>" in page
    assert "of supervision for every" not in page
    assert "No course is required for this programme." in page
    assert "doesn't ask for a signed agreement to a code of ethics" in page
    assert "It doesn't renew on its own" in page


def test_the_list_shows_live_programmes_only_and_links_each(client):
    full_programme()
    build_programme(name="Retired Credential", abbreviation="RC", is_active=False)
    page = client.get(reverse("certification")).content.decode()
    assert 'href="/certification/cps/">Certified Peer Specialist (CPS)</a>' in page
    assert "Retired Credential" not in page
    assert client.get("/certification/rc/").status_code == 404
    assert client.get("/certification/nope/").status_code == 404


def test_with_no_live_programme_the_list_says_whom_to_ask(client, settings):
    settings.CONTACT_EMAIL = "board@peers.example.org"
    page = client.get(reverse("certification")).content.decode()
    assert "No programme is issuing certificates just now." in page
    assert '<a href="mailto:board@peers.example.org">board@peers.example.org</a>' in page


def test_home_page_nav_and_footer_lead_there_and_give_the_contact_address(client, settings):
    settings.CONTACT_EMAIL = "board@peers.example.org"
    site_home()
    page = client.get("/").content.decode()
    assert '<a class="button button-secondary" href="/certification/">How certification works</a>' in page
    assert '<a href="/certification/">Certification</a>' in page
    assert 'Questions? Email <a href="mailto:board@peers.example.org">board@peers.example.org</a>.' in page


def test_a_signed_in_trainee_is_pointed_to_the_dashboard(client):
    full_programme()
    client.force_login(UserFactory())
    page = client.get("/certification/cps/").content.decode()
    assert "See your progress on your dashboard" in page
    assert "Create an account to start" not in page


def test_the_pages_cost_fixed_queries_however_many_courses_and_domains(client, django_assert_num_queries):
    course, _ = build_course(slug="one", title="One")
    programme = full_programme(courses=[course], domain_hours={"advocacy": 5})
    client.get("/certification/cps/")  # the first page with a link to a page caches the site's root paths
    with django_assert_num_queries(PROGRAMME_QUERIES):
        assert client.get("/certification/cps/").status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get("/certification/").status_code == 200

    more_courses = [build_course(slug=f"more-{n}", title=f"More {n}")[0] for n in range(3)]
    programme.required_courses.set([course, *more_courses])
    programme.save()
    for slug, hours in DOMAINS.items():
        if slug != "advocacy":
            ProgrammeDomainHours.objects.create(programme=programme, domain_id=_domain_id(slug), hours=Decimal(hours))
    build_programme(name="Peer Support Associate", abbreviation="PSA")
    with django_assert_num_queries(PROGRAMME_QUERIES):
        page = client.get("/certification/cps/").content.decode()
    assert page.count("(course)</li>") == 4
    assert page.count('<th scope="row">') == 4
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get("/certification/").content.decode()
    assert "Peer Support Associate (PSA)" in page


def _domain_id(slug: str) -> int:
    from content.models import CompetencyDomain

    return CompetencyDomain.objects.get(slug=slug).pk


# The programme with its ethics page; its courses, quizzes, domain and activity minimums; the cached site root paths
# and the site (for the course and ethics links).
PROGRAMME_QUERIES = 7
LIST_QUERIES = 1  # the live programmes


def test_emails_and_the_not_allowed_page_give_the_contact_address(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from lms.mail import email_on_commit

    settings.CONTACT_EMAIL = "board@peers.example.org"
    certificate = {"number": "CPS-2026-000001", "programme": {"issuing_body": "Peer Support Certification Board"}}
    with django_capture_on_commit_callbacks(execute=True):
        email_on_commit(
            template="certificates/emails/certificate_suspended",
            to=["sam@example.org"],
            context={"certificate": certificate, "reason": "A review."},
        )
    assert "contact Peer Support Certification Board at board@peers.example.org." in mailoutbox[0].body

    client.force_login(UserFactory())
    page = client.get("/practice/review/").content.decode()
    assert 'programme administrator at <a href="mailto:board@peers.example.org">board@peers.example.org</a>' in page
