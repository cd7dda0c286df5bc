"""What the courses app holds about a person, for their data export: enrolments, lessons done and quiz attempts."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils.html import strip_tags

from courses.models import AttemptQuestion, Enrolment, LessonCompletion, QuizAttempt, QuizAttemptGrant, QuizPage
from lms.personal_data import ExportSection, People, export_section_register, not_exported_register


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


def personal_data_register() -> None:
    """Tell the export which sections the courses app gives and which of its models it leaves out."""
    export_section_register(ExportSection("courses", ("courses.Enrolment", "courses.LessonCompletion"), read_courses))
    export_section_register(ExportSection("quizzes", ("courses.QuizAttempt", "courses.QuizAttemptGrant"), read_quizzes))
    not_exported_register(
        {
            "courses.HistoricalEnrolment": "Earlier versions of the enrolments under 'courses'; an enrolment never "
            "changes.",
            "courses.HistoricalQuizAttempt": "Earlier states of the attempts under 'quizzes'; the final state is "
            "exported.",
        }
    )
