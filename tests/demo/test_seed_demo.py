"""seed_demo loads the demo site once; running it again changes nothing."""

import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from jsonschema import Draft201909Validator
from wagtail.models import Page, PageLogEntry, Revision, Site

from content.models import HomePage
from courses.models import CoursePage, Enrolment, LessonCompletion, ModulePage, QuizAttempt
from demo.site import objective_source

pytestmark = pytest.mark.django_db

SCHEMA = Draft201909Validator(
    json.loads(
        (
            Path(__file__).resolve().parents[2] / "certificates/schemas/ob_v3p0_achievementcredential_schema.json"
        ).read_text()
    ),
    format_checker=Draft201909Validator.FORMAT_CHECKER,
)

DEMO_USERNAMES = {"trainee", "supervisor", "verifier", "admin", "graduate", "riley", "casey", "noor"}
CERTIFICATE_LINE = re.compile(r"(valid|expired|suspended|revoked|superseded) ((?:[0-9A-Z]{4}-){6}[0-9A-Z]{4}) (\w+)")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The demo's images (the certificate's signature and logo) go to a temporary MEDIA_ROOT, not var/media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "log entries": PageLogEntry.objects.count(),
        "users": get_user_model().objects.count(),
        "enrolments": Enrolment.objects.count(),
        "completions": LessonCompletion.objects.count(),
        "emails": EmailAddress.objects.count(),
        "quiz attempts": QuizAttempt.objects.count(),
    }


def test_seed_demo_builds_the_site_and_is_idempotent(capsys):
    call_command("seed_demo", "--force")
    first = _counts()
    call_command("seed_demo", "--force")
    assert _counts() == first
    assert "Demo content is up to date; nothing changed." in capsys.readouterr().out

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    course = CoursePage.objects.get(title="Peer Specialist Foundations")
    modules = ModulePage.objects.child_of(course).order_by("path")
    assert [m.slug for m in modules] == [
        "foundations",
        "active-listening",
        "validation",
        "boundaries",
        "ethics",
        "recovery-language",
        "crisis",
        "self-care",
        "trauma-informed",
        "recovery-planning",
        "cultural-humility",
        "motivational-interviewing",
        "harm-reduction",
        "advocacy",
        "teamwork",
    ]
    assert set(get_user_model().objects.values_list("username", flat=True)) >= DEMO_USERNAMES


@override_settings(DEBUG=False)
def test_seed_demo_refuses_when_debug_is_off():
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="trainee").exists()


def test_seed_demo_ends_with_one_line_per_demo_certificate_one_of_each_status(
    capsys, client, django_capture_on_commit_callbacks
):
    from certificates.credential_check import credential_check
    from certificates.models import Certificate
    from practice.models import PracticeEntry

    with django_capture_on_commit_callbacks(execute=True):  # as outside tests: render the PDFs once committed
        call_command("seed_demo", "--force")
    lines = capsys.readouterr().out.splitlines()[-5:]
    matches = [CERTIFICATE_LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    assert [(match[1], match[3]) for match in matches] == [
        ("valid", "graduate"),
        ("expired", "riley"),
        ("suspended", "noor"),
        ("revoked", "casey"),
        ("superseded", "noor"),
    ]
    certificates = {c.display_code: c for c in Certificate.objects.select_related("holder")}
    assert sorted(certificates) == sorted(match[2] for match in matches)  # every demo certificate, each once
    printed = {match[1]: certificates[match[2]] for match in matches}

    graduate = printed["valid"]
    assert graduate.status == "valid" and graduate.holder_name == "María José Fernández-Núñez"
    assert graduate.rendering == Certificate.Rendering.READY
    assert sorted(graduate.files.values_list("paper", flat=True)) == ["a4", "letter"]
    assert all(line["met"] for line in graduate.evidence["requirements"])
    riley = printed["expired"]
    assert riley.status == "expired" and riley.expires_on < timezone.localdate() < riley.issued_on.replace(
        year=riley.issued_on.year + 3
    )
    assert riley.evidence["hours"]["practice"] == "514"  # 64 eight-hour shifts and four half-hour skills checks
    assert riley.evidence["hours"]["by_activity"]["training"] == "24"
    assert riley.evidence["skills_checks_passed"] == ["boundaries", "crisis_handoff", "listening", "validation"]
    casey = printed["revoked"]
    assert casey.status == "revoked" and "could not confirm" in casey.state_reason
    noor_first, noor_now = printed["superseded"], printed["suspended"]
    assert (noor_first.holder_name, noor_now.holder_name) == ("Nour Hadad", "Noor Haddad")
    assert noor_now.replaces == noor_first and "misspelt" in noor_first.state_reason
    assert "complaint" in noor_now.state_reason
    assert noor_first.issued_on < noor_now.issued_on == timezone.localdate()

    # The file check agrees, and the first credential of noor's answers for the reissue that replaced it.
    checked = {"valid": "valid", "expired": "expired", "suspended": "suspended", "revoked": "revoked"}
    checked["superseded"] = "suspended"
    for status, certificate in printed.items():
        credential = json.loads(client.get(f"/credentials/{certificate.display_code}.json").content)
        assert credential_check(credential).outcome == checked[status]
        assert credential["validFrom"][:10] == certificate.issued_on.isoformat() <= credential["validUntil"][:10]
        assert SCHEMA.is_valid(credential), status

    entries = PracticeEntry.objects.count()
    call_command("seed_demo", "--force")
    assert capsys.readouterr().out.splitlines()[-5:] == lines
    assert Certificate.objects.count() == 5
    assert PracticeEntry.objects.count() == entries


def test_a_plain_text_objective_still_loads_without_a_lesson():
    assert objective_source("  Listen first. ", {}) == ("Listen first.", None)
    assert objective_source({"text": "Listen.", "lesson": "gone"}, {}) == ("Listen.", None)
