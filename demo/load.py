"""Load data for measuring the site at scale: trainees, supervisors, placements, courses taken, practice logs and
certificates, written straight to the database in bulk (used by `manage.py seed_load` and `make bench`).

Scale 1 is 50 trainees with 100 practice and supervision entries each (5,000 entries); scale 100 is 5,000 trainees
and 500,000 entries. Every trainee has the same shape of data whatever the scale, so a page measured for one of
them at 1x and at 100x shows what the extra rows elsewhere cost. It builds on the demo's curriculum and
Certified Peer Specialist programme (demo.site, demo.certificates), loaded first if missing.

What it makes, by trainee number i (counting from 0; the same numbers always give the same data):

- one supervisor per 25 trainees, with a supervisor profile, and one placement per 2 supervisors;
- every trainee enrolled in the demo course, with lessons completed and quizzes passed (some after a failed
  attempt), each attempt with its questions and answers;
- every 20th trainee (i = 0, 20, 40, …) a graduate: 100 entries all approved (the first three training days, the
  next four a skills check of each skill, signed off with the full rubric), every requirement met, the code of
  ethics signed, and a certificate issued on a date in the last 30 months (so some have expired);
- everyone else part way: 60 entries approved in batches of 10 with a supervisor's attestation, 5 returned with
  a comment, 20 waiting for review in 2 batches, and 15 drafts; every third has signed the code of ethics.

It is fast because it skips the services: rows are written with ids chosen here, by COPY on PostgreSQL and
multi-row inserts elsewhere, in one transaction (all or nothing), and the services' rules are kept by the data's
shape instead (no overlapping or future entries, dates inside the assignment, approved entries attested, every
free text free of anything identifying the people supported). For the same reason it writes no change history
(django-simple-history) for these rows, renders no certificate PDF (they stay "being prepared" until
`send_certificate_reminders` queues them) and signs no credential. Load accounts have unusable passwords.
Verification codes and status-list places are random, as for real certificates. PostgreSQL's statistics of the
tables written are refreshed (ANALYZE) afterwards, as autovacuum would after such growth.
"""

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from certificates.models import EthicsAttestation, Programme
from content.models import CompetencyDomain
from courses import quiz_rules
from courses.models import (
    AttemptAnswer,
    AttemptQuestion,
    CoursePage,
    Enrolment,
    LessonCompletion,
    QuizAttempt,
    QuizPage,
)
from demo.certificates import (
    AFTERTHOUGHTS,
    SHIFT_KINDS,
    SUPERVISION_TOPICS,
    TRAINING,
    ensure_ethics_page,
    ensure_programme,
)
from demo.load_certificates import _issue_certificates
from demo.load_context import Context, Curriculum, _moment
from demo.load_rows import RawJson
from demo.site import LoadReport, load_site
from demo.skills import SKILL_ROLE_PLAYS, add_skills_check_rows
from lms.roles import SUPERVISOR, TRAINEE
from practice.models import Attestation, Batch, Organisation, PracticeEntry, SupervisorAssignment, SupervisorProfile

TRAINEES_PER_SCALE = 50
ENTRIES_PER_TRAINEE = 100  # every 10th a supervision session
TRAINEES_PER_SUPERVISOR = 25
SUPERVISORS_PER_PLACEMENT = 2
GRADUATE_EVERY = 20
ENTRIES_PER_BATCH = 10
ENTRY_GAP_DAYS = 3  # one entry every third day: no overlaps, no day above 24 h
TRAINEE_PREFIX = "load-trainee-"
SUPERVISOR_PREFIX = "load-supervisor-"

# A part-way trainee's 100 entries, oldest first: how many of each status.
IN_PROGRESS_PLAN = [(60, "approved"), (5, "returned"), (20, "submitted"), (15, "draft")]
IN_PROGRESS_MINUTES = [120, 180, 240, 300, 360, 240, 180, 480]
GRADUATE_MINUTES = 8 * 60
GRADUATE_TRAINING = range(0, 3)  # positions of a graduate's log that are training days (24 h)
GRADUATE_SKILLS_CHECKS = dict(enumerate(SKILL_ROLE_PLAYS, start=3))  # position: skill, one of each
SUPERVISION_MINUTES = {"graduate": 4 * 60, "in_progress": 90}
RETURN_COMMENT = "Thank you. Please add what you learned, and say which competencies you drew on, as we discussed."


def log_plan(plan: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Runs of entries sent together, as (first, last, status): tens approved or waiting, returned in one, no drafts."""
    runs, start = [], 0
    for count, status in plan:
        size = count if status in ("returned", "draft") else ENTRIES_PER_BATCH
        for first in range(start, start + count, size):
            runs.append((first, min(first + size, start + count) - 1, status))
        start += count
    return runs


IN_PROGRESS_LOG = log_plan(IN_PROGRESS_PLAN)
GRADUATE_LOG = log_plan([(ENTRIES_PER_TRAINEE, "approved")])

FIRST_NAMES = [
    "Aisha", "Ben", "Carmen", "Dev", "Elena", "Femi", "Grace", "Hamza", "Ines", "Jonah", "Keiko", "Liam", "Maya",
    "Nikhil", "Olu", "Paula", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
    "Amara", "Bruno", "Chloe", "Dario", "Esi", "Farah", "Gabriel", "Hana", "Idris", "Jade", "Kofi", "Lena", "Mateo",
    "Nora", "Omar", "Priya", "Rafael", "Sofia", "Tomás", "Una", "Viktor", "Willa", "Yara", "Zain",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Bergström", "Castillo", "Dimitriou", "Evans", "Fischer", "García", "Haddad", "Ibrahim", "Jensen",
    "Kowalski", "López", "Mensah", "Nakamura", "O'Brien", "Petrov", "Quispe", "Rossi", "Singh", "Tanaka", "Usman",
    "Varga", "Walsh", "Xu", "Yilmaz", "Zhou", "Abara", "Brennan", "Chaudhry", "Delgado",
]  # fmt: skip
TOWNS = [
    "Harbourside", "Millbrook", "Eastgate", "Riverside", "Oakfield", "Northside", "Kingsmead", "Westbury",
    "Ashford", "Brookvale", "Clearwater", "Dunmore", "Elmstead", "Fairview", "Greenhill", "Hollowell", "Ironbridge",
    "Juniper Bay", "Kestrel Park", "Lowmoor",
]  # fmt: skip
SERVICES = ["Peer Support Centre", "Recovery Café", "Warm Line", "Community Wellbeing Hub", "Crisis House"]


def trainee_username(number: int) -> str:
    """The username of load trainee `number` (from 0)."""
    return f"{TRAINEE_PREFIX}{number + 1:05d}"


def supervisor_username(number: int) -> str:
    """The username of load supervisor `number` (from 0)."""
    return f"{SUPERVISOR_PREFIX}{number + 1:04d}"


def placement_name(number: int) -> str:
    """The name of load placement `number` (from 0): a town and a kind of service, numbered once they run out."""
    town, service = TOWNS[number % len(TOWNS)], SERVICES[(number // len(TOWNS)) % len(SERVICES)]
    rounds = number // (len(TOWNS) * len(SERVICES))
    return f"{town} {service}" + (f" {rounds + 1}" if rounds else "")


def person_name(number: int, *, offset: int = 0) -> tuple[str, str]:
    """A first and last name for load person `number`."""
    number += offset
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[(number // len(FIRST_NAMES) + number) % len(LAST_NAMES)]


def is_graduate(number: int) -> bool:
    """Whether load trainee `number` has met every requirement and holds a certificate."""
    return number % GRADUATE_EVERY == 0


def load_counts() -> tuple[int, int]:
    """How many load trainees and load supervisors the database holds."""
    users = get_user_model().objects
    return (
        users.filter(username__startswith=TRAINEE_PREFIX).count(),
        users.filter(username__startswith=SUPERVISOR_PREFIX).count(),
    )


# The plan -----------------------------------------------------------------------------------------------------------


def _add_user(ctx: Context, *, username: str, first: str, last: str, group: int, joined: datetime) -> int:
    email = f"{username}@example.org"
    user_id = ctx.table(get_user_model()).add(
        password=ctx.unusable_password,
        username=username,
        first_name=first,
        last_name=last,
        email=email,
        is_active=True,
        is_staff=False,
        is_superuser=False,
        date_joined=joined,
    )
    ctx.table(get_user_model().groups.through).add(user_id=user_id, group_id=group)
    ctx.table(EmailAddress).add(user_id=user_id, email=email, verified=True, primary=True)
    return user_id


def _ensure_supervisor(ctx: Context, number: int) -> tuple[int, str, str]:
    if number in ctx.supervisors:
        return ctx.supervisors[number]
    first, last = person_name(number, offset=17)
    user_id = _add_user(
        ctx,
        username=supervisor_username(number),
        first=first,
        last=last,
        group=ctx.supervisor_group,
        joined=_moment(ctx.today - timedelta(days=1200), time(9)),
    )
    profile = {
        "qualification": "Certified Peer Specialist Supervisor",
        "credential_number": f"CPSS-{30000 + number}",
        "jurisdiction": "Demo State",
    }
    ctx.table(SupervisorProfile).add(user_id=user_id, **profile)
    credentials = f"{profile['qualification']}, {profile['jurisdiction']} {profile['credential_number']}"
    ctx.supervisors[number] = (user_id, f"{first} {last}", credentials)
    return ctx.supervisors[number]


def _ensure_placement(ctx: Context, number: int) -> int:
    if number not in ctx.placements:
        name = placement_name(number)
        town = TOWNS[number % len(TOWNS)]
        ctx.placements[number] = ctx.table(Organisation).add(name=name, location=town, is_active=True)
    return ctx.placements[number]


def add_trainee(ctx: Context, number: int) -> None:
    """Write everything about load trainee `number`: account, assignment, learning, practice log, ethics."""
    graduate = is_graduate(number)
    issued_on = ctx.today - timedelta(days=(number // GRADUATE_EVERY) * 97 % 900) if graduate else None
    last_day = issued_on - timedelta(days=3) if graduate else ctx.today - timedelta(days=number % 5)
    first_day = last_day - timedelta(days=ENTRY_GAP_DAYS * (ENTRIES_PER_TRAINEE - 1))
    starts_on = first_day - timedelta(days=7)
    supervisor_number = number // TRAINEES_PER_SUPERVISOR
    supervisor_id, signed_name, credentials = _ensure_supervisor(ctx, supervisor_number)
    organisation_id = _ensure_placement(ctx, supervisor_number // SUPERVISORS_PER_PLACEMENT)
    first, last = person_name(number)
    trainee_id = _add_user(
        ctx,
        username=trainee_username(number),
        first=first,
        last=last,
        group=ctx.trainee_group,
        joined=_moment(starts_on - timedelta(days=14), time(12)),
    )
    assignment_id = ctx.table(SupervisorAssignment).add(
        supervisor_id=supervisor_id, trainee_id=trainee_id, organisation_id=organisation_id, starts_on=starts_on
    )
    _add_learning(ctx, number, trainee_id, starts_on, complete=graduate)
    _add_practice_log(
        ctx,
        number,
        trainee_id=trainee_id,
        assignment_id=assignment_id,
        supervisor=(supervisor_id, signed_name, credentials),
        first_day=first_day,
        graduate=graduate,
    )
    if graduate or number % 3 == 1:
        signed_on = (issued_on - timedelta(days=30)) if graduate else starts_on + timedelta(days=60)
        ctx.table(EthicsAttestation).add(
            programme_id=ctx.programme.pk,
            user_id=trainee_id,
            statement=ctx.programme.ethics_statement,
            signed_name=f"{first} {last}",
            signed_at=_moment(signed_on, time(11)),
        )
    if graduate:
        ctx.graduates.append((trainee_id, issued_on))


def _add_learning(ctx: Context, number: int, user_id: int, starts_on: date, *, complete: bool) -> None:
    """Enrolment, lessons completed in order (one a day) and each finished module's quiz passed."""
    curriculum = ctx.curriculum
    ctx.table(Enrolment).add(user_id=user_id, course_id=curriculum.course.pk, enrolled_at=_moment(starts_on, time(9)))
    lessons = len(curriculum.lessons)
    lessons_done = lessons if complete else min(lessons, 6 + (number * 5) % max(1, lessons - 5))
    for position, lesson in enumerate(curriculum.lessons[:lessons_done]):
        day = starts_on + timedelta(days=position)
        ctx.table(LessonCompletion).add(user_id=user_id, lesson_id=lesson.pk, completed_at=_moment(day, time(19)))
    for module_number, (positions, quiz) in enumerate(curriculum.modules):
        if quiz is None or not positions or max(positions) >= lessons_done:
            continue
        day = starts_on + timedelta(days=max(positions) + 1)
        tries = [2, 0] if (number + module_number) % 4 == 0 else [1 if number % 2 else 0]
        for attempt_number, wrong in enumerate(tries, start=1):
            _add_attempt(ctx, user_id, quiz, attempt_number, wrong, _moment(day, time(10 + attempt_number)))


def _add_attempt(ctx: Context, user_id: int, quiz: QuizPage, attempt_number: int, wrong: int, at: datetime) -> None:
    """One submitted attempt, its questions as drawn and its answers: the last `wrong` answered wrongly."""
    questions = ctx.curriculum.quiz_questions[quiz.pk]
    answers, scores, percent = ctx.curriculum.graded(quiz.pk, wrong)
    attempt_id = ctx.table(QuizAttempt).add(
        user_id=user_id,
        quiz_id=quiz.pk,
        number=attempt_number,
        status=QuizAttempt.SUBMITTED,
        started_at=at,
        deadline=at + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
        submitted_at=at + timedelta(minutes=9),
        pass_mark=quiz.pass_mark,
        score=quiz_rules.rounded_down(percent),
        passed=quiz_rules.passes(percent, quiz.pass_mark),
        timed_out=False,
    )
    for position, ((key, _, snapshot_json), selected, score) in enumerate(
        zip(questions, answers, scores, strict=True), start=1
    ):
        question_id = ctx.table(AttemptQuestion).add(
            attempt_id=attempt_id,
            position=position,
            question_key=key,
            snapshot=RawJson(snapshot_json),
            score=quiz_rules.rounded_down(score, places=4),
        )
        for choice in sorted(selected):
            ctx.table(AttemptAnswer).add(attempt_question_id=question_id, choice_key=choice)


def _add_practice_log(
    ctx: Context,
    number: int,
    *,
    trainee_id: int,
    assignment_id: int,
    supervisor: tuple[int, str, str],
    first_day: date,
    graduate: bool,
) -> None:
    """100 entries a few days apart, oldest first, sent in batches and reviewed as their status says."""
    supervisor_id, signed_name, credentials = supervisor
    entries, domains_table = ctx.table(PracticeEntry), ctx.table(PracticeEntry.domains.through)
    plan = GRADUATE_LOG if graduate else IN_PROGRESS_LOG
    profile = "graduate" if graduate else "in_progress"
    position = 0
    for first, last, status in plan:
        batch_id = attestation_id = None
        sent_at = reviewed_at = None
        if status != "draft":
            sent_on = first_day + timedelta(days=ENTRY_GAP_DAYS * last + 1)
            sent_at = ctx.clamp(_moment(sent_on, time(18)))
            reviewed_at = ctx.clamp(_moment(sent_on + timedelta(days=2), time(10)))
            batch_id = ctx.table(Batch).add(
                trainee_id=trainee_id,
                assignment_id=assignment_id,
                status=Batch.Status.SUBMITTED if status == "submitted" else Batch.Status.REVIEWED,
                submitted_at=sent_at,
            )
        if status == "approved":
            attestation_id = ctx.table(Attestation).add(
                supervisor_id=supervisor_id,
                batch_id=batch_id,
                statement=Attestation.STATEMENT,
                signed_name=signed_name,
                credentials=credentials,
                signed_at=reviewed_at,
            )
        for position in range(first, last + 1):
            day = first_day + timedelta(days=ENTRY_GAP_DAYS * position)
            created_at = _moment(day, time(20))
            values = {
                "trainee_id": trainee_id,
                "assignment_id": assignment_id,
                "performed_on": day,
                "status": status,
                "batch_id": batch_id,
                "attestation_id": attestation_id,
                "return_comment": RETURN_COMMENT if status == "returned" else "",
                "created_at": created_at,
                "updated_at": {"draft": created_at, "submitted": sent_at}.get(status, reviewed_at),
                "long_day_confirmed": False,
            }
            if position % 10 == 9:
                entries.add(
                    **values,
                    kind=PracticeEntry.Kind.SUPERVISION,
                    start_time=time(17, 30),
                    minutes=SUPERVISION_MINUTES[profile],
                    session_format="group" if position % 30 == 29 else "individual",
                    delivery=PracticeEntry.Delivery.REMOTE if number % 2 else PracticeEntry.Delivery.IN_PERSON,
                    topics=SUPERVISION_TOPICS[(number + position // 10) % len(SUPERVISION_TOPICS)],
                )
                continue
            if graduate and position in GRADUATE_SKILLS_CHECKS:
                add_skills_check_rows(ctx, values, skill=GRADUATE_SKILLS_CHECKS[position], supervisor_id=supervisor_id)
                continue
            shift = SHIFT_KINDS[(number + position) % len(SHIFT_KINDS)]
            activity, contact, slugs, setting, delivery, text = (
                TRAINING if graduate and position in GRADUATE_TRAINING else shift
            )
            afterthought = AFTERTHOUGHTS[(number * 3 + position) % len(AFTERTHOUGHTS)]
            cycle = IN_PROGRESS_MINUTES[(number + position) % len(IN_PROGRESS_MINUTES)]
            entry_id = entries.add(
                **values,
                kind=PracticeEntry.Kind.PRACTICE,
                start_time=time(9),
                minutes=GRADUATE_MINUTES if graduate else cycle,
                activity_type=activity,
                contact=contact,
                setting=setting,
                delivery=delivery,
                reflection=f"{text} {afterthought}",
            )
            for slug in slugs:
                domains_table.add(practiceentry_id=entry_id, competencydomain_id=ctx.domains[slug])


# The command's entry point -----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What a load added, and how long it took."""

    trainees_before: int
    trainees_after: int
    rows: dict[str, int]
    seconds: float

    @property
    def added(self) -> int:
        """How many trainees were added."""
        return self.trainees_after - self.trainees_before


def ensure_curriculum() -> tuple[Programme, CoursePage]:
    """The demo site, curriculum and CPS programme (loaded if missing); returns the programme and its course."""
    home, _ = load_site()
    report = LoadReport()
    programme = ensure_programme(ethics_page=ensure_ethics_page(report), report=report)
    course = programme.required_courses.live().order_by("path").first()
    if course is None:
        raise RuntimeError(f"{programme} has no live course to enrol the load trainees in.")
    return programme, course


def load(*, trainees: int) -> LoadResult:
    """Bring the load data up to `trainees` trainees (adding only those missing), in one transaction.

    Returns what was added. Raises RuntimeError when a generated graduate somehow misses a requirement.
    """
    started = clock.perf_counter()
    programme, course = ensure_curriculum()
    before, _ = load_counts()
    if trainees <= before:
        return LoadResult(before, before, {}, clock.perf_counter() - started)
    with transaction.atomic():
        user_model = get_user_model()
        ctx = Context(
            today=timezone.localdate(),
            now=timezone.now(),
            programme=programme,
            curriculum=Curriculum.of(course),
            domains=dict(CompetencyDomain.objects.values_list("slug", "pk")),
            trainee_group=Group.objects.get(name=TRAINEE).pk,
            supervisor_group=Group.objects.get(name=SUPERVISOR).pk,
            supervisors={},
            placements={},
        )
        for user_id, username, first, last in user_model.objects.filter(
            username__startswith=SUPERVISOR_PREFIX
        ).values_list("pk", "username", "first_name", "last_name"):
            number = int(username.removeprefix(SUPERVISOR_PREFIX)) - 1
            profile = SupervisorProfile.objects.get(user_id=user_id)
            credentials = f"{profile.qualification}, {profile.jurisdiction} {profile.credential_number}"
            ctx.supervisors[number] = (user_id, f"{first} {last}", credentials)
        names = {placement_name(n): n for n in range(max(ctx.supervisors, default=0) // SUPERVISORS_PER_PLACEMENT + 1)}
        for organisation_id, name in Organisation.objects.filter(name__in=names).values_list("pk", "name"):
            ctx.placements[names[name]] = organisation_id
        for number in range(before, trainees):
            add_trainee(ctx, number)
        for rows in ctx.rows.values():
            rows.flush()
        _issue_certificates(ctx)
        if connection.vendor == "postgresql":
            models_written = [rows.model for rows in ctx.rows.values()]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models_written):
                    cursor.execute(statement)
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(rows.model._meta.db_table) for rows in ctx.rows.values())
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    counts = {label: rows.count for label, rows in ctx.rows.items()}
    return LoadResult(before, trainees, counts, clock.perf_counter() - started)


def scale_of(trainees: int) -> str:
    """The scale a number of load trainees makes, for people: '1x', '100x', '0.4x'."""
    return f"{trainees / TRAINEES_PER_SCALE:g}x"
