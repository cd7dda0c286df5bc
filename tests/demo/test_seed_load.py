"""seed_load adds made-up trainees with full practice logs, fast and only once, in the shape the services would."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from certificates.eligibility import programme_eligibility
from certificates.models import Certificate, EthicsAttestation, Programme
from courses.completions import quiz_passes
from courses.models import AttemptQuestion, Enrolment, LessonCompletion, QuizAttempt, QuizPage
from practice.models import Attestation, Batch, Organisation, PracticeEntry, SupervisorProfile
from practice.privacy_screen import privacy_problem
from practice.selectors import review_queue
from practice.services import EntryData, entry_problems

pytestmark = pytest.mark.django_db

TRAINEES = 30  # two supervisors (25 and 5 trainees), two graduates (numbers 0 and 20)


def load_users(prefix: str):
    return get_user_model().objects.filter(username__startswith=prefix).order_by("username")


def seed(count: int, capsys) -> str:
    call_command("seed_load", "--trainees", str(count), "--force")
    return capsys.readouterr().out


def test_seed_load_adds_trainees_supervisors_and_practice_logs_in_every_state(capsys, client):
    out = seed(TRAINEES, capsys)
    assert f"Added {TRAINEES} trainees (0x → 0.6x): now {TRAINEES} load trainees and 2 supervisors; 3000" in out

    trainees, supervisors = load_users("load-trainee-"), load_users("load-supervisor-")
    assert trainees.count() == TRAINEES and supervisors.count() == 2
    assert set(trainees.values_list("groups__name", flat=True)) == {"Trainee"}
    assert set(supervisors.values_list("groups__name", flat=True)) == {"Supervisor"}
    assert SupervisorProfile.objects.filter(user__in=supervisors).count() == 2
    assert not any(user.has_usable_password() for user in [*trainees, *supervisors])
    assert Organisation.objects.filter(assignments__trainee__in=trainees).distinct().count() == 1
    first_supervisor, second_supervisor = supervisors
    assert {a.trainee.username for a in first_supervisor.supervisees.all()} == {
        f"load-trainee-{n:05d}" for n in range(1, 26)
    }
    assert second_supervisor.supervisees.count() == 5

    entries = PracticeEntry.objects.filter(trainee__in=trainees)
    assert entries.count() == TRAINEES * 100
    assert entries.filter(kind="supervision").count() == TRAINEES * 10
    graduates, in_progress = 2, TRAINEES - 2
    assert Counter(entries.values_list("status", flat=True)) == {
        "approved": graduates * 100 + in_progress * 60,
        "returned": in_progress * 5,
        "submitted": in_progress * 20,
        "draft": in_progress * 15,
    }
    approved = entries.filter(status="approved")
    assert not approved.filter(attestation=None).exists()
    assert not approved.exclude(attestation__supervisor=F("assignment__supervisor")).exists()
    assert Attestation.objects.filter(batch__trainee__in=trainees).count() == graduates * 10 + in_progress * 6
    assert not entries.filter(status="returned", return_comment="").exists()
    assert not entries.filter(status="draft").exclude(batch=None).exists()
    waiting = Batch.objects.filter(trainee__in=trainees, status="submitted")
    assert waiting.count() == in_progress * 2
    assert set(waiting.annotate(size=Count("entries")).values_list("size", flat=True)) == {10}
    assert review_queue(supervisor=first_supervisor).count() == 23 * 2  # numbers 0 and 20 are graduates

    today = timezone.localdate()
    assert not entries.filter(performed_on__gt=today).exists()
    assert not entries.filter(performed_on__lt=F("assignment__starts_on")).exists()
    per_day = entries.values("trainee", "performed_on").annotate(n=Count("pk")).filter(n__gt=1)
    assert not per_day.exists()  # one entry a day: nothing overlaps, no day above 24 hours

    assert Enrolment.objects.filter(user__in=trainees).count() == TRAINEES
    assert LessonCompletion.objects.filter(user__in=trainees).count() > TRAINEES * 6
    attempts = QuizAttempt.objects.filter(user__in=trainees)
    assert attempts.filter(passed=True).exists() and attempts.filter(passed=False).exists()
    assert not attempts.filter(status=QuizAttempt.IN_PROGRESS).exists()
    for attempt in attempts.filter(passed=False)[:3]:
        assert attempt.score < attempt.pass_mark and attempt.number == 1
        questions = AttemptQuestion.objects.filter(attempt=attempt).annotate(answers_given=Count("answers"))
        assert questions.count() in (5, 6, 9) and not questions.filter(answers_given=0).exists()  # per attempt
        assert questions.filter(score=0).count() == 2  # the last two answered wrongly

    programme = Programme.objects.get(abbreviation="CPS")
    certificates = Certificate.objects.filter(holder__in=trainees).select_related("holder")
    assert sorted(c.holder.username for c in certificates) == ["load-trainee-00001", "load-trainee-00021"]
    for certificate in certificates:
        assert certificate.number.startswith(f"CPS-{certificate.issued_on.year}-")
        assert certificate.rendering == Certificate.Rendering.PENDING
        assert certificate.status in ("valid", "expired")
        assert all(line["met"] for line in certificate.evidence["requirements"])
        holder = certificate.holder
        assert programme_eligibility(user=holder, programme=programme, on=certificate.issued_on).met
        passes = quiz_passes(user=holder, quiz_ids=list(attempts.values_list("quiz_id", flat=True)))
        assert len(passes) == QuizPage.objects.count() == 15
        assert EthicsAttestation.objects.filter(user=holder, programme=programme).exists()
    part_way = trainees.get(username="load-trainee-00002")
    assert not programme_eligibility(user=part_way, programme=programme, on=today).met

    newest = certificates.get(holder__username="load-trainee-00001")
    answer = client.get(f"/api/v1/verify/{newest.display_code}")
    assert answer.status_code == 200 and answer.json()["status"] == "valid"
    assert answer.json()["holder_name"] == newest.holder.get_full_name()


def test_load_entries_pass_the_services_rules_and_hold_nothing_identifying(capsys, client):
    seed(3, capsys)
    entries = PracticeEntry.objects.filter(trainee__username__startswith="load-trainee-")
    texts = set(entries.values_list("reflection", flat=True)) | set(entries.values_list("topics", flat=True))
    texts |= set(entries.values_list("return_comment", flat=True))
    texts.discard("")
    assert len(texts) > 20
    assert [text for text in texts if privacy_problem(text)] == []

    for trainee in load_users("load-trainee-")[:2]:  # a graduate and a trainee part way
        for entry in entries.filter(trainee=trainee).select_related("assignment").prefetch_related("domains"):
            data = EntryData(
                assignment=entry.assignment,
                performed_on=entry.performed_on,
                minutes=entry.minutes,
                delivery=entry.delivery,
                kind=entry.kind,
                start_time=entry.start_time,
                activity_type=entry.activity_type,
                contact=entry.contact,
                skill=entry.skill,
                domains=list(entry.domains.all()),
                setting=entry.setting,
                session_format=entry.session_format,
                reflection=entry.reflection,
                topics=entry.topics,
            )
            assert entry_problems(trainee=trainee, data=data, entry=entry) == [], entry

    trainee = load_users("load-trainee-").get(username="load-trainee-00002")
    client.force_login(trainee)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Approved practice" in dashboard.content.decode()
    log = client.get("/practice/").content.decode()
    assert "Waiting for review" in log or "Submitted" in log
    client.force_login(load_users("load-supervisor-").get())
    queue = client.get("/practice/review/")
    assert queue.status_code == 200 and trainee.get_full_name() in queue.content.decode()


def test_seed_load_only_adds_what_is_missing(capsys):
    seed(4, capsys)
    counts = (PracticeEntry.objects.count(), Certificate.objects.count(), get_user_model().objects.count())
    assert "Load data is already at 0.08x (4 trainees); nothing changed." in seed(4, capsys)
    assert (PracticeEntry.objects.count(), Certificate.objects.count(), get_user_model().objects.count()) == counts

    out = seed(6, capsys)
    assert "Added 2 trainees (0.08x → 0.12x): now 6 load trainees and 1 supervisor;" in out
    assert PracticeEntry.objects.count() == counts[0] + 200
    assert load_users("load-trainee-").last().username == "load-trainee-00006"
    assert load_users("load-supervisor-").get().supervisees.count() == 6

    with pytest.raises(CommandError, match="already holds 6 load trainees .* seed_load only adds"):
        call_command("seed_load", "--trainees", "5", "--force")


@override_settings(DEBUG=False)
def test_seed_load_refuses_when_debug_is_off():
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        call_command("seed_load", "--trainees", "1")
    assert not load_users("load-trainee-").exists()
