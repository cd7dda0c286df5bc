"""Quiz reports for programme admins: pass rates and scores per quiz, answers per question and choice, CSV."""

from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Max, Q
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from courses.models import AttemptAnswer, AttemptQuestion, QuizAttempt, QuizAttemptGrant, QuizPage
from courses.selectors import percent
from lms.csvfiles import to_csv
from lms.names import display_name

SUBMITTED = Q(status=QuizAttempt.SUBMITTED)


@dataclass
class QuizReportRow:
    """One quiz's figures across all trainees."""

    quiz: QuizPage
    module_title: str = ""
    attempts: int = 0
    trainees: int = 0
    passed_attempts: int = 0
    trainees_passed: int = 0
    mean_score: Decimal | None = None
    in_progress: int = 0

    @property
    def pass_rate(self) -> int:
        """Share of submitted attempts that passed, in whole percent."""
        return percent(self.passed_attempts, self.attempts)


def quiz_report_rows() -> list[QuizReportRow]:
    """Every quiz in tree order with its attempt counts, pass rate and mean score, in three queries."""
    quizzes = list(QuizPage.objects.defer("questions").order_by("path"))
    modules = dict(
        Page.objects.filter(path__in={quiz.path[: -Page.steplen] for quiz in quizzes}).values_list("path", "title")
    )
    stats = {
        row["quiz_id"]: row
        for row in QuizAttempt.objects.values("quiz_id").annotate(
            attempts=Count("id", filter=SUBMITTED),
            trainees=Count("user", filter=SUBMITTED, distinct=True),
            passed_attempts=Count("id", filter=Q(passed=True)),
            trainees_passed=Count("user", filter=Q(passed=True), distinct=True),
            mean_score=Avg("score", filter=SUBMITTED),
            in_progress=Count("id", filter=Q(status=QuizAttempt.IN_PROGRESS)),
        )
    }
    rows = []
    for quiz in quizzes:
        row = stats.get(quiz.id, {})
        mean = row.get("mean_score")
        rows.append(
            QuizReportRow(
                quiz=quiz,
                module_title=modules.get(quiz.path[: -Page.steplen], ""),
                attempts=row.get("attempts", 0),
                trainees=row.get("trainees", 0),
                passed_attempts=row.get("passed_attempts", 0),
                trainees_passed=row.get("trainees_passed", 0),
                mean_score=Decimal(mean).quantize(Decimal("0.1")) if mean is not None else None,
                in_progress=row.get("in_progress", 0),
            )
        )
    return rows


@dataclass
class ChoiceStat:
    """How often one choice was picked when its question was asked."""

    key: str
    text: str
    correct: bool
    picks: int = 0
    asked: int = 0

    @property
    def share(self) -> int:
        """Share of the times the question was asked that this choice was picked, in whole percent."""
        return percent(self.picks, self.asked)


@dataclass
class QuestionStat:
    """How one question of the pool fared across submitted attempts."""

    key: str
    number: int | None
    stem_html: str
    kind: str
    competency: str
    asked: int = 0
    fully_correct: int = 0
    mean_score: Decimal | None = None
    choices: list[ChoiceStat] = field(default_factory=list)

    @property
    def correct_share(self) -> int:
        """Share of the times asked that it earned full marks, in whole percent."""
        return percent(self.fully_correct, self.asked)

    @property
    def stem_text(self) -> str:
        """The stem as plain text, for CSV."""
        return " ".join(unescape(strip_tags(self.stem_html)).split())


def _stat_from_snapshot(key: str, number: int | None, snapshot: dict) -> QuestionStat:
    return QuestionStat(
        key=key,
        number=number,
        stem_html=expand_db_html(snapshot["stem"]),
        kind=snapshot["kind"],
        competency=(snapshot.get("competency") or {}).get("name", ""),
        choices=[ChoiceStat(key=c["key"], text=c["text"], correct=c["correct"]) for c in snapshot["choices"]],
    )


def question_stats(quiz: QuizPage) -> list[QuestionStat]:
    """Per question of the pool (and any since removed): times asked, share fully correct, picks per choice.

    Uses a fixed number of queries whatever the size of the pool or the number of attempts.
    """
    from courses.quiz_rules import question_snapshot

    asked = AttemptQuestion.objects.filter(attempt__quiz=quiz, attempt__status=QuizAttempt.SUBMITTED)
    rows = {
        row["question_key"]: row
        for row in asked.values("question_key").annotate(
            asked=Count("id"), fully_correct=Count("id", filter=Q(score__gte=1)), mean_score=Avg("score")
        )
    }
    picks = {
        (row["attempt_question__question_key"], row["choice_key"]): row["picks"]
        for row in AttemptAnswer.objects.filter(attempt_question__in=asked)
        .values("attempt_question__question_key", "choice_key")
        .annotate(picks=Count("id"))
    }
    stats = [
        _stat_from_snapshot(block.id, number, question_snapshot(block))
        for number, block in enumerate(quiz.questions, start=1)
    ]
    removed = set(rows) - {stat.key for stat in stats}
    if removed:
        latest_ids = asked.filter(question_key__in=removed).values("question_key").annotate(latest=Max("id"))
        for question in AttemptQuestion.objects.filter(id__in=[row["latest"] for row in latest_ids]):
            stats.append(_stat_from_snapshot(question.question_key, None, question.snapshot))
    for stat in stats:
        row = rows.get(stat.key, {})
        stat.asked = row.get("asked", 0)
        stat.fully_correct = row.get("fully_correct", 0)
        mean = row.get("mean_score")
        stat.mean_score = (Decimal(mean) * 100).quantize(Decimal("0.1")) if mean is not None else None
        for choice in stat.choices:
            choice.picks = picks.get((stat.key, choice.key), 0)
            choice.asked = stat.asked
    return stats


@dataclass
class OutOfAttempts:
    """A trainee who has used every allowed attempt at a quiz without passing."""

    user: object
    attempts: int
    best_score: Decimal | None
    extra_granted: int

    @property
    def name(self) -> str:
        """The trainee's name as the site shows it."""
        return display_name(self.user)


def trainees_out_of_attempts(quiz: QuizPage) -> list[OutOfAttempts]:
    """Trainees who can't start another attempt at this quiz because they have used them all without passing."""
    if quiz.max_attempts is None:
        return []
    grants = dict(
        QuizAttemptGrant.objects.filter(quiz=quiz).values("user").annotate(n=Count("id")).values_list("user", "n")
    )
    rows = (
        QuizAttempt.objects.filter(quiz=quiz)
        .values("user")
        .annotate(
            used=Count("id", filter=SUBMITTED),
            passes=Count("id", filter=Q(passed=True)),
            open=Count("id", filter=Q(status=QuizAttempt.IN_PROGRESS)),
            best=Max("score"),
        )
        .filter(passes=0, open=0)
    )
    stuck = {row["user"]: row for row in rows if row["used"] >= quiz.max_attempts + grants.get(row["user"], 0)}
    users = get_user_model().objects.in_bulk(list(stuck))
    return [
        OutOfAttempts(
            user=users[user_id],
            attempts=row["used"],
            best_score=row["best"],
            extra_granted=grants.get(user_id, 0),
        )
        for user_id, row in sorted(stuck.items(), key=lambda item: display_name(users[item[0]]).casefold())
    ]


def quiz_report_csv(rows: list[QuizReportRow]) -> str:
    """The quiz overview as CSV."""
    header = [
        "Quiz",
        "Module",
        "Submitted attempts",
        "Trainees",
        "Pass rate (%)",
        "Trainees passed",
        "Mean score (%)",
        "In progress",
    ]
    return to_csv(
        header,
        [
            [
                row.quiz.title,
                row.module_title,
                row.attempts,
                row.trainees,
                row.pass_rate,
                row.trainees_passed,
                row.mean_score if row.mean_score is not None else "",
                row.in_progress,
            ]
            for row in rows
        ],
    )


def question_stats_csv(stats: list[QuestionStat]) -> str:
    """Per question and choice figures as CSV: one row per choice."""
    header = [
        "Question",
        "Scenario",
        "Competency",
        "Times asked",
        "Fully correct (%)",
        "Mean score (%)",
        "Choice",
        "Correct choice",
        "Times picked",
        "Picked (%)",
    ]
    rows = []
    for stat in stats:
        for choice in stat.choices:
            rows.append(
                [
                    stat.number if stat.number is not None else "removed",
                    stat.stem_text,
                    stat.competency,
                    stat.asked,
                    stat.correct_share,
                    stat.mean_score if stat.mean_score is not None else "",
                    choice.text,
                    "yes" if choice.correct else "no",
                    choice.picks,
                    choice.share,
                ]
            )
    return to_csv(header, rows)
