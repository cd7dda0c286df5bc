"""The trainee's section of the home is kept rendered per person (dashboard/trainee_section.py, lms/kept_home.py) and
used until something it shows changes: each kind of write, done the way the product does it, shows on the very next
visit; the copy is used otherwise, crosses neither people nor sessions, and lasts no longer than the day."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from certificates.models import Certificate, ProgrammeDomainHours
from content.models import CompetencyDomain
from courses.models import Enrolment, LessonPage
from courses.services import (
    enrolment_create,
    lesson_complete,
    lesson_count_as_done_for_finishers,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from dashboard.selectors import trainee_section_for
from dashboard.trainee_section import CSRF_PLACEHOLDER, SECTION_TEMPLATE
from demo.skills import approve_with_rubric
from lms import kept_home
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE
from practice.group import GroupSessionData, group_entry_confirm, group_session_create
from practice.invitations import (
    supervisor_invitation_accept,
    supervisor_invitation_create,
    supervisor_invitation_decline,
    supervisor_invitation_withdraw,
)
from practice.models import Organisation, SupervisorInvitation
from practice.services import batch_withdraw, entries_approve, entries_return, entries_submit, entry_create
from tests.dashboard.test_role_homes import TRAINEE_QUERIES
from tests.factories import (
    PASSWORD,
    UserFactory,
    answer_key,
    approve_programme_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    course_index,
    entry_data,
    skills_check,
    superuser,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


def visit(client) -> tuple[str, bool]:
    """The home's main text, and whether the trainee's section was worked out and rendered on this visit."""
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    rendered = SECTION_TEMPLATE in [template.name for template in response.templates]
    return " ".join(BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ").split()), rendered


def after(client, write) -> str:
    """Visit until the kept copy is in use, make the write, and give the next visit's text (worked out again)."""
    visit(client)
    _, rendered = visit(client)
    assert not rendered, "the second visit should use the kept copy"
    write()
    text, rendered = visit(client)
    assert rendered, "the visit after a change should work the section out again"
    return text


@pytest.fixture
def assignment():
    return build_assignment()


@pytest.fixture
def trainee(assignment):
    return assignment.trainee


@pytest.fixture
def home(client, trainee):
    """A client signed in as the trainee, with a small programme open."""
    build_programme()
    assert client.login(username=trainee.username, password=PASSWORD)
    return client


def ethics_programme():
    """A second programme, which asks for the code of ethics to be signed."""
    return build_programme(name="Peer Support Associate", abbreviation="PSA", ethics_attestation_required=True)


def hours(assignment, minutes=60, days_ago=1):
    return entry_data(assignment, minutes=minutes, performed_on=timezone.localdate() - timedelta(days=days_ago))


# The kept copy is used --------------------------------------------------------------------------------------------


def test_a_second_visit_uses_the_kept_copy_and_renders_nothing_of_the_section(home, trainee, monkeypatch):
    worked_out = []

    def counted(**kwargs):
        worked_out.append(kwargs["user"])
        return trainee_section_for(**kwargs)

    monkeypatch.setattr("dashboard.trainee_section.trainee_section_for", counted)
    first, rendered = visit(home)
    assert rendered and worked_out == [trainee]
    with CaptureQueriesContext(connection) as captured:
        second, rendered = visit(home)
    assert not rendered and worked_out == [trainee]
    assert second == first
    assert len(captured) == TRAINEE_QUERIES  # the session, the user, their roles, one cache read
    (read,) = [query["sql"] for query in captured if "lms_cache" in query["sql"]]
    assert "page-tree-version" in read and f"home-version:{trainee.pk}" in read and f"home-kept:{trainee.pk}" in read


def test_with_the_invalidation_disconnected_a_write_would_not_show(home, assignment, monkeypatch):
    """The guard for every test below: the kept copy really is what they see, unless a write ends it."""
    visit(home)
    monkeypatch.setattr(kept_home, "_new_versions", lambda user_ids: None)
    entry_create(trainee=assignment.trainee, data=hours(assignment))
    text, rendered = visit(home)
    assert not rendered
    assert "draft entry not sent" not in text


def test_a_write_while_the_section_is_worked_out_leaves_a_copy_already_out_of_date(home, assignment, monkeypatch):
    """The versions are read before the section is, so a copy made from what was there before a write isn't used."""

    def with_a_write_meanwhile(**kwargs):
        section = trainee_section_for(**kwargs)
        entry_create(trainee=assignment.trainee, data=hours(assignment))  # another request's write, committed now
        return section

    monkeypatch.setattr("dashboard.trainee_section.trainee_section_for", with_a_write_meanwhile)
    text, rendered = visit(home)
    assert rendered and "draft entry" not in text  # worked out from before the write, and kept
    monkeypatch.undo()
    text, rendered = visit(home)
    assert rendered and "1 draft entry not sent to your supervisor yet." in text


def test_the_copy_never_crosses_people(client):
    build_programme()
    first, second = build_assignment(), build_assignment()
    entry_create(trainee=first.trainee, data=hours(first))
    other = Client()
    client.force_login(first.trainee)
    other.force_login(second.trainee)
    for _ in range(2):
        mine, _ = visit(client)
        theirs, _ = visit(other)
        assert "1 draft entry not sent" in mine
        assert "draft entry" not in theirs
        assert f"You'll sign as {first.trainee.get_full_name()}" not in theirs


def test_a_copy_made_for_one_host_is_not_used_for_another(home, trainee):
    """Page links depend on the site the host names: a copy is kept for the host it was made for."""
    course_page, _ = build_course(modules=1, lessons_per_module=1, slug="listening", title="Listening")
    enrolment_create(user=trainee, course=course_page)
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=course_index(), site_name="Courses only")
    for host, link in (("testserver", 'href="/courses/listening/"'), ("127.0.0.1", 'href="/listening/"')):
        response = home.get(DASHBOARD, HTTP_HOST=host)
        assert SECTION_TEMPLATE in [template.name for template in response.templates]
        assert link in response.content.decode()
        response = home.get(DASHBOARD, HTTP_HOST=host)
        assert SECTION_TEMPLATE not in [template.name for template in response.templates]
        assert link in response.content.decode()


# The ethics form carries each session's own CSRF token -------------------------------------------------------------


def test_the_ethics_form_from_a_kept_copy_posts_from_another_session_of_the_same_person(trainee):
    programme = build_programme(ethics_attestation_required=True)
    laptop, phone = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    laptop.force_login(trainee)
    phone.force_login(trainee)
    assert SECTION_TEMPLATE in [t.name for t in laptop.get(DASHBOARD).templates]  # worked out and kept
    response = phone.get(DASHBOARD)
    assert SECTION_TEMPLATE not in [t.name for t in response.templates]  # the kept copy
    html = response.content.decode()
    assert CSRF_PLACEHOLDER not in html
    sign = reverse("ethics_sign", args=[programme.pk])
    form = BeautifulSoup(html, "html.parser").select_one(f'form[action="{sign}"]')
    token = form.select_one('input[name="csrfmiddlewaretoken"]')["value"]
    response = phone.post(sign, {"agreed": "on", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    text, _ = visit(phone)
    assert "Code of ethics: signed on" in text


def test_a_refused_attestation_is_shown_once_and_never_kept(home, trainee):
    programme = ethics_programme()
    visit(home)
    response = home.post(reverse("ethics_sign", args=[programme.pk]), {})
    assert response.status_code == 400
    assert "Tick the box to show you agree to the code of ethics." in response.content.decode()
    text, _ = visit(home)
    assert "Tick the box" not in text
    assert "There's one thing to check" not in text


# Practice entries: log, submit, withdraw, approve, return; group sessions -----------------------------------------


def test_logging_an_entry(home, assignment):
    text = after(home, lambda: entry_create(trainee=assignment.trainee, data=hours(assignment)))
    assert "1 draft entry not sent to your supervisor yet." in text


def test_submitting_and_withdrawing(home, assignment):
    entry = entry_create(trainee=assignment.trainee, data=hours(assignment))
    batches = []
    text = after(home, lambda: batches.extend(entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])))
    assert "1 entry waiting for your supervisor's review." in text and "draft entry" not in text
    text = after(home, lambda: batch_withdraw(trainee=assignment.trainee, batch_id=batches[0].pk))
    assert "1 draft entry not sent to your supervisor yet." in text and "waiting for your supervisor" not in text


def test_approving_and_returning(home, assignment):
    """Both write in bulk (no signal): the services end the copy themselves."""
    first = entry_create(trainee=assignment.trainee, data=hours(assignment, days_ago=1))
    second = entry_create(trainee=assignment.trainee, data=hours(assignment, days_ago=2))
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[first.pk, second.pk])
    assert "Approved practice: 0 of 4 h" in visit(home)[0]
    supervisor = assignment.supervisor
    text = after(
        home, lambda: entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True, entry_ids=[first.pk])
    )
    assert "Approved practice: 1 of 4 h" in text
    text = after(
        home,
        lambda: entries_return(
            supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[second.pk], comment="Add the setting."
        ),
    )
    assert "1 entry returned by your supervisor, with a note on what to change." in text


def test_a_skills_check_signed_off_with_its_rubric(home, assignment):
    build_programme(name="Peer Support Associate", abbreviation="PSA", skills_checks_required=2)
    entry = skills_check(assignment, "listening", approve=False)
    entry.refresh_from_db()  # sent, in a batch of its own
    assert "Observed skills checks: 0 of 2 skills" in visit(home)[0]
    text = after(home, lambda: approve_with_rubric(supervisor=assignment.supervisor, batch=entry.batch))
    assert "Observed skills checks: 1 of 2 skills" in text


def test_a_group_session_to_confirm_then_confirmed(home, assignment):
    data = GroupSessionData(
        trainee_ids=[assignment.trainee_id],
        performed_on=timezone.localdate() - timedelta(days=1),
        start_time=None,
        minutes=60,
        delivery="in_person",
        topics="Boundaries on the warm line.",
    )
    text = after(home, lambda: group_session_create(supervisor=assignment.supervisor, data=data))
    assert "1 group supervision session from your supervisor to confirm." in text
    assert "Supervision: 0 of 1 h" in text
    entry = assignment.trainee.practice_entries.get()
    text = after(home, lambda: group_entry_confirm(trainee=assignment.trainee, entry_id=entry.pk))
    assert "to confirm" not in text
    assert "Supervision: 1 of 1 h" in text


# Invitations to link up: sent, answered, withdrawn, expired --------------------------------------------------------


@pytest.fixture
def invited(client):
    """A supervisor, a placement and a signed-in trainee holding the invited address verified."""
    supervisor = UserFactory(first_name="Sam", last_name="Okafor", roles=[SUPERVISOR])
    trainee = UserFactory(email="nia@example.org")
    EmailAddress.objects.create(user=trainee, email=trainee.email, verified=True, primary=True)
    client.force_login(trainee)
    return supervisor, Organisation.objects.create(name="Harbour Peer Centre"), trainee


def invite(supervisor, placement):
    return supervisor_invitation_create(
        supervisor=supervisor, email="nia@example.org", organisation=placement, starts_on=timezone.localdate()
    )


def test_an_invitation_sent_then_declined(client, invited):
    supervisor, placement, trainee = invited
    made = []
    text = after(client, lambda: made.append(invite(supervisor, placement)))
    assert "Sam Okafor invited you to link up at Harbour Peer Centre." in text
    text = after(client, lambda: supervisor_invitation_decline(person=trainee, invitation_id=made[0].pk))
    assert "invited you to link up" not in text


def test_an_invitation_accepted_or_withdrawn(client, invited):
    supervisor, placement, trainee = invited
    first = invite(supervisor, placement)
    assert "invited you to link up" in visit(client)[0]
    text = after(client, lambda: supervisor_invitation_accept(person=trainee, invitation_id=first.pk))
    assert "invited you to link up" not in text
    other = UserFactory(first_name="Ada", last_name="Byrne", roles=[SUPERVISOR])
    second = invite(other, placement)
    assert "Ada Byrne invited you to link up" in visit(client)[0]
    text = after(client, lambda: supervisor_invitation_withdraw(supervisor=other, invitation_id=second.pk))
    assert "invited you to link up" not in text


def test_an_address_verified_later_brings_its_invitation(client, invited):
    supervisor, placement, trainee = invited
    address = trainee.emailaddress_set.get()
    address.verified = False
    address.save()
    invite(supervisor, placement)

    def verify():
        address.verified = True
        address.save()

    assert "invited you to link up" in after(client, verify)


def test_the_supervisors_and_the_placements_names_on_an_invitation_follow_their_changes(client, invited):
    supervisor, placement, _ = invited
    invite(supervisor, placement)
    assert "Sam Okafor invited you" in visit(client)[0]

    def rename_supervisor():
        supervisor.last_name = "Okafor-Reyes"
        supervisor.save()

    def rename_placement():
        placement.name = "Harbour Peer Support Centre"
        placement.save()

    assert "Sam Okafor-Reyes invited you" in after(client, rename_supervisor)
    assert "at Harbour Peer Support Centre." in after(client, rename_placement)


def test_a_copy_lasts_no_longer_than_the_first_invitation_shown(client, invited):
    supervisor, placement, _ = invited
    invitation = invite(supervisor, placement)
    expires_at = timezone.now() + kept_home.KEPT_AT_MOST / 2  # sooner than a copy's own end
    SupervisorInvitation.objects.filter(pk=invitation.pk).update(expires_at=expires_at)  # before any copy is made
    visit(client)
    with time_machine.travel(expires_at - timedelta(seconds=1), tick=False):
        text, rendered = visit(client)
        assert not rendered and "invited you to link up" in text
    with time_machine.travel(expires_at, tick=False):
        text, rendered = visit(client)
        assert rendered and "invited you to link up" not in text


def test_a_copy_is_used_for_ten_minutes_at_most_even_with_no_write(home):
    """A write the registrations can't see (made by hand in the database, or by a writer that died before its second
    token) shows within KEPT_AT_MOST."""
    kept_at_most = kept_home.KEPT_AT_MOST
    assert kept_at_most == timedelta(minutes=10)
    made_at = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))  # far from the day's end
    with time_machine.travel(made_at, tick=False):
        visit(home)
        assert not visit(home)[1]
    with time_machine.travel(made_at + kept_at_most - timedelta(seconds=1), tick=False):
        assert not visit(home)[1]
    with time_machine.travel(made_at + kept_at_most, tick=False):
        assert visit(home)[1]


# A record moved from one person to another: both homes change ------------------------------------------------------


def test_an_enrolment_moved_to_another_person_in_the_admin_leaves_the_first_persons_home(home, trainee, course):
    course_page, _ = course
    enrolment, _ = enrolment_create(user=trainee, course=course_page)
    other = UserFactory()
    admin = Client()
    admin.force_login(superuser())
    edit = f"/admin/snippets/courses/enrolment/edit/{enrolment.pk}/"

    def move_it():
        response = admin.post(edit, {"user": other.pk, "course": course_page.pk})
        assert response.status_code == 302, response.content.decode()[:2000]

    assert "A course" in visit(home)[0]
    text = after(home, move_it)
    assert Enrolment.objects.get().user == other
    assert "You're not enrolled in any courses yet." in text and "A course" not in text


def test_an_address_moved_to_another_account_in_the_django_admin_takes_its_invitations_along(client, invited):
    supervisor, placement, trainee = invited
    invite(supervisor, placement)
    other = UserFactory()
    address = trainee.emailaddress_set.get()
    admin = Client()
    admin.force_login(superuser())
    change = f"/django-admin/account/emailaddress/{address.pk}/change/"

    def move_it():
        response = admin.post(change, {"email": address.email, "user": other.pk, "verified": "on", "_save": "Save"})
        assert response.status_code == 302, response.content.decode()[:2000]

    assert "Sam Okafor invited you to link up" in visit(client)[0]
    text = after(client, move_it)
    assert EmailAddress.objects.get().user == other
    assert "invited you to link up" not in text


# Courses: enrolment, lessons, quizzes; pages published, unpublished, moved ----------------------------------------


@pytest.fixture
def course():
    return build_course(modules=1, lessons_per_module=2)


def test_enrolling_and_completing_a_lesson(home, trainee, course):
    course_page, lessons = course
    text = after(home, lambda: enrolment_create(user=trainee, course=course_page))
    assert "A course: next up, Lesson 1.1. Start the first lesson" in text
    text = after(home, lambda: lesson_complete(user=trainee, lesson=lessons[0]))
    assert "A course: next up, Lesson 1.2. Continue where you left off" in text
    assert "Course progress 1 of 2 steps · 50%" in text


def test_attempting_then_passing_a_quiz(home, trainee, course):
    course_page, lessons = course
    quiz = build_quiz(lessons[0].get_parent())
    enrolment_create(user=trainee, course=course_page)
    attempts = []
    text = after(home, lambda: attempts.append(quiz_attempt_start(user=trainee, quiz=quiz)[0]))
    assert "Module quiz 0 – none yet In progress" in text
    text = after(home, lambda: quiz_attempt_submit(attempt=attempts[0], answers=answer_key(attempts[0], right=False)))
    assert "Module quiz 1 0% Not passed yet" in text

    def pass_it():
        attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
        quiz_attempt_submit(attempt=attempt, answers=answer_key(attempt))

    assert "Module quiz 2 100% Passed" in after(home, pass_it)


def test_a_lesson_published_unpublished_and_moved(home, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    module = lessons[0].get_parent()
    text = after(home, lambda: module.add_child(instance=LessonPage(title="Lesson 1.3", slug="lesson-3", body=[])))
    assert "Course progress 0 of 3 steps" in text
    text = after(home, lambda: lessons[1].unpublish())
    assert "Course progress 0 of 2 steps" in text
    other, _ = build_course(modules=1, lessons_per_module=1, slug="other", title="Another course")
    new = LessonPage.objects.get(slug="lesson-3")
    text = after(home, lambda: new.move(other.get_children().first(), pos="last-child"))
    assert "Course progress 0 of 1 steps" in text and "next up, Lesson 1.1" in text


def test_a_new_lesson_counted_as_done_for_those_who_had_finished(home, trainee, course):
    """Counting it writes completions in bulk (no signal): the service ends their copies itself."""
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    for lesson in lessons:
        lesson_complete(user=trainee, lesson=lesson)
    new = lessons[0].get_parent().add_child(instance=LessonPage(title="Lesson 1.3", slug="lesson-3", body=[]))
    assert "Course progress 2 of 3 steps" in visit(home)[0]
    text = after(home, lambda: lesson_count_as_done_for_finishers(lesson=new))
    assert "Course progress 3 of 3 steps · 100%" in text


# Certification: ethics, issue, suspend, reinstate, revoke, expiry, programme minimums ------------------------------


def test_signing_the_code_of_ethics(home, trainee):
    programme = ethics_programme()
    text = after(home, lambda: home.post(reverse("ethics_sign", args=[programme.pk]), {"agreed": "on"}))
    assert "Code of ethics: signed on" in text


def test_a_certificate_issued_prepared_then_ready(home, assignment, django_capture_on_commit_callbacks):
    from certificates.models import Programme
    from certificates.pdf_storage import certificate_render
    from certificates.services import certificate_issue_if_eligible

    approve_programme_hours(assignment)
    programme = Programme.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        text = after(home, lambda: certificate_issue_if_eligible(holder=assignment.trainee, programme=programme))
    assert "Your certificate is being prepared." in text
    certificate = Certificate.objects.get()
    text = after(home, lambda: certificate_render(certificate_id=certificate.pk))
    assert "Download PDF (A4)" in text and certificate.number in text


@pytest.fixture
def certified(home, assignment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    return Certificate.objects.get(holder=assignment.trainee)


def test_a_certificate_suspended_reinstated_and_revoked(home, certified):
    from certificates.status_changes import certificate_reinstate, certificate_revoke, certificate_suspend

    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    assert "Status Valid" in visit(home)[0]
    text = after(home, lambda: certificate_suspend(by=admin, certificate=certified, reason="A complaint."))
    assert "Status Suspended" in text and "The reason given: A complaint." in text
    text = after(home, lambda: certificate_reinstate(by=admin, certificate=certified, reason="Resolved."))
    assert "Status Valid" in text
    text = after(home, lambda: certificate_revoke(by=admin, certificate=certified, reason="Misconduct."))
    assert "Status Revoked" in text and "Your certificate has been revoked" in text


def test_a_certificate_expires_when_the_date_passes(home, trainee, certified):
    last_day = timezone.make_aware(datetime.combine(certified.expires_on, datetime.min.time())) + timedelta(hours=23)
    with time_machine.travel(last_day, tick=False):
        home.force_login(trainee)  # the session from two years before has ended
        visit(home)
        text, rendered = visit(home)
        assert not rendered and "Status Valid" in text
    with time_machine.travel(last_day + timedelta(hours=1), tick=False):
        text, rendered = visit(home)
        assert rendered and "Status Expired" in text and "Expired on" in text


def test_a_programme_minimum_changed(home):
    from certificates.models import Programme

    programme = Programme.objects.get()

    def more_practice():
        programme.practice_hours = Decimal(6)
        programme.save()

    assert "Approved practice: 0 of 6 h" in after(home, more_practice)
    domain = CompetencyDomain.objects.first()
    text = after(home, lambda: ProgrammeDomainHours.objects.create(programme=programme, domain=domain, hours=2))
    assert f"{domain.name}: 0 of 2 h" in text


def test_a_person_or_a_placement_deleted_is_not_asked_about_again_once_gone(django_capture_on_commit_callbacks):
    """Whom a deleted record reached is worked out as it goes; after the commit it has no id to look anyone up by."""
    supervisor = UserFactory(roles=[SUPERVISOR])
    placement = Organisation.objects.create(name="Closed Centre")
    renamed = UserFactory(roles=[SUPERVISOR])
    with django_capture_on_commit_callbacks(execute=True) as committed:
        supervisor.delete()
        placement.delete()
        renamed.last_name = "Reyes"
        renamed.save()  # saved, then deleted before the commit
        renamed.delete()
    assert committed


# The person: their name and roles; and what the copy is made with ------------------------------------------------


def test_a_name_corrected(home, trainee):
    from accounts.services import user_name_change

    programme = ethics_programme()
    assert reverse("ethics_sign", args=[programme.pk]) in home.get(DASHBOARD).content.decode()
    text = after(home, lambda: user_name_change(user=trainee, first_name="Tamsin", last_name="Reyes"))
    assert "You'll sign as Tamsin Reyes." in text


def test_signing_in_on_another_device_keeps_the_copy(home, trainee):
    """Signing in saves only the account's last_login, which no home shows."""
    visit(home)
    other_device = Client()
    assert other_device.login(username=trainee.username, password=PASSWORD)
    _, rendered = visit(other_device)
    assert not rendered


def test_a_role_removed_then_added(home, trainee):
    trainees = Group.objects.get(name=TRAINEE)
    trainee.groups.remove(trainees)
    text, _ = visit(home)
    assert "What to do next" not in text and "Your certification" not in text
    trainees.user_set.add(trainee)
    text, rendered = visit(home)
    assert rendered and "What to do next" in text


def test_a_copy_made_with_another_contact_address_is_not_used(home, certified):
    from certificates.status_changes import certificate_suspend

    certificate_suspend(by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certified, reason="A complaint.")
    with override_settings(CONTACT_EMAIL="help@board.example"):
        visit(home)
        assert not visit(home)[1]
    with override_settings(CONTACT_EMAIL="team@board.example"):
        text, rendered = visit(home)
        assert rendered and "team@board.example" in text


def test_forgetting_the_kept_copies_ends_every_home(home, trainee):
    """After a restore (scripts/restore.sh runs it) the shared cache may hold copies of records the database no longer
    has, under versions that still match: the command gives the page tree, which every copy is checked against, a
    new version."""
    other = Client()
    other.force_login(UserFactory())
    for client in (home, other):
        visit(client)
        assert not visit(client)[1]
    call_command("forget_kept_copies", stdout=(said := io.StringIO()))
    assert "Every kept copy" in said.getvalue()
    for client in (home, other):
        assert visit(client)[1]
