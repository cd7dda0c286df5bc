"""Reads for the programme overview, each a few aggregate queries whatever the number of trainees.

Nothing here runs a query per trainee: lists are annotated querysets (paginated by the database), and "near
eligibility" works every programme requirement out for all trainees at once with correlated subqueries that
mirror certificates/eligibility.py (a test compares the two trainee by trainee).
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import add, or_

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from certificates.eligibility import hours_window_start, minutes_of
from certificates.models import Certificate, EthicsAttestation, Programme
from courses.models import CoursePage, Enrolment, LessonCompletion, LessonPage, QuizAttempt, QuizPage
from lms.roles import TRAINEE
from practice.models import PracticeEntry, SupervisorAssignment
from practice.selectors import open_supervisor_requests

EXPIRY_DAYS = 90
NEAR_SHARE_PERCENT = 80
TOP_SUPERVISORS = 5

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind


def _trainees() -> QuerySet:
    """Active people holding the trainee role."""
    return get_user_model().objects.filter(is_active=True, groups__name=TRAINEE)


# Hours waiting for review ---------------------------------------------------------------------------------------


def hours_waiting_by_supervisor() -> QuerySet:
    """Supervisors with entries waiting for their review: minutes, entries, trainees and the oldest sending, most first.

    One grouped query over the waiting entries (the filter comes first, so the sums count only those).
    """
    return (
        get_user_model()
        .objects.filter(supervisees__entries__status=Status.SUBMITTED)
        .annotate(
            waiting_minutes=Sum("supervisees__entries__minutes"),
            waiting_entries=Count("supervisees__entries"),
            waiting_trainees=Count("supervisees__entries__trainee", distinct=True),
            waiting_since=Min("supervisees__entries__batch__submitted_at"),
        )
        .order_by("-waiting_minutes", "last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class WaitingTotals:
    """All hours waiting for review on the site, and how many supervisors they wait for."""

    minutes: int
    entries: int
    supervisors: int


def waiting_totals() -> WaitingTotals:
    """The site's waiting hours in one aggregate."""
    totals = PracticeEntry.objects.filter(status=Status.SUBMITTED).aggregate(
        minutes=Sum("minutes", default=0),
        entries=Count("pk"),
        supervisors=Count("assignment__supervisor", distinct=True),
    )
    return WaitingTotals(**totals)


# Trainees without a supervisor -----------------------------------------------------------------------------------


def trainees_without_supervisor(*, on: date) -> QuerySet:
    """Active trainees with no supervisor assignment running on the day, with when their last one ended.

    An assignment that starts later doesn't count: until it starts, nobody can approve their hours. People who
    hold a certificate valid on the day (not suspended, revoked or superseded, and not past its last day) are left
    out: they have finished, so no supervisor is missing.
    """
    current = SupervisorAssignment.objects.filter(trainee=OuterRef("pk"), starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )
    certified = Certificate.objects.filter(holder=OuterRef("pk"), state=Certificate.State.VALID, expires_on__gte=on)
    return (
        _trainees()
        .exclude(Exists(current))
        .exclude(Exists(certified))
        .annotate(
            last_assignment_ended=Max("supervisor_assignments__ends_on"),
            next_assignment_starts=Min(
                "supervisor_assignments__starts_on", filter=Q(supervisor_assignments__starts_on__gt=on)
            ),
        )
        .order_by("date_joined", "pk")
    )


# Certificates expiring soon ---------------------------------------------------------------------------------------


def certificates_expiring(*, on: date, days: int = EXPIRY_DAYS) -> QuerySet:
    """Valid certificates whose last day falls within the next `days` days (today included), soonest first."""
    return (
        Certificate.objects.filter(
            state=Certificate.State.VALID, expires_on__gte=on, expires_on__lte=on + timedelta(days=days)
        )
        .select_related("holder", "programme")
        .order_by("expires_on", "pk")
    )


# Trainees near eligibility ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One requirement of a programme as an SQL condition on a trainee row, with the annotations it reads."""

    label: str
    met: Q
    annotations: dict = field(default_factory=dict)


@dataclass
class NearRow:
    """A trainee close to a programme's certificate: requirements met, what is left, and their practice hours."""

    trainee: object
    programme: Programme
    met: int
    total: int
    unmet: list[str]
    practice_minutes: int
    practice_needed_minutes: int

    @property
    def practice_percent(self) -> int | None:
        """Approved practice as a share of the programme's minimum (None when it sets none)."""
        if not self.practice_needed_minutes:
            return None
        return min(100, self.practice_minutes * 100 // self.practice_needed_minutes)


def _sum_minutes(entries: QuerySet) -> Coalesce:
    """The summed minutes of a trainee's entries, as a correlated subquery (0 when none)."""
    total = entries.order_by().values("trainee").annotate(total=Sum("minutes")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _distinct_count(queryset: QuerySet, user_field: str, counted: str) -> Coalesce:
    """How many distinct `counted` values the trainee has in the queryset, as a correlated subquery."""
    count = queryset.order_by().values(user_field).annotate(n=Count(counted, distinct=True)).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _course_steps(courses: list[CoursePage]) -> dict[int, tuple[list[int], list[int]]]:
    """Each course's live lessons and quizzes (ids), as course_completions counts them: two queries."""
    if not courses:
        return {}
    under = reduce(or_, (Q(path__startswith=course.path, depth=course.depth + 2) for course in courses))
    lessons = list(LessonPage.objects.live().filter(under).values_list("id", "path"))
    quizzes = list(QuizPage.objects.live().filter(under).values_list("id", "path"))
    return {
        course.id: (
            [pk for pk, path in lessons if path.startswith(course.path)],
            [pk for pk, path in quizzes if path.startswith(course.path)],
        )
        for course in courses
    }


def _training_lines(programme: Programme, steps: dict) -> list[Line]:
    lines = []
    for course in sorted(programme.required_courses.all(), key=lambda page: page.path):
        lesson_ids, quiz_ids = steps[course.id]
        lessons, quizzes = f"course_{course.id}_lessons", f"course_{course.id}_quizzes"
        done = LessonCompletion.objects.filter(user=OuterRef("pk"), lesson_id__in=lesson_ids)
        passed = QuizAttempt.objects.filter(user=OuterRef("pk"), quiz_id__in=quiz_ids, passed=True)
        lines.append(
            Line(
                label=course.title,
                met=Q(**{f"{lessons}__gte": len(lesson_ids), f"{quizzes}__gte": len(quiz_ids)}),
                annotations={
                    lessons: _distinct_count(done, "user", "lesson_id"),
                    quizzes: _distinct_count(passed, "user", "quiz_id"),
                },
            )
        )
    for quiz in sorted(programme.required_quizzes.all(), key=lambda page: page.path):
        passed = QuizAttempt.objects.filter(user=OuterRef("pk"), quiz_id=quiz.id, passed=True)
        lines.append(Line(label=quiz.title, met=Q(Exists(passed))))
    return lines


def _hours_lines(programme: Programme, on: date) -> list[Line]:
    entries = PracticeEntry.objects.filter(trainee=OuterRef("pk"), status=Status.APPROVED, performed_on__lte=on)
    since = hours_window_start(programme, on)
    if since:
        entries = entries.filter(performed_on__gte=since)
    practice = entries.filter(kind=Kind.PRACTICE)
    totals = {
        "practice_minutes": _sum_minutes(practice),
        "direct_minutes": _sum_minutes(practice.filter(contact=PracticeEntry.Contact.DIRECT)),
        "supervision_minutes": _sum_minutes(entries.filter(kind=Kind.SUPERVISION)),
    }
    lines = []
    if programme.practice_hours:
        needed = minutes_of(programme.practice_hours)
        lines.append(Line("Approved practice", Q(practice_minutes__gte=needed), totals))
    for minimum in programme.domain_hours.all():
        name = f"domain_{minimum.domain_id}_minutes"
        lines.append(
            Line(
                minimum.domain.name,
                Q(**{f"{name}__gte": minutes_of(minimum.hours)}),
                {name: _sum_minutes(practice.filter(domains=minimum.domain_id))},
            )
        )
    for minimum in programme.activity_hours.all():
        name = f"activity_{minimum.activity_type}_minutes"
        lines.append(
            Line(
                PracticeEntry.ActivityType(minimum.activity_type).label,
                Q(**{f"{name}__gte": minutes_of(minimum.hours)}),
                {name: _sum_minutes(practice.filter(activity_type=minimum.activity_type))},
            )
        )
    if programme.direct_share_percent:
        share = Q(practice_minutes__gt=0, direct_share_check__gte=0)
        check = F("direct_minutes") * 100 - F("practice_minutes") * programme.direct_share_percent
        lines.append(Line("Direct service", share, {**totals, "direct_share_check": check}))
    if programme.supervision_hours:
        needed = minutes_of(programme.supervision_hours)
        lines.append(Line("Supervision", Q(supervision_minutes__gte=needed), totals))
    if programme.supervision_ratio_hours and programme.supervision_ratio_per:
        # supervision >= ceil(practice × hours / per)  ⇔  supervision × per ≥ practice × hours (whole minutes);
        # both figures have two decimals, so in hundredths the comparison is exact.
        hours, per = int(programme.supervision_ratio_hours * 100), int(programme.supervision_ratio_per * 100)
        check = F("supervision_minutes") * per - F("practice_minutes") * hours
        # As in certificates/eligibility.py, 0 of 0 is no ratio kept: not met until practice is logged.
        kept = Q(practice_minutes__gt=0, ratio_check__gte=0)
        lines.append(Line("Supervision ratio", kept, {**totals, "ratio_check": check}))
    return lines


def _ethics_lines(programme: Programme) -> list[Line]:
    if not programme.ethics_attestation_required:
        return []
    signed = EthicsAttestation.objects.filter(user=OuterRef("pk"), programme=programme)
    return [Line("Code of ethics", Q(Exists(signed)))]


def programme_lines(*, programme: Programme, on: date, steps: dict) -> list[Line]:
    """Every requirement of the programme as a condition on a trainee row, in the eligibility checklist's order."""
    return [*_training_lines(programme, steps), *_hours_lines(programme, on), *_ethics_lines(programme)]


def trainees_with_requirements(*, programme: Programme, lines: list[Line]) -> QuerySet:
    """Trainees without a certificate of the programme, each annotated met_<n> (0 or 1) per line and `met` in all."""
    annotations = {}
    for line in lines:
        annotations.update(line.annotations)
    flags = {
        f"met_{number}": Case(When(line.met, then=Value(1)), default=Value(0), output_field=IntegerField())
        for number, line in enumerate(lines)
    }
    holders = Certificate.objects.filter(holder=OuterRef("pk"), programme=programme)
    trainees = _trainees().exclude(Exists(holders)).annotate(**annotations).annotate(**flags)
    if "practice_minutes" not in annotations:
        trainees = trainees.annotate(practice_minutes=Value(0, output_field=IntegerField()))
    total = reduce(add, (F(name) for name in flags), Value(0))
    return trainees.annotate(met=total)


def _active_programmes() -> list[Programme]:
    return list(
        Programme.objects.filter(is_active=True)
        .prefetch_related("required_courses", "required_quizzes", "domain_hours__domain", "activity_hours")
        .order_by("name")
    )


def _near_queryset(programme: Programme, lines: list[Line]) -> QuerySet:
    total = len(lines)
    trainees = trainees_with_requirements(programme=programme, lines=lines).filter(met__lt=total)
    near = Q(met=total - 1, met__gte=1)
    if programme.practice_hours:
        needed = minutes_of(programme.practice_hours)
        near |= Q(practice_minutes__gte=(needed * NEAR_SHARE_PERCENT + 99) // 100, practice_minutes__gt=0)
    return trainees.filter(near)


def _near_setup(on: date) -> list[tuple[Programme, list[Line]]]:
    programmes = _active_programmes()
    courses = {course.id: course for programme in programmes for course in programme.required_courses.all()}
    steps = _course_steps(list(courses.values()))
    return [(programme, programme_lines(programme=programme, on=on, steps=steps)) for programme in programmes]


def trainees_near_eligibility(*, on: date) -> list[NearRow]:
    """Trainees not yet certified who meet all but one requirement of an active programme, or 80 % of its practice
    hours: one query per active programme (plus the programmes' set-up), sorted by how close they are."""
    rows = []
    for programme, lines in _near_setup(on):
        if not lines:
            continue
        needed = minutes_of(programme.practice_hours) if programme.practice_hours else 0
        for trainee in _near_queryset(programme, lines):
            unmet = [line.label for number, line in enumerate(lines) if not getattr(trainee, f"met_{number}")]
            rows.append(
                NearRow(
                    trainee=trainee,
                    programme=programme,
                    met=trainee.met,
                    total=len(lines),
                    unmet=unmet,
                    practice_minutes=trainee.practice_minutes,
                    practice_needed_minutes=needed,
                )
            )
    rows.sort(key=lambda row: (row.total - row.met, -row.practice_minutes, row.trainee.last_name, row.trainee.pk))
    return rows


def near_eligibility_count(*, on: date) -> int:
    """How many (trainee, programme) pairs are near eligibility: one count per active programme."""
    return sum(_near_queryset(programme, lines).count() for programme, lines in _near_setup(on) if lines)


# The funnel and the time to certification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """People at each step towards a certificate; each step counts those who reached it and every step before."""

    enrolled: int
    course_completed: int
    hours_approved: int
    certified: int

    def steps(self) -> list[tuple[str, int, int | None]]:
        """(label, people, percent of the enrolled) for each step."""
        labels = [
            ("Enrolled in a course", self.enrolled),
            ("Completed a course", self.course_completed),
            ("Had practice hours approved", self.hours_approved),
            ("Certified", self.certified),
        ]
        return [(label, people, people * 100 // self.enrolled if self.enrolled else None) for label, people in labels]


def _completed_a_course() -> Q:
    """People who completed every live lesson and passed every live quiz of at least one live course."""
    courses = list(CoursePage.objects.live().order_by("path"))
    steps = _course_steps(courses)
    completed = []
    for lesson_ids, quiz_ids in steps.values():
        if not lesson_ids and not quiz_ids:
            continue  # an empty course is never complete
        condition = Q()
        if lesson_ids:
            done = (
                LessonCompletion.objects.filter(lesson_id__in=lesson_ids)
                .values("user")
                .annotate(n=Count("lesson_id", distinct=True))
                .filter(n=len(lesson_ids))
                .values("user")
            )
            condition &= Q(pk__in=done)
        if quiz_ids:
            passed = (
                QuizAttempt.objects.filter(quiz_id__in=quiz_ids, passed=True)
                .values("user")
                .annotate(n=Count("quiz_id", distinct=True))
                .filter(n=len(quiz_ids))
                .values("user")
            )
            condition &= Q(pk__in=passed)
        completed.append(condition)
    return reduce(or_, completed) if completed else Q(pk__in=[])


def certification_funnel() -> Funnel:
    """Enrolled → completed a course → hours approved → certified, over everyone with an enrolment: four queries."""
    enrolled = Exists(Enrolment.objects.filter(user=OuterRef("pk")))
    approved = Q(
        Exists(PracticeEntry.objects.filter(trainee=OuterRef("pk"), status=Status.APPROVED, kind=Kind.PRACTICE))
    )
    certified = Q(Exists(Certificate.objects.filter(holder=OuterRef("pk"))))
    completed = _completed_a_course()
    counts = (
        get_user_model()
        .objects.filter(enrolled)
        .aggregate(
            enrolled=Count("pk"),
            course_completed=Count("pk", filter=completed),
            hours_approved=Count("pk", filter=completed & approved),
            certified=Count("pk", filter=completed & approved & certified),
        )
    )
    return Funnel(**counts)


@dataclass(frozen=True)
class TimeToCertificate:
    """The median days from a person's first enrolment to their first certificate, over how many people."""

    median_days: float | None
    people: int


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from one moment to a later one (0 if the later one came first)."""
    return max(0, (end - start).days)


def time_to_certificate() -> TimeToCertificate:
    """Median days from first enrolment to first certificate, over certified people who enrolled: one query."""
    rows = (
        Certificate.objects.filter(origin=Certificate.Origin.FIRST)
        .values("holder")
        .annotate(issued=Min("issued_at"), enrolled=Min("holder__enrolments__enrolled_at"))
        .filter(enrolled__isnull=False)
        .values_list("enrolled", "issued")
        .order_by()
    )
    days = [days_between(enrolled, issued) for enrolled, issued in rows]
    return TimeToCertificate(median_days=statistics.median(days) if days else None, people=len(days))


# The dashboard panel ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Everything the dashboard panel shows."""

    waiting: WaitingTotals
    top_supervisors: list
    without_supervisor: int
    supervisor_requests: int
    expiring: int
    near_eligibility: int
    funnel: Funnel
    time_to_certificate: TimeToCertificate


def overview_summary(*, on: date) -> Summary:
    """The dashboard panel's figures; the query count depends on the programmes' set-up, never on the trainees."""
    return Summary(
        waiting=waiting_totals(),
        top_supervisors=list(hours_waiting_by_supervisor()[:TOP_SUPERVISORS]),
        without_supervisor=trainees_without_supervisor(on=on).count(),
        supervisor_requests=open_supervisor_requests().count(),
        expiring=certificates_expiring(on=on).count(),
        near_eligibility=near_eligibility_count(on=on),
        funnel=certification_funnel(),
        time_to_certificate=time_to_certificate(),
    )
