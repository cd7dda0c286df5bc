"""Reads: how far a trainee is towards a programme's certificate, requirement by requirement."""

import calendar
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, EthicsAttestation, Programme
from courses.cohort import course_completions_of_many, quiz_passes_of_many
from courses.completions import (
    CourseCompletion,
    CourseContents,
    CourseRecord,
    QuizPass,
    course_completions,
    course_contents,
    quiz_passes,
)
from lms.page_tree import page_tree
from practice.minutes import (
    ApprovedMinutes,
    approved_minutes,
    approved_minutes_of_activity,
    approved_minutes_of_many,
)
from practice.models import PracticeEntry
from practice.skills import SKILLS, passed_summary


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, when negative), clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def figure_text(value: Decimal) -> str:
    """A figure for people: at most two decimals, no trailing zeros (18.5, 25, 12.25)."""
    return f"{Decimal(value):.2f}".rstrip("0").rstrip(".") or "0"


def hours_text(minutes: int | Decimal) -> str:
    """Minutes as hours for people: 1110 → '18.5', 1500 → '25', 735 → '12.25'."""
    return figure_text(Decimal(minutes) / 60)


def minutes_of(hours: Decimal) -> int:
    """A programme's hour figure in whole minutes."""
    return int(Decimal(hours) * 60)


@dataclass(frozen=True)
class Requirement:
    """One line of a programme's checklist: met or not, the figure reached and the figure needed."""

    key: str
    label: str
    met: bool
    reached: Decimal
    needed: Decimal
    summary: str
    next_step: str = ""
    next_url: str = ""

    @property
    def percent(self) -> int:
        """How far towards the figure needed, 0–100, for a progress bar."""
        if self.met:
            return 100
        if not self.needed:
            return 0
        return max(0, min(99, int(self.reached * 100 / self.needed)))


@dataclass(frozen=True)
class Eligibility:
    """Every requirement of a programme for one trainee, worked out on one day."""

    programme: Programme
    requirements: list[Requirement]
    hours_since: date | None
    on: date

    @property
    def met(self) -> bool:
        """Whether every requirement is met (a programme with no requirements at all issues nothing)."""
        return bool(self.requirements) and all(requirement.met for requirement in self.requirements)

    @property
    def done(self) -> int:
        """How many requirements are met."""
        return sum(1 for requirement in self.requirements if requirement.met)

    @property
    def unmet(self) -> list[Requirement]:
        """The requirements still to meet, in checklist order."""
        return [requirement for requirement in self.requirements if not requirement.met]


def _hours_line(key: str, label: str, reached_minutes: int, needed_minutes: int, next_step: str) -> Requirement:
    met = reached_minutes >= needed_minutes
    return Requirement(
        key=key,
        label=label,
        met=met,
        reached=Decimal(reached_minutes) / 60,
        needed=Decimal(needed_minutes) / 60,
        summary=f"{label}: {hours_text(reached_minutes)} of {hours_text(needed_minutes)} h",
        next_step="" if met else next_step.format(left=hours_text(needed_minutes - reached_minutes)),
        next_url="" if met else reverse("practice_log"),
    )


def _training_lines(facts: "TraineeFacts", outline: "ProgrammeOutline") -> list[Requirement]:
    lines = []
    for completion in facts.completions.values():
        course = next(course for course in outline.courses if course.id == completion.course_id)
        steps = completion.lessons + len(completion.quiz_ids)
        done = completion.lessons_done + completion.quizzes_passed
        lines.append(
            Requirement(
                key=f"course:{course.id}",
                label=course.title,
                met=completion.is_complete,
                reached=Decimal(done),
                needed=Decimal(steps),
                summary=f"{course.title}: {done} of {steps} lessons and quizzes",
                next_step=""
                if completion.is_complete
                else "Carry on with the course: complete each lesson and pass its quizzes.",
                next_url="" if completion.is_complete else outline.url_of(course),
            )
        )
    for quiz in outline.quizzes:
        passed = facts.quiz_passes.get(quiz.id)
        lines.append(
            Requirement(
                key=f"quiz:{quiz.id}",
                label=quiz.title,
                met=passed is not None,
                reached=Decimal(1 if passed else 0),
                needed=Decimal(1),
                summary=f"{quiz.title}: passed ({passed.best_score:.0f}%)"
                if passed
                else f"{quiz.title}: not passed yet",
                next_step="" if passed else f"Take the quiz; you need {quiz.pass_mark}% to pass.",
                next_url="" if passed else outline.url_of(quiz),
            )
        )
    return lines


def _hours_lines(minutes: ApprovedMinutes, programme: Programme, outline: "ProgrammeOutline") -> list[Requirement]:
    lines = []
    if programme.practice_hours:
        lines.append(
            _hours_line(
                "practice",
                "Approved practice",
                minutes.practice,
                minutes_of(programme.practice_hours),
                "Log {left} more hours of practice and send them to your supervisor.",
            )
        )
    for minimum in outline.domain_minimums:
        lines.append(
            _hours_line(
                f"domain:{minimum.domain.slug}",
                minimum.domain.name,
                minutes.by_domain.get(minimum.domain.slug, 0),
                minutes_of(minimum.hours),
                f"Log {{left}} more hours tagged “{minimum.domain.name}”.",
            )
        )
    for minimum in outline.activity_minimums:
        label = PracticeEntry.ActivityType(minimum.activity_type).label
        lines.append(
            _hours_line(
                f"activity:{minimum.activity_type}",
                label,
                minutes.by_activity.get(minimum.activity_type, 0),
                minutes_of(minimum.hours),
                f"Log {{left}} more hours of {label.lower()}.",
            )
        )
    if programme.direct_share_percent:
        share = Decimal(minutes.direct * 100) / minutes.practice if minutes.practice else Decimal(0)
        met = minutes.practice > 0 and minutes.direct * 100 >= programme.direct_share_percent * minutes.practice
        lines.append(
            Requirement(
                key="direct",
                label="Direct service",
                met=met,
                reached=share,
                needed=Decimal(programme.direct_share_percent),
                summary=f"Direct service: {int(share)}% of practice hours (at least {programme.direct_share_percent}%)",
                next_step="" if met else "Log more hours directly with the people you support.",
                next_url="" if met else reverse("practice_log"),
            )
        )
    if programme.supervision_hours:
        lines.append(
            _hours_line(
                "supervision",
                "Supervision",
                minutes.supervision,
                minutes_of(programme.supervision_hours),
                "Log {left} more hours of supervision sessions.",
            )
        )
    if programme.supervision_ratio_hours and programme.supervision_ratio_per:
        needed = math.ceil(minutes.practice * programme.supervision_ratio_hours / programme.supervision_ratio_per)
        per = hours_text(minutes_of(programme.supervision_ratio_per))
        ratio = f"{hours_text(minutes_of(programme.supervision_ratio_hours))} h per {per} h of practice"
        line = _hours_line(
            "ratio", "Supervision ratio", minutes.supervision, needed, "Log {left} more hours of supervision."
        )
        summary = (
            f"Supervision ratio ({ratio}): {hours_text(minutes.supervision)} h of supervision; "
            f"your {hours_text(minutes.practice)} h of practice need {hours_text(needed)} h"
        )
        if not minutes.practice:  # 0 of 0 is not a ratio kept: nothing is met until practice is logged
            line = replace(
                line,
                met=False,
                next_step="Log practice hours and the supervision that goes with them.",
                next_url=reverse("practice_log"),
            )
            summary = f"Supervision ratio ({ratio}): not yet, no practice hours logged"
        lines.append(replace(line, summary=summary))
    return lines


NOT_READ = object()
"""Said of a fact the caller hasn't read, so eligibility reads it itself."""


def _skills_line(passed: frozenset[str], programme: Programme) -> list[Requirement]:
    needed = programme.skills_checks_required
    if not needed:
        return []
    met = len(passed) >= needed
    still_to_pass = ", ".join(skill.label.lower() for key, skill in SKILLS.items() if key not in passed)
    return [
        Requirement(
            key="skills",
            label="Observed skills checks",
            met=met,
            reached=Decimal(min(len(passed), needed)),
            needed=Decimal(needed),
            summary=passed_summary(len(passed), needed),
            next_step=""
            if met
            else (
                "Ask your supervisor to watch you in a short role-play of a skill you haven't passed yet "
                f"({still_to_pass}), then log it as a skills check and send it to them."
            ),
            next_url="" if met else reverse("practice_entry_new"),
        )
    ]


def _ethics_line(signed, programme: Programme) -> list[Requirement]:
    if not programme.ethics_attestation_required:
        return []
    return [
        Requirement(
            key="ethics",
            label="Code of ethics",
            met=signed is not None,
            reached=Decimal(1 if signed else 0),
            needed=Decimal(1),
            summary=f"Code of ethics: signed on {timezone.localtime(signed):%-d %B %Y}"
            if signed
            else "Code of ethics: not signed yet",
            next_step="" if signed else "Read the code of ethics and sign the attestation below.",
            next_url="" if signed else f"#ethics-{programme.pk}",
        )
    ]


def hours_window_start(programme: Programme, on: date) -> date | None:
    """The first day whose hours count on the given day (None when hours of any date count)."""
    return add_months(on, -programme.hours_window_months) if programme.hours_window_months else None


@dataclass(frozen=True)
class ProgrammeOutline:
    """What a programme asks for, read once per version of the page tree and kept by each process.

    The programme's requirements tell the page tree when they change (CertificatesConfig.ready), as its pages do.
    """

    courses: list
    quizzes: list
    domain_minimums: list
    activity_minimums: list
    contents: CourseContents = field(default_factory=lambda: CourseContents(lessons=[], quizzes=[]))
    urls: dict[int, str] = field(default_factory=dict)  # page id -> URL

    @classmethod
    def of(cls, programme: Programme, request=None) -> "ProgrammeOutline":
        """The programme's required courses (with their lessons and quizzes) and quizzes and its hour minimums."""
        return page_tree(request).remembered(("programme_outline", programme.pk), lambda: cls._read(programme.pk))

    @classmethod
    def _read(cls, programme_id: int) -> "ProgrammeOutline":
        programme = Programme.objects.prefetch_related("domain_hours__domain", "activity_hours").get(pk=programme_id)
        courses = list(programme.required_courses.all().order_by("path"))
        quizzes = list(programme.required_quizzes.all().order_by("path"))
        return cls(
            courses=courses,
            quizzes=quizzes,
            domain_minimums=list(programme.domain_hours.all()),
            activity_minimums=list(programme.activity_hours.all()),
            contents=course_contents(courses),
            urls={page.id: page.url or "" for page in [*courses, *quizzes]},
        )

    @property
    def domain_slugs(self) -> list[str]:
        """The competency domains the programme sets minimums in."""
        return [minimum.domain.slug for minimum in self.domain_minimums]

    def url_of(self, page) -> str:
        """A required course's or quiz's URL, worked out with the outline."""
        return self.urls.get(page.id, "")


@dataclass(frozen=True)
class TraineeFacts:
    """What a trainee has done that a programme's requirements look at, read before any line is worked out."""

    completions: dict[int, CourseCompletion]
    quiz_passes: dict[int, QuizPass]
    minutes: ApprovedMinutes  # with the skills passed in approved skills checks
    ethics_signed_at: datetime | None


def _eligibility(programme: Programme, outline: ProgrammeOutline, facts: TraineeFacts, *, since, on) -> Eligibility:
    requirements = [
        *_training_lines(facts, outline),
        *_hours_lines(facts.minutes, programme, outline),
        *_skills_line(facts.minutes.skills, programme),
        *_ethics_line(facts.ethics_signed_at, programme),
    ]
    return Eligibility(programme=programme, requirements=requirements, hours_since=since, on=on)


def programme_eligibility(
    *, user, programme: Programme, on: date, ethics_signed_at=NOT_READ, request=None, record: CourseRecord | None = None
) -> Eligibility:
    """Every requirement of the programme for the user on the given day, each from database aggregates.

    `ethics_signed_at` (a moment, or None for never) and `record` (the user's lessons and quizzes) save reading them
    when the caller has them; the request, when there is one, saves reading the page tree's version again.
    """
    since = hours_window_start(programme, on)
    outline = ProgrammeOutline.of(programme, request)
    signed = None if ethics_signed_at is NOT_READ else ethics_signed_at
    if programme.ethics_attestation_required and ethics_signed_at is NOT_READ:
        signed = (
            EthicsAttestation.objects.filter(user=user, programme=programme).values_list("signed_at", flat=True).first()
        )
    facts = TraineeFacts(
        completions=course_completions(user=user, courses=outline.courses, contents=outline.contents, record=record),
        quiz_passes=record.passes([quiz.id for quiz in outline.quizzes])
        if record
        else quiz_passes(user=user, quiz_ids=[quiz.id for quiz in outline.quizzes]),
        minutes=approved_minutes(trainee=user, since=since, until=on, domain_slugs=outline.domain_slugs),
        ethics_signed_at=signed,
    )
    return _eligibility(programme, outline, facts, since=since, on=on)


def programme_eligibility_of_many(*, user_ids: list[int] | QuerySet, programme: Programme, on: date) -> dict:
    """Every requirement of the programme for each of the users (user id -> Eligibility), set-based: one pass of
    aggregate queries for all of them, however many. Gives what programme_eligibility gives each one."""
    since = hours_window_start(programme, on)
    outline = ProgrammeOutline.of(programme)
    completions = course_completions_of_many(user_ids=user_ids, courses=outline.courses, contents=outline.contents)
    passes = quiz_passes_of_many(user_ids=user_ids, quiz_ids=[quiz.id for quiz in outline.quizzes])
    minutes = approved_minutes_of_many(trainee_ids=user_ids, since=since, until=on, domain_slugs=outline.domain_slugs)
    signed = {}
    if programme.ethics_attestation_required:
        signed = dict(
            EthicsAttestation.objects.filter(user_id__in=user_ids, programme=programme).values_list(
                "user_id", "signed_at"
            )
        )
    ids = list(user_ids.values_list("pk", flat=True)) if isinstance(user_ids, QuerySet) else list(user_ids)
    return {
        user_id: _eligibility(
            programme,
            outline,
            TraineeFacts(
                completions=completions[user_id],
                quiz_passes=passes.get(user_id, {}),
                minutes=minutes[user_id],
                ethics_signed_at=signed.get(user_id),
            ),
            since=since,
            on=on,
        )
        for user_id in ids
    }


@dataclass(frozen=True)
class Renewal:
    """Where a certificate stands towards renewal: continuing-education hours and when renewal opens."""

    certificate: Certificate
    hours: Requirement
    opens_on: date
    on: date

    @property
    def is_open(self) -> bool:
        """Whether the renewal window has opened."""
        return self.on >= self.opens_on

    @property
    def available(self) -> bool:
        """Whether the programme renews certificates at all (it asks for continuing-education hours)."""
        return self.certificate.programme.is_active and self.hours.needed > 0

    @property
    def due(self) -> bool:
        """Whether the certificate renews now: renewal is available, the window open and the hours met."""
        return self.available and self.is_open and self.hours.met and self.certificate.state == Certificate.State.VALID


def renewal_progress(*, certificate: Certificate, on: date) -> Renewal:
    """Continuing-education hours (approved training) logged within the certificate's validity period so far."""
    programme = certificate.programme
    reached = approved_minutes_of_activity(
        trainee=certificate.holder,
        activity_type=PracticeEntry.ActivityType.TRAINING,
        since=certificate.period_starts_on,
        until=min(on, certificate.expires_on),
    )
    line = _hours_line(
        "renewal",
        "Continuing education",
        reached,
        minutes_of(programme.renewal_ce_hours),
        "Log {left} more hours of training and have them approved.",
    )
    opens_on = date.fromordinal(certificate.expires_on.toordinal() - programme.renewal_opens_days)
    return Renewal(certificate=certificate, hours=line, opens_on=opens_on, on=on)


def evidence_snapshot(*, user, eligibility: Eligibility) -> dict:
    """What a certificate rests on, as plain JSON: each requirement, quiz scores and the hours window."""
    programme = eligibility.programme
    outline = ProgrammeOutline.of(programme)
    quiz_ids = [quiz.id for quiz in outline.quizzes] + [quiz_id for quiz_id, _ in outline.contents.quizzes]
    passes = quiz_passes(user=user, quiz_ids=quiz_ids)
    minutes = approved_minutes(trainee=user, since=eligibility.hours_since, until=eligibility.on)
    return {
        "checked_on": eligibility.on.isoformat(),
        "hours_since": eligibility.hours_since.isoformat() if eligibility.hours_since else None,
        "hours": {
            "practice": hours_text(minutes.practice),
            "direct": hours_text(minutes.direct),
            "supervision": hours_text(minutes.supervision),
            "by_domain": {slug: hours_text(value) for slug, value in sorted(minutes.by_domain.items())},
            "by_activity": {kind: hours_text(value) for kind, value in sorted(minutes.by_activity.items())},
        },
        "skills_checks_passed": sorted(minutes.skills) if programme.skills_checks_required else [],
        "quizzes": [
            {
                "title": passed.title,
                "best_score": str(passed.best_score),
                "passed_on": timezone.localdate(passed.passed_at).isoformat(),
            }
            for passed in sorted(passes.values(), key=lambda passed: passed.passed_at)
        ],
        "requirements": [
            {"key": line.key, "summary": line.summary, "met": line.met} for line in eligibility.requirements
        ],
    }
