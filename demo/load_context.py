"""What demo/load.py's rows refer to: the curriculum the load trainees take, and the tables being written."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from certificates.models import Programme
from courses import quiz_rules
from courses.models import CoursePage, LessonPage, QuizPage
from demo.load_rows import Rows


@dataclass
class Curriculum:
    """What the load trainees take: the demo course's lessons in order and each module's quiz."""

    course: CoursePage
    lessons: list[LessonPage]
    modules: list[tuple[list[int], QuizPage | None]]  # each module's lesson positions and quiz
    quiz_questions: dict[int, list[tuple[str, dict, str]]] = field(default_factory=dict)  # (key, snapshot, json)
    _graded: dict = field(default_factory=dict)

    @classmethod
    def of(cls, course: CoursePage) -> "Curriculum":
        """Read the course's live lessons and quizzes, and freeze each quiz's questions as an attempt would."""
        lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
        quizzes = list(QuizPage.objects.live().descendant_of(course).order_by("path"))
        modules = []
        for module_path in sorted({page.path[: -LessonPage.steplen] for page in [*lessons, *quizzes]}):
            positions = [n for n, lesson in enumerate(lessons) if lesson.path.startswith(module_path)]
            quiz = next((quiz for quiz in quizzes if quiz.path.startswith(module_path)), None)
            modules.append((positions, quiz))
        curriculum = cls(course=course, lessons=lessons, modules=modules)
        for quiz in quizzes:
            pool = list(quiz.questions)
            count = quiz.questions_per_attempt or len(pool)
            drawn = [(block.id, quiz_rules.question_snapshot(block)) for block in pool[:count]]
            curriculum.quiz_questions[quiz.pk] = [(key, snap, json.dumps(snap)) for key, snap in drawn]
        return curriculum

    def graded(self, quiz_id: int, wrong: int) -> tuple[list[set[str]], list[Fraction], Fraction]:
        """The answers to a quiz's questions with the last `wrong` of them wrong, each one's score and the percent."""
        key = (quiz_id, wrong)
        if key not in self._graded:
            questions = self.quiz_questions[quiz_id]
            answers, scores = [], []
            for position, (_key, snapshot, _) in enumerate(questions):
                right = position < len(questions) - wrong
                choices = [choice["key"] for choice in snapshot["choices"] if choice["correct"] == right]
                selected = set(choices if right and snapshot["kind"] == "multiple" else choices[:1])
                answers.append(selected)
                scores.append(quiz_rules.question_score(snapshot, selected))
            self._graded[key] = (answers, scores, quiz_rules.attempt_percent(scores))
        return self._graded[key]


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


@dataclass
class Context:
    """What every trainee's rows refer to, and the tables being written."""

    today: date
    now: datetime
    programme: Programme
    curriculum: Curriculum
    domains: dict[str, int]
    trainee_group: int
    supervisor_group: int
    supervisors: dict[int, tuple[int, str, str]]  # number → (user id, signed name, credentials)
    placements: dict[int, int]  # number → organisation id
    rows: dict[str, Rows] = field(default_factory=dict)
    graduates: list[tuple[int, date]] = field(default_factory=list)  # (user id, issued on)
    unusable_password: str = field(default_factory=lambda: make_password(None))

    def table(self, model) -> Rows:
        """The writer for one model (or an automatic many-to-many table)."""
        key = model._meta.label
        if key not in self.rows:
            self.rows[key] = Rows(model)
        return self.rows[key]

    def clamp(self, moment: datetime) -> datetime:
        """A moment no later than now (a review 'two days after' a batch sent yesterday happened just now)."""
        return min(moment, self.now)
