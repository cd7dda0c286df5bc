"""The course records a trainee's kept home shows (lms/kept_home.py): enrolments, lessons done and quiz attempts."""

from courses.models import Enrolment, LessonCompletion, QuizAttempt
from lms.kept_home import home_shows


def learner(record) -> list[int]:
    """The person whose enrolment, lesson or attempt it is."""
    return [record.user_id]


def home_sources_register() -> None:
    """Tell the kept homes which course records they show, and whose."""
    for model in (Enrolment, LessonCompletion, QuizAttempt):
        home_shows(model, people=learner, owners=("user",))
