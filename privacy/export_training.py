"""The export's training sections: courses, quizzes, practice and supervising."""

from collections import defaultdict

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Prefetch
from django.utils.html import strip_tags

from courses.models import AttemptQuestion, Enrolment, LessonCompletion, QuizAttempt, QuizAttemptGrant, QuizPage
from lms.names import display_name
from practice.models import (
    Attestation,
    Batch,
    PracticeEntry,
    SupervisorAssignment,
    SupervisorProfile,
    SupervisorRequest,
)
from privacy.people import People, change_of


def read_courses(user: AbstractBaseUser, people: People) -> dict:
    """Enrolments and completed lessons."""
    enrolments = Enrolment.objects.filter(user=user).select_related("course")
    completions = LessonCompletion.objects.filter(user=user).select_related("lesson").order_by("completed_at", "pk")
    return {
        "enrolments": [{"course": e.course.title, "enrolled_at": e.enrolled_at} for e in enrolments],
        "lessons_completed": [{"lesson": c.lesson.title, "completed_at": c.completed_at} for c in completions],
    }


def _attempt_question(question: AttemptQuestion, *, show_marks: bool) -> dict:
    """A question as the person saw it, with their answers; never the answer key or the reasoning."""
    chosen = {answer.choice_key for answer in question.answers.all()}
    data = {
        "position": question.position,
        "question": " ".join(strip_tags(question.snapshot.get("stem", "")).split()),
        "your_answers": [choice["text"] for choice in question.snapshot.get("choices", []) if choice["key"] in chosen],
    }
    if show_marks:
        data["score"] = question.score
    return data


def read_quizzes(user: AbstractBaseUser, people: People) -> dict:
    """Quiz attempts with the person's answers, and extra attempts granted with the reason."""
    attempts = (
        QuizAttempt.objects.filter(user=user)
        .select_related("quiz")
        .prefetch_related(
            Prefetch("questions", queryset=AttemptQuestion.objects.order_by("position").prefetch_related("answers"))
        )
        .order_by("started_at", "pk")
    )
    grants = QuizAttemptGrant.objects.filter(user=user).select_related("quiz")
    return {
        "attempts": [
            {
                "quiz": attempt.quiz.title,
                "attempt": attempt.number,
                "status": attempt.get_status_display(),
                "started_at": attempt.started_at,
                "submitted_at": attempt.submitted_at,
                "pass_mark": attempt.pass_mark,
                "score_percent": attempt.score,
                "passed": attempt.passed,
                "timed_out": attempt.timed_out,
                "questions": [
                    _attempt_question(
                        question,
                        show_marks=not attempt.is_open and attempt.quiz.review_mode != QuizPage.REVIEW_SCORE,
                    )
                    for question in attempt.questions.all()
                ],
            }
            for attempt in attempts
        ],
        "extra_attempts_granted": [
            {"quiz": grant.quiz.title, "granted_at": grant.granted_at, "reason": grant.reason} for grant in grants
        ],
        "note": "Your answers are included; the quizzes' answer keys and reasoning are not.",
    }


def _entry_history(user: AbstractBaseUser) -> dict[int, list]:
    """Every recorded version of the person's practice entries, deleted ones included, oldest first, by entry id."""
    versions = defaultdict(list)
    records = PracticeEntry.history.filter(trainee_id=user.pk).order_by("history_date", "history_id")
    for record in records:
        versions[record.id].append(record)
    return versions


def _entry(entry: PracticeEntry, versions: list, people: People) -> dict:
    """One practice entry or supervision session with its words, comment, sign-off and history."""
    supervision = entry.kind == PracticeEntry.Kind.SUPERVISION
    data = {
        "id": entry.pk,
        "date": entry.performed_on,
        "start_time": entry.start_time,
        "minutes": entry.minutes,
        "delivery": entry.get_delivery_display(),
        "placement": entry.assignment.organisation.name,
        "supervisor": display_name(entry.assignment.supervisor),
        "status": entry.get_status_display(),
        "review_batch": entry.batch_id,
        "supervisor_comment": entry.return_comment,
        "privacy_check_confirmation": entry.privacy_confirmation,
        "sign_off": None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "history": [
            {"when": v.history_date, "who": people.who(v.history_user_id), "status": v.status, "change": change_of(v)}
            for v in versions
        ],
    }
    if supervision:
        data.update(format=entry.get_session_format_display(), topics=entry.topics)
    else:
        data.update(
            activity=entry.get_activity_type_display(),
            direct_or_indirect=entry.get_contact_display(),
            setting=entry.get_setting_display(),
            competency_domains=[domain.name for domain in entry.domains.all()],
            long_day_confirmed=entry.long_day_confirmed,
            reflection=entry.reflection,
        )
    if entry.attestation_id:
        attestation = entry.attestation
        data["sign_off"] = {
            "signed_by": attestation.signed_name,
            "credentials": attestation.credentials,
            "statement": attestation.statement,
            "signed_at": attestation.signed_at,
        }
    return data


def read_practice(user: AbstractBaseUser, people: People) -> dict:
    """Placements, entries, sessions, review batches, and deleted entries their history still holds."""
    entries = (
        PracticeEntry.objects.filter(trainee=user)
        .select_related("assignment__organisation", "assignment__supervisor", "attestation")
        .prefetch_related("domains")
        .order_by("performed_on", "start_time", "pk")
    )
    versions = _entry_history(user)
    practice, supervision = [], []
    for entry in entries:
        target = supervision if entry.kind == PracticeEntry.Kind.SUPERVISION else practice
        target.append(_entry(entry, versions.pop(entry.pk, []), people))
    deleted = [
        {
            "id": entry_id,
            "last_recorded": {
                "date": records[-1].performed_on,
                "minutes": records[-1].minutes,
                "kind": records[-1].kind,
                "reflection": records[-1].reflection,
                "topics": records[-1].topics,
            },
            "history": [
                {"when": v.history_date, "who": people.who(v.history_user_id), "change": change_of(v)} for v in records
            ],
        }
        for entry_id, records in sorted(versions.items())
    ]
    batches = Batch.objects.filter(trainee=user).select_related("assignment__supervisor").order_by("submitted_at", "pk")
    return {
        "placements": _placements(user),
        "practice_entries": practice,
        "supervision_sessions": supervision,
        "review_batches": [
            {
                "id": batch.pk,
                "sent_to": display_name(batch.assignment.supervisor),
                "submitted_at": batch.submitted_at,
                "status": batch.get_status_display(),
            }
            for batch in batches
        ],
        "deleted_entries_still_in_history": deleted,
        "supervisor_requests": _supervisor_requests(user),
        "note": "Your reflections and session topics are your own words, so they are included in full.",
    }


def _supervisor_requests(user: AbstractBaseUser) -> list[dict]:
    """The person's requests for a supervisor, oldest first."""
    return [
        {
            "asked_on": request.created_at,
            "placement": request.placement,
            "supervisor_name": request.supervisor_name,
            "supervisor_email": request.supervisor_email,
            "help_me_find_one": request.help_me_find,
            "status": request.get_status_display(),
            "resolved_on": request.resolved_at,
            "note": request.resolution_note,
        }
        for request in SupervisorRequest.objects.filter(trainee=user).order_by("created_at", "pk")
    ]


def _placements(user: AbstractBaseUser) -> list[dict]:
    """The person's supervised placements, oldest first."""
    assignments = SupervisorAssignment.objects.filter(trainee=user).select_related("supervisor", "organisation")
    return [
        {
            "placement": assignment.organisation.name,
            "location": assignment.organisation.location,
            "supervisor": display_name(assignment.supervisor),
            "starts_on": assignment.starts_on,
            "ends_on": assignment.ends_on,
        }
        for assignment in assignments.order_by("starts_on", "pk")
    ]


def read_supervising(user: AbstractBaseUser, people: People) -> dict:
    """As a supervisor: the profile, the trainees supervised and the sign-offs given."""
    profile = SupervisorProfile.objects.filter(user=user).first()
    assignments = (
        SupervisorAssignment.objects.filter(supervisor=user)
        .select_related("trainee", "organisation")
        .order_by("starts_on", "pk")
    )
    sign_offs = (
        Attestation.objects.filter(supervisor=user).annotate(entry_count=Count("entries")).order_by("signed_at", "pk")
    )
    return {
        "profile": {
            "qualification": profile.qualification,
            "credential_number": profile.credential_number,
            "jurisdiction": profile.jurisdiction,
        }
        if profile
        else None,
        "trainees_supervised": [
            {
                "trainee": display_name(assignment.trainee),
                "placement": assignment.organisation.name,
                "starts_on": assignment.starts_on,
                "ends_on": assignment.ends_on,
            }
            for assignment in assignments
        ],
        "sign_offs_given": [
            {
                "signed_at": sign_off.signed_at,
                "signed_name": sign_off.signed_name,
                "credentials": sign_off.credentials,
                "statement": sign_off.statement,
                "review_batch": sign_off.batch_id,
                "entries_approved_now": sign_off.entry_count,
            }
            for sign_off in sign_offs
        ],
    }
