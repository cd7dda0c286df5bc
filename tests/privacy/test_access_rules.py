"""Each privacy view states who may use it."""

from django.urls import resolve

from lms.access import PUBLIC, SIGNED_IN, rule_for


def test_every_privacy_view_states_its_access_rule():
    expected = {
        "my-data/": SIGNED_IN,
        "my-data/export.zip": SIGNED_IN,
        "my-data/close/": SIGNED_IN,
        "my-data/closed/": PUBLIC,
    }
    for route, rule in expected.items():
        match = resolve(f"/{route}")
        assert match.app_name == "" and rule_for(route, match.func) == rule, route


def test_the_whole_urlconf_still_has_a_rule_for_every_view():
    from tests.lms.test_access_rules import unruled

    assert unruled() == []
