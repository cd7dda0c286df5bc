"""The privacy notice and the code of ethics: loaded into the demo site once, and saying what the code does."""

import pytest
import yaml
from django.test import Client

from content.models import StandardPage
from demo.site import LoadReport, load_policy_pages
from privacy.policy_pages import POLICY_PAGES, policy_page_path
from privacy.retention import RETENTION_YEARS
from tests.factories import site_home

pytestmark = pytest.mark.django_db


def test_both_pages_load_once_and_are_published():
    home = site_home()
    first = LoadReport()
    load_policy_pages(home=home, report=first)
    assert first.created == ["/home/privacy/", "/home/code-of-ethics/"]
    again = LoadReport()
    load_policy_pages(home=home, report=again)
    assert (again.created, again.updated) == ([], [])
    assert set(StandardPage.objects.live().values_list("slug", flat=True)) >= set(POLICY_PAGES)


def test_an_edited_page_is_put_back_to_its_source():
    home = site_home()
    load_policy_pages(home=home, report=LoadReport())
    page = StandardPage.objects.get(slug="privacy")
    page.title = "Edited"
    page.save_revision().publish()
    report = LoadReport()
    load_policy_pages(home=home, report=report)
    assert report.updated == ["/home/privacy/"]
    assert StandardPage.objects.get(slug="privacy").title == "Privacy notice"


def test_the_privacy_page_states_the_retention_rule_the_code_applies(client):
    load_policy_pages(home=site_home(), report=LoadReport())
    html = " ".join(Client().get("/privacy/").content.decode().split())
    assert f"until {RETENTION_YEARS} years after the latest expiry date" in html
    assert f"{RETENTION_YEARS} years after your last" in html
    for link in ('href="/my-data/"', 'href="/my-data/close/"'):
        assert link in html
    for heading in (
        "What we hold",
        "Why we hold it",
        "Who can see it",
        "Downloading your data",
        "Closing your account",
    ):
        assert heading in html


def test_the_privacy_page_says_what_happens_to_name_corrections_and_bulk_check_files(client):
    from bs4 import BeautifulSoup
    from django.conf import settings

    load_policy_pages(home=site_home(), report=LoadReport())
    page = BeautifulSoup(Client().get("/privacy/").content, "html.parser")
    text = " ".join(page.find("main").get_text(" ", strip=True).split()).replace(" ,", ",")
    for said in (
        "Corrections to your name: each time you correct your name, we keep the earlier name with the new one and "
        "the date, for the audit trail of your account. They're in your data download.",
        "we email them your old and new name so they can reissue it.",
        "Your name and the corrections you made to it, username, email addresses, password, two-factor "
        "authentication and signed-in sessions are removed straight away",
        f"the file and its results are deleted {settings.VERIFICATION_JOB_RETENTION_DAYS} days after the check "
        "finishes, or sooner if the organisation deletes them. The record that the organisation checked your "
        "certificate stays with your certificate",
    ):
        assert said in text


def test_the_code_of_ethics_page_is_served():
    load_policy_pages(home=site_home(), report=LoadReport())
    html = Client().get("/code-of-ethics/").content.decode()
    assert "Recovery belongs to the person" in html
    assert "Person-first, respectful language" in html


def test_the_sources_use_only_blocks_a_standard_page_has():
    for slug in POLICY_PAGES:
        source = yaml.safe_load(policy_page_path(slug).read_text(encoding="utf-8"))
        assert {block["type"] for block in source["body"]} <= {"text", "callout"}
        assert source["title"] and source["intro"]
