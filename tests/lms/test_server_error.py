"""The 500 page says where to write, and renders without the database."""

import pytest
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import get_resolver

from lms.roles import TRAINEE
from lms.views import server_error
from tests.factories import UserFactory


@override_settings(CONTACT_EMAIL="help@board.example")
def test_the_500_page_gives_the_contact_address_without_touching_the_database():
    response = server_error(RequestFactory().get("/courses/"))  # no django_db mark: a query would raise
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert '<a href="mailto:help@board.example">help@board.example</a>' in html


@pytest.mark.django_db
@override_settings(CONTACT_EMAIL="help@board.example")
def test_a_page_that_fails_answers_with_it(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("dashboard.views.home_for", broken)
    client.raise_request_exception = False
    client.force_login(UserFactory(roles=[TRAINEE]))
    response = client.get("/dashboard/")
    assert response.status_code == 500
    assert "please write to us at" in response.content.decode() and "help@board.example" in response.content.decode()
    assert get_resolver().resolve_error_handler(500) is server_error
