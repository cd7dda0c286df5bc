"""The demo site as seed_demo leaves it: seeded once for the module, each test's changes rolled back after it.

The module's one seed_demo is the first run on an empty database (what it printed, and the PDFs it rendered once
committed); tests that need the database empty (refusing without DEBUG) are in test_seed_demo.py.
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from jsonschema import Draft201909Validator
from wagtail.models import Page, PageLogEntry, Revision, Site

from content.models import HomePage
from courses.models import CoursePage, Enrolment, LessonCompletion, LessonPage, ModulePage, QuizAttempt, QuizPage
from tests.demo.test_curriculum import MODULE_FILES
from tests.tasks import capture_on_commit_and_run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_site")]

SCHEMA = Draft201909Validator(
    json.loads(
        (
            Path(__file__).resolve().parents[2] / "certificates/schemas/ob_v3p0_achievementcredential_schema.json"
        ).read_text()
    ),
    format_checker=Draft201909Validator.FORMAT_CHECKER,
)

DEMO_USERNAMES = {"trainee", "supervisor", "verifier", "admin", "graduate", "riley", "casey", "noor"}
CURRICULUM_ORDER = [yaml.safe_load(path.read_text())["slug"] for path in MODULE_FILES]
CERTIFICATE_LINE = re.compile(r"(valid|expired|suspended|revoked|superseded) ((?:[0-9A-Z]{4}-){6}[0-9A-Z]{4}) (\w+)")


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo's first run, in a transaction rolled back after the module's last test; what it printed.

    As outside tests, what it leaves to be done once committed (rendering the certificates' PDFs) is done; images go
    to a temporary folder.
    """
    media = tmp_path_factory.mktemp("demo-media")
    printed = StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        with capture_on_commit_and_run_tasks(execute=True):  # and the tasks they queue, in the production pass
            call_command("seed_demo", "--force", stdout=printed)
        yield printed.getvalue()
        transaction.set_rollback(True)


def test_demo_users_can_log_in_with_the_published_password(client):
    for username in DEMO_USERNAMES:
        assert client.login(username=username, password="peerdemo2026"), username
        client.logout()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.groups.filter(name="Programme admin").exists()


def test_seed_demo_updates_a_page_whose_source_changed(capsys):
    lesson = LessonPage.objects.get(slug="attending")
    original_title = lesson.title
    lesson.title = "Edited by hand"
    lesson.save_revision().publish()
    capsys.readouterr()
    call_command("seed_demo", "--force")
    lesson.refresh_from_db()
    assert lesson.title == original_title
    assert "updated /home/courses/peer-specialist-foundations/active-listening/attending/" in capsys.readouterr().out


def test_demo_pages_render(client):
    for url in [
        "/",
        "/courses/",
        "/courses/peer-specialist-foundations/",
        "/courses/peer-specialist-foundations/validation/",
        "/courses/peer-specialist-foundations/validation/naming-the-feeling/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/courses/peer-specialist-foundations/boundaries/sharing-your-story/").content.decode()
    assert 'class="dialogue"' in html
    assert "Lesson 2 of 4" in html


def test_demo_trainee_dashboard_continues_at_fourth_lesson(client):
    client.login(username="trainee", password="peerdemo2026")
    html = client.get("/dashboard/").content.decode()
    fourth = LessonPage.objects.live().order_by("path")[3]
    assert f'href="{fourth.url}"' in html
    assert "Peer Specialist Foundations" in html


def test_every_demo_module_has_a_quiz_with_enough_original_questions():
    core = {"active-listening", "validation", "boundaries"}
    for module in ModulePage.objects.all():
        quiz = QuizPage.objects.child_of(module).get()
        assert quiz.live and quiz.pass_mark == 80, module.slug
        assert len(quiz.questions) >= (6 if module.slug in core else 4), module.slug
        kinds = {block.value["kind"] for block in quiz.questions}
        assert "single" in kinds
        for block in quiz.questions:
            assert all(choice["rationale"] for choice in block.value["choices"])
            assert block.value["competency"] is not None


def test_demo_question_ids_survive_a_reload():
    before = {quiz.pk: [block.id for block in quiz.questions] for quiz in QuizPage.objects.all()}
    QuizPage.objects.update(pass_mark=70)  # force an update of every quiz from the source
    call_command("seed_demo", "--force")
    after = {quiz.pk: [block.id for block in quiz.questions] for quiz in QuizPage.objects.all()}
    assert after == before
    assert set(QuizPage.objects.values_list("pass_mark", flat=True)) == {80}


def test_demo_attempts():
    trainee = QuizAttempt.objects.filter(user__username="trainee").order_by("number")
    assert [(a.number, a.passed) for a in trainee] == [(1, False), (2, True)]
    graduate = QuizAttempt.objects.filter(user__username="graduate")
    assert graduate.count() == QuizPage.objects.count() == 15
    assert all(attempt.passed and attempt.score == 100 for attempt in graduate)


def test_demo_practice_log_has_every_status_and_the_supervisor_a_queue(client):
    from django.contrib.auth import get_user_model

    from practice.changes import changes_since_return
    from practice.models import PracticeEntry
    from practice.selectors import entries_for_list, review_queue

    trainee = get_user_model().objects.get(username="trainee")
    supervisor = get_user_model().objects.get(username="supervisor")
    statuses = set(PracticeEntry.objects.filter(trainee=trainee).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    assert PracticeEntry.objects.filter(trainee=trainee, kind="supervision", status="approved").exists()
    skills_check, batch = sorted(review_queue(supervisor=supervisor), key=lambda waiting: waiting.entry_count)
    assert skills_check.entry_count == 1 and skills_check.entries.get().skill == "validation"
    assert batch.entry_count >= 3
    waiting = list(entries_for_list(batch.entries.all()))
    (fixed,) = changes_since_return(entries=waiting).values()  # one entry was fixed after a return
    assert {change.label for change in fixed.changes} == {"Competency domains", "Reflection"}
    count = PracticeEntry.objects.count()
    call_command("seed_demo", "--force")
    assert PracticeEntry.objects.count() == count
    client.login(username="supervisor", password="peerdemo2026")
    assert "Alex Morgan" in client.get("/practice/review/").content.decode()


def test_demo_programme_needs_the_course_hours_and_ethics_and_the_trainee_is_part_way(client):
    from decimal import Decimal

    from certificates.eligibility import programme_eligibility
    from certificates.models import Certificate, Programme

    programme = Programme.objects.get(abbreviation="CPS")
    assert str(programme) == "Certified Peer Specialist (CPS)"
    assert programme.issuing_body == "Peer Support Certification Board"
    # The certificate's artwork: the demo's own signature and logo (demo/assets/), both printed on its PDF.
    assert (programme.signature_image.title, programme.signature_image.width) == (
        "Signature of Dr Imani Castellanos (demo)",
        900,
    )
    assert (programme.issuer_logo.title, programme.issuer_logo.height) == (
        "Peer Support Certification Board logo (demo)",
        480,
    )
    assert [course.title for course in programme.required_courses.all()] == ["Peer Specialist Foundations"]
    assert (programme.practice_hours, programme.supervision_hours, programme.renewal_ce_hours) == (
        Decimal(500),
        Decimal(25),
        Decimal(20),
    )
    assert {minimum.domain.slug for minimum in programme.domain_hours.all()} == {
        "advocacy",
        "mentoring-education",
        "recovery-wellness",
        "ethical-responsibility",
    }
    assert programme.ethics_attestation_required and programme.ethics_code_page.url_path == "/home/code-of-ethics/"
    html = client.get("/code-of-ethics/").content.decode()
    assert "Confidentiality, and its limits" in html and "supervision" in html

    trainee = get_user_model().objects.get(username="trainee")
    eligibility = programme_eligibility(user=trainee, programme=programme, on=timezone.localdate())
    assert 0 < eligibility.done < len(eligibility.requirements)
    assert "ethics" in {line.key for line in eligibility.unmet}
    assert not Certificate.objects.filter(holder=trainee).exists()

    # Skills checks: the programme asks for all four; the trainee has listening passed and validation waiting.
    assert programme.skills_checks_required == 4
    skills = next(line for line in eligibility.requirements if line.key == "skills")
    assert (skills.met, skills.summary) == (False, "Observed skills checks: 1 of 4 skills")
    from practice.models import PracticeEntry, SkillsCheckSignOff

    checks = PracticeEntry.objects.filter(trainee=trainee, activity_type="skills_check")
    assert sorted(checks.values_list("skill", "status")) == [("listening", "approved"), ("validation", "submitted")]
    sign_off = SkillsCheckSignOff.objects.get(entry__trainee=trainee)
    assert (sign_off.skill, sign_off.supervisor.username) == ("listening", "supervisor")


def test_a_lesson_lists_the_module_objectives_it_teaches(client):
    html = client.get("/courses/peer-specialist-foundations/boundaries/sharing-your-story/").content.decode()
    assert "In this lesson you will learn to" in html
    assert "Decide when, why and how much of your own story to share" in html
    assert "Tell a boundary crossing apart from a boundary violation" not in html
    html = client.get("/courses/peer-specialist-foundations/boundaries/saying-no-and-supervision/").content.decode()
    assert html.index("Say no to a request in a way") < html.index("Recognize the signs that a boundary question")
    module = ModulePage.objects.get(slug="boundaries")
    assert [(o.text[:20], o.lesson.slug) for o in module.objectives.all()] == [
        ("Tell a boundary cros", "crossings-and-violations"),
        ("Decide when, why and", "sharing-your-story"),
        ("Respond to gifts, re", "gifts-money-social-media"),
        ("Say no to a request ", "saying-no-and-supervision"),
        ("Recognize the signs ", "saying-no-and-supervision"),
    ]


def _counts():
    """How many of each kind of record the demo has."""
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
    first = _counts()  # after the module's first run
    call_command("seed_demo", "--force")
    assert _counts() == first
    assert "Demo content is up to date; nothing changed." in capsys.readouterr().out

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    course = CoursePage.objects.get(title="Peer Specialist Foundations")
    modules = ModulePage.objects.child_of(course).order_by("path")
    assert [m.slug for m in modules] == CURRICULUM_ORDER  # the curriculum's files, in order (test_curriculum.py)
    assert set(get_user_model().objects.values_list("username", flat=True)) >= DEMO_USERNAMES


def test_seed_demo_ends_with_one_line_per_demo_certificate_one_of_each_status(capsys, client, demo_site):
    from certificates.credential_check import credential_check
    from certificates.models import Certificate
    from practice.models import PracticeEntry

    lines = demo_site.splitlines()[-5:]
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
