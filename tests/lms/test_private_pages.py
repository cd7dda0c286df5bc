"""A page made for one visitor (it read their session or CSRF cookie) tells shared caches not to keep it."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_a_trainees_home_is_private_every_time_it_is_served(trainee_client):
    for _ in range(2):  # made, then the kept copy (lms/kept_home.py)
        response = trainee_client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert "Cookie" in response["Vary"]
        assert response["Cache-Control"] == "private"


@pytest.mark.django_db
def test_a_page_carrying_the_visitors_csrf_token_is_private(client):
    response = client.get(reverse("verify"))
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert response["Cache-Control"] == "private"


@pytest.mark.django_db
def test_a_page_an_anonymous_visitor_gets_without_a_session_stays_shareable(client):
    response = client.get("/")
    assert response.status_code == 200 and "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.has_header("Cache-Control")


@pytest.mark.django_db
def test_a_views_own_cache_control_is_left_as_it_is(trainee_client):
    response = trainee_client.get("/my-data/export.zip")  # the view's own: private, no-store
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_signing_out_is_private_though_the_session_has_ended(trainee_client):
    signed_out = trainee_client.post(reverse("account_logout"))
    assert signed_out.status_code == 302 and "messages" in signed_out.cookies  # "You've logged out", for this visitor
    assert signed_out["Cache-Control"] == "private"
