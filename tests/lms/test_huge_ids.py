"""Ids too large for the database, in URLs and forms, name nothing: 404 or a form error, never a server error."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import QuizAttemptGrant
from lms.ids import MAX_ID, id_too_large
from tests.factories import UserFactory, build_assignment, build_course, build_quiz
from tests.lms.access_world import all_routes, build_world
from tests.lms.test_access_matrix import SAMPLE_PATHS, address

pytestmark = pytest.mark.django_db

# The first id past a BigAutoField (2**63), and one past an unsigned 64-bit integer too.
HUGE_IDS = (str(MAX_ID + 1), str(2**64))
# A slot in a route that takes a record's id: an integer converter, or a snippet's or Django admin object's key.
INTEGER_SLOT = re.compile(r"<(?:int|id):\w+>|<(?:str|path):(?:pk|object_id)>")
# Where each kind of person is sent with a huge id; Wagtail's own failwhale raises on purpose.
ASKERS = ("trainee", "supervisor", "verifier", "admin", "superuser")
PROJECT_APPS = ("accounts.", "audit.", "certificates.", "content.", "courses.", "lms.", "practice.", "privacy.")
PROJECT_APPS += ("verification.",)
ADMIN_DOORS = ("/admin/", "/django-admin/")  # Wagtail's admin and Django's: each turns away who may not use it


def huge_id_addresses(world, huge: str) -> list[str]:
    """An address for every route that takes an integer, with every integer replaced by `huge`."""
    addresses = []
    for route, _ in all_routes():
        if route in SAMPLE_PATHS:
            if "999999" in SAMPLE_PATHS[route]:
                addresses.append(SAMPLE_PATHS[route].replace("999999", huge))
            continue
        if INTEGER_SLOT.search(route) and "logout" not in route:
            addresses.append(address(INTEGER_SLOT.sub(huge, route), world))
    return addresses


def test_every_url_that_takes_an_id_answers_a_huge_one_without_a_server_error():
    world = build_world()
    world.users["superuser"] = UserFactory(username="walker_root", is_superuser=True, is_staff=True, roles=[])
    clients = {}
    for role in ASKERS:
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(world.users[role])
    # Someone an admin turns away at its door (its home redirects them) is turned away before any view reads an id:
    # they ask each of its addresses once, with one huge id; who gets in asks with every huge id and both methods.
    shut_out = {(role, door) for role in ASKERS for door in ADMIN_DOORS if clients[role].get(door).status_code == 302}
    assert {(role, door) for role in ("trainee", "supervisor", "verifier") for door in ADMIN_DOORS} <= shut_out
    assert not {("admin", "/admin/"), ("superuser", "/admin/"), ("superuser", "/django-admin/")} & shut_out
    problems, asked = [], 0
    for huge in HUGE_IDS:
        for url in huge_id_addresses(world, huge):
            door = next((door for door in ADMIN_DOORS if url.startswith(door)), None)
            for role in ASKERS:
                at_the_door = (role, door) in shut_out
                if at_the_door and huge != HUGE_IDS[0]:
                    continue
                for method in ("get",) if at_the_door else ("get", "post"):
                    response = getattr(clients[role], method)(url)
                    asked += 1
                    if response.status_code >= 500:
                        problems.append(f"{method.upper()} {url} as {role}: {response.status_code}")
                    elif at_the_door and response.status_code != 302:
                        problems.append(f"{method.upper()} {url} as {role}: {response.status_code}, not turned away")
    assert asked > 1000  # the walk reached the Wagtail admin's and our own routes
    assert problems == [], "\n".join(problems)


def test_every_id_in_our_own_urls_goes_through_the_bounded_converter():
    unbounded = [
        route
        for route, pattern in all_routes()
        if "<int:" in route
        and pattern.callback.__module__.startswith(PROJECT_APPS)
        and not route.startswith("admin/snippets/")  # Wagtail writes these routes for our snippet views
        and route != "credentials/status/<int:list_number>/<slug:purpose>.json"  # a list's number, not a row's id
    ]
    assert unbounded == []


def test_the_id_converter_stops_at_the_largest_id():
    assert reverse("course_enrol", args=[MAX_ID]) == f"/learn/courses/{MAX_ID}/enrol/"
    course, lessons = build_course(modules=1, lessons_per_module=1)
    trainee = UserFactory()
    client = Client()
    client.force_login(trainee)
    assert client.post(reverse("course_enrol", args=[MAX_ID])).status_code == 404
    assert client.post(f"/learn/courses/{MAX_ID + 1}/enrol/").status_code == 404
    assert client.post(reverse("course_enrol", args=[course.pk])).status_code == 302


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("url", ["/learn/courses/{}/enrol/", "/learn/lessons/{}/complete/", "/learn/quizzes/{}/start/"])
def test_learning_posts_with_a_huge_id_are_404(huge, url):
    client = Client()
    client.force_login(UserFactory())
    assert client.post(url.format(huge)).status_code == 404


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_quiz_reports_with_a_huge_id_are_404(client, huge):
    client.force_login(UserFactory(is_superuser=True, roles=[]))
    assert client.get(f"/admin/reports/quizzes/{huge}/").status_code == 404
    assert client.post(f"/admin/reports/quizzes/{huge}/grant/", {"user": "1", "reason": "x"}).status_code == 404


def test_granting_an_attempt_to_a_huge_user_id_is_a_form_error(client):
    course, lessons = build_course(modules=1, lessons_per_module=1)
    quiz = build_quiz(lessons[0].get_parent())
    client.force_login(UserFactory(is_superuser=True, roles=[]))
    response = client.post(
        reverse("courses_quiz_grant", args=[quiz.pk]), {"user": str(2**64), "reason": "Illness"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose a trainee from the list." in unescape(response.content.decode())
    assert not QuizAttemptGrant.objects.exists()


@pytest.mark.parametrize("huge", [str(2**64), "9" * 5000])  # more than 4,300 digits: int() itself refuses those
def test_a_practice_entry_naming_a_huge_competency_domain_is_a_form_error(huge):
    assignment = build_assignment()
    client = Client()
    client.force_login(assignment.trainee)
    response = client.post("/practice/entries/new/", {"domains": huge, "assignment": huge})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert f"“{huge}” is not a valid value." in html or f"{huge} is not one of the available choices." in html


def test_leading_zeros_are_still_a_small_id():
    assert not id_too_large("0" * 30 + "42")
    assert id_too_large("0" * 30 + str(MAX_ID + 1))
