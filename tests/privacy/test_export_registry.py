"""The export's sections come from what each app registered, in the order SECTION_ORDER fixes."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from lms import personal_data
from lms.personal_data import ExportSection
from privacy.export import SECTION_ORDER, sections, user_data

pytestmark = pytest.mark.django_db


def test_data_json_keys_follow_section_order(trainee):
    data = user_data(user=trainee)
    assert list(data) == ["about", *SECTION_ORDER]


def test_every_domain_app_registered_its_sections():
    owners = {section.key: section.read.__module__.split(".")[0] for section in sections()}
    assert owners == {
        "account": "accounts",
        "invitations": "accounts",
        "two_factor_authentication": "accounts",
        "site_admin": "accounts",
        "courses": "courses",
        "quizzes": "courses",
        "practice": "practice",
        "supervising": "practice",
        "certificates": "certificates",
        "verifying": "verification",
    }


def test_a_section_registered_but_not_ordered_is_refused(monkeypatch):
    monkeypatch.setattr(personal_data, "_sections", dict(personal_data._sections))
    personal_data.export_section_register(ExportSection("stray", ("courses.Enrolment",), lambda user, people: {}))
    with pytest.raises(ImproperlyConfigured, match="stray"):
        sections()


def test_a_section_ordered_but_not_registered_is_refused(monkeypatch):
    registered = dict(personal_data._sections)
    registered.pop("verifying")
    monkeypatch.setattr(personal_data, "_sections", registered)
    with pytest.raises(ImproperlyConfigured, match="verifying"):
        sections()
