"""HEAD works wherever GET does: every URL of the table answers HEAD as it answers GET, to everyone, with no body."""

import pytest

from tests.lms.access_world import ROLES, all_routes, build_world
from tests.lms.test_access_matrix import EXPECTED, Asker, address, observed

pytestmark = pytest.mark.django_db


def test_every_url_answers_head_as_it_answers_get():
    world = build_world()
    asker = Asker(world)
    differences, compared = [], 0
    for route, _ in all_routes():
        if route not in EXPECTED or "logout" in route:
            continue
        url = address(route, world)
        for role in ROLES:
            got = asker.get(role, url)
            if got.status_code == 405:  # POST-only: HEAD is refused too
                continue
            head = asker.clients[role].head(url)
            compared += 1
            if observed(head) != observed(got) or head.content:
                differences.append(f"HEAD {url} as {role}: {observed(head)} (GET: {observed(got)})")
    assert compared > 300  # the walk reached every row of the table
    assert differences == [], "\n".join(differences)


def test_the_api_answers_head_with_the_get_answer_s_headers(client, django_user_model):
    from tests.factories import issued_certificate

    certificate = issued_certificate(first_name="Robin", last_name="Asante")
    for url in (f"/api/v1/verify/{certificate.display_code}", "/api/v1/openapi.json", "/api/v1/docs"):
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"], url
    assert client.head("/api/v1/verify/0000-0000").status_code == 404
    assert client.head("/api/v1/verify").status_code == 405  # POST only, like GET
