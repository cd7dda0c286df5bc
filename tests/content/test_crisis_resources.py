"""The 'Crisis resources where you work' lesson block shows the numbers set for the lesson's site."""

from html import unescape

import pytest
from django.urls import reverse
from wagtail.models import Site

from content.models import CrisisResources
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis_lesson():
    """A live lesson whose body is some text and the crisis resources box."""
    _, lessons = build_course(modules=1, lessons_per_module=1)
    lesson = lessons[0]
    lesson.body = [("text", "<p>When someone is in danger.</p>"), ("crisis_resources", None)]
    lesson.save_revision().publish()
    return lesson


def _html(client, lesson) -> str:
    response = client.get(lesson.url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_box_shows_the_defaults_and_asks_for_the_local_numbers(client, crisis_lesson):
    html = _html(client, crisis_lesson)
    assert "Crisis resources where you work" in html
    assert "988 — call or text 988, or chat at 988lifeline.org" in html
    assert "<dd>911</dd>" in html
    assert "Local mobile crisis team" not in html
    assert "Your agency's on-call line" not in html
    assert "Ask your supervisor for the local numbers" in html


def test_the_box_shows_the_sites_values_and_hides_empty_ones(client, crisis_lesson):
    site = Site.objects.get(is_default_site=True)
    CrisisResources.objects.update_or_create(
        site=site,
        defaults={
            "national_line": "Samaritans: 116 123",
            "emergency_number": "",
            "mobile_crisis": "County mobile crisis: 555-0100",
            "on_call": "On-call supervisor: 555-0199 (24 hours)",
            "note": "Call the on-call line after any crisis.",
        },
    )
    html = _html(client, crisis_lesson)
    assert "Samaritans: 116 123" in html
    assert "988" not in html
    assert "Someone is in immediate danger" not in html  # the emergency number is empty, so it is not shown
    assert "County mobile crisis: 555-0100" in html
    assert "On-call supervisor: 555-0199 (24 hours)" in html
    assert "Call the on-call line after any crisis." in html
    assert "Ask your supervisor" not in html


def test_an_editor_changes_the_setting_and_the_lesson_shows_it(client, crisis_lesson):
    editor = UserFactory(username="robin", roles=[PROGRAMME_ADMIN])
    client.login(username=editor.username, password=PASSWORD)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["content", "crisisresources", site.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "national_line": "988 — call or text 988, or chat at 988lifeline.org",
            "emergency_number": "911",
            "mobile_crisis": "Riverside mobile crisis team: 555-0142",
            "on_call": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    client.logout()
    html = _html(client, crisis_lesson)
    assert "Riverside mobile crisis team: 555-0142" in html
    assert "Ask your supervisor for the local numbers where you work (your agency's on-call line)" in html


def test_the_curriculum_loads_the_box_from_yaml(client):
    from content.blocks import LessonStreamBlock
    from demo.site import CURRICULUM_DIR, load_yaml, source_stream

    module = load_yaml(CURRICULUM_DIR / "foundations" / "07-crisis.yaml")
    body = next(
        lesson["body"]
        for lesson in module["lessons"]
        if any(block["type"] == "crisis_resources" for block in lesson["body"])
    )
    _, lessons = build_course(modules=1, lessons_per_module=1)
    lesson = lessons[0]
    lesson.body = source_stream(LessonStreamBlock(), body)
    lesson.save_revision().publish()
    html = _html(client, lesson)
    assert "Crisis resources where you work" in html
    assert "988 — call or text 988, or chat at 988lifeline.org" in html
    assert "Write down your local numbers" in html
