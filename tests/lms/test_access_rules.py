"""Every URL in the URLconf states who may use it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import get_resolver, path

from lms.access import PUBLIC, SIGNED_IN, public, role_required, rule_for, signed_in
from lms.roles import SUPERVISOR
from tests.lms.access_world import walk as walk_patterns


def walk(patterns, prefix=""):
    """Yield (route, callback) for every pattern, descending into includes."""
    for route, pattern in walk_patterns(patterns, prefix):
        yield route, pattern.callback


def unruled(urlconf=None):
    """Routes in the URLconf whose view states no access rule."""
    return [route for route, callback in walk(get_resolver(urlconf).url_patterns) if rule_for(route, callback) is None]


def test_every_url_has_an_access_rule():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 100  # the walk reached into Wagtail admin and allauth
    assert unruled() == []


def test_project_views_carry_their_own_rules():
    rules = {route: rule_for(route, callback) for route, callback in walk(get_resolver().url_patterns)}
    assert rules["healthz"] == PUBLIC
    assert rules["dashboard/"] == SIGNED_IN
    assert rules["learn/courses/<id:course_id>/enrol/"] == SIGNED_IN
    assert rules["learn/lessons/<id:lesson_id>/complete/"] == SIGNED_IN


def plain_view(request):
    """A view that states no rule."""
    return HttpResponse("hello")


def ruled_view(request):
    """A view that states a rule."""
    return HttpResponse("hello")


urlpatterns = [path("ruled/", public(ruled_view)), path("forgotten/", plain_view)]


def test_walker_catches_a_url_without_a_rule():
    assert unruled(__name__) == ["forgotten/"]


@pytest.mark.django_db
def test_role_required_sends_anonymous_to_login_and_others_to_403(rf, django_user_model):
    view = role_required(SUPERVISOR)(plain_view)
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = django_user_model.objects.create_user("someone")
    with pytest.raises(PermissionDenied):
        view(request)
    assert view.access_rule == "role: Supervisor"
    assert signed_in(plain_view).access_rule == SIGNED_IN
