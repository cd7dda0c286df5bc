"""Ways into the audit trails from the Wagtail admin: the menu, the certificate page and the practice listings."""

import pytest
from django.urls import reverse

from lms.roles import PROGRAMME_ADMIN
from practice.services import entries_approve, entries_submit, entry_create
from tests.factories import UserFactory, build_assignment, entry_data, issued_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="robin", first_name="Robin", last_name="Admin", roles=[PROGRAMME_ADMIN]))
    return client


def test_admin_menu_offers_the_audit_trail_to_programme_admins(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Audit trail" in html
    assert reverse("audit_search") in html


def test_certificate_page_links_to_both_trails(admin_client):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    html = admin_client.get(reverse("wagtailsnippets_certificates_certificate:inspect", args=[certificate.pk])).content
    html = html.decode()
    assert f'href="{reverse("audit_certificate", args=[certificate.pk])}"' in html
    assert f'href="{reverse("audit_trainee", args=[certificate.holder_id])}"' in html


@pytest.mark.parametrize("model", ["practiceentry", "batch", "supervisorassignment"])
def test_practice_listings_link_to_the_trainees_trail(admin_client, model):
    assignment = build_assignment()
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    html = admin_client.get(reverse(f"wagtailsnippets_practice_{model}:list")).content.decode()
    assert "Trainee&#x27;s audit trail" in html or "Trainee's audit trail" in html
    assert reverse("audit_trainee", args=[assignment.trainee_id]) in html


def test_reopen_page_links_to_the_trainees_trail(admin_client):
    assignment = build_assignment()
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    html = admin_client.get(reverse("practice_entry_reopen", args=[entry.pk])).content.decode()
    assert f'href="{reverse("audit_trainee", args=[assignment.trainee_id])}"' in html
