"""/healthz answers without the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_healthz_is_ok_without_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert len(captured) == 0


@pytest.mark.django_db  # a 404 lets Wagtail's redirects middleware look for a redirect
@pytest.mark.parametrize("path", ["/api/", "/api/v1/nothing-here", "/api/v2/verify/ABC", "/api/v1/verify/A/B/C"])
def test_addresses_under_the_api_that_nothing_answers_get_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
def test_uploaded_media_are_served_here_only_under_debug(client, settings, tmp_path):
    (tmp_path / "note.txt").write_text("hello")
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = False
    assert client.get("/media/note.txt").status_code == 404
    settings.DEBUG = True
    response = client.get("/media/note.txt")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
