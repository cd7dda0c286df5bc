"""Factories for users and course trees."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.rich_text import RichText

from content.models import HomePage
from content.services import home_page_install
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModuleObjective, ModulePage
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE

PASSWORD = "a-test-password-42"
MFA_ROLES = (SUPERVISOR, PROGRAMME_ADMIN)


def give_totp(user, secret: str | None = None):
    """Set up an authenticator app (a random secret unless given) and recovery codes, as allauth's page does.

    Returns the app's Authenticator.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    totp = TOTP.activate(user, secret or generate_totp_secret()).instance
    RecoveryCodes.activate(user)
    return totp


def totp_code(user, *, at: float | None = None) -> str:
    """The code the user's authenticator app shows now (or at the given Unix time)."""
    from demo.accounts import totp_code_now, totp_secret_of

    secret = totp_secret_of(user)
    assert secret is not None, f"{user.get_username()} has no authenticator app"
    return totp_code_now(secret, at=at)


def superuser(**kwargs):
    """A superuser (staff, no role groups) with an authenticator app, as the two-factor rule requires."""
    return UserFactory(**{"roles": [], "is_superuser": True, "is_staff": True, **kwargs})


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a known password and, by default, the trainee role."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Add the user to the named role groups (trainee unless told otherwise)."""
        if create:
            for role in extracted if extracted is not None else [TRAINEE]:
                self.groups.add(Group.objects.get(name=role))
            self.save()

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Give supervisors, programme admins and superusers an authenticator app, as the site requires.

        `mfa=False` leaves it off (to test the two-factor rule); `mfa=True` turns it on for anyone.
        """
        if not create or extracted is False:
            return
        if extracted or self.is_superuser or self.groups.filter(name__in=MFA_ROLES).exists():
            give_totp(self)


def site_home() -> HomePage:
    """Return the site's HomePage, creating it (and making it the site root) if needed."""
    existing = HomePage.objects.first()
    if existing:
        return existing
    return home_page_install(home=HomePage(title="Home", slug="home"))


def course_index() -> CourseIndexPage:
    """Return /courses/, creating it if needed."""
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    return site_home().add_child(instance=CourseIndexPage(title="Courses", slug="courses"))


def build_course(*, modules: int = 2, lessons_per_module: int = 2, slug: str = "course", title: str = "A course"):
    """Build a live course with the given number of modules and lessons; returns (course, lessons in order)."""
    course = course_index().add_child(instance=CoursePage(title=title, slug=slug, summary="A course for tests."))
    lessons = []
    for m in range(1, modules + 1):
        module = course.add_child(
            instance=ModulePage(
                title=f"Module {m}",
                slug=f"module-{m}",
                summary=f"Summary of module {m}.",
                objectives=[ModuleObjective(text=f"Objective of module {m}")],
            )
        )
        for n in range(1, lessons_per_module + 1):
            lessons.append(
                module.add_child(
                    instance=LessonPage(
                        title=f"Lesson {m}.{n}",
                        slug=f"lesson-{n}",
                        body=[("text", RichText(f"<p>Teaching for lesson {m}.{n}.</p>"))],
                    )
                )
            )
    return course, lessons


def question_data(number: int, kind: str = "single", scoring: str = "all_or_nothing", choices: int = 3) -> dict:
    """Raw stream data for one quiz question; in single and multiple questions the first choices are correct."""
    correct_count = {"single": 1, "true_false": 1, "multiple": 2}[kind]
    count = 2 if kind == "true_false" else choices
    return {
        "type": "question",
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "value": {
            "kind": kind,
            "scoring": scoring,
            "competency": None,
            "stem": f"<p>Scenario {number}: what do you say?</p>",
            "choices": [
                {
                    "type": "item",
                    "id": f"00000000-0000-4000-9{number:03d}-{index:012d}",
                    "value": {
                        "text": f"Response {number}.{index}",
                        "correct": index <= correct_count,
                        "rationale": f"Reasoning {number}.{index}",
                    },
                }
                for index in range(1, count + 1)
            ],
        },
    }


def build_quiz(module, *, questions: int = 4, kinds: list[str] | None = None, **rules):
    """Add a live quiz to a module with the given number of questions (single choice unless kinds says otherwise)."""
    from courses.blocks import QuestionStreamBlock
    from courses.models import QuizPage

    kinds = kinds or ["single"] * questions
    stream = QuestionStreamBlock().to_python([question_data(n, kind) for n, kind in enumerate(kinds, start=1)])
    defaults = {"title": "Module quiz", "slug": "quiz", "pass_mark": 80, "max_attempts": 3, "wait_hours": 0}
    return module.add_child(instance=QuizPage(questions=stream, **{**defaults, **rules}))


def answer_key(attempt, *, right: bool = True) -> dict[str, set[str]]:
    """Answers for every question of an attempt: all correct, or (right=False) one wrong choice each."""
    answers = {}
    for question in attempt.questions.all():
        choices = question.snapshot["choices"]
        if right:
            answers[question.question_key] = {c["key"] for c in choices if c["correct"]}
        else:
            answers[question.question_key] = {next(c["key"] for c in choices if not c["correct"])}
    return answers


def build_assignment(*, trainee=None, supervisor=None, organisation=None, starts_on=None, ends_on=None, profile=True):
    """A supervisor assignment (with a supervisor profile unless told otherwise) for a trainee."""
    from datetime import timedelta

    from django.utils import timezone

    from lms.roles import SUPERVISOR
    from practice.models import Organisation, SupervisorProfile
    from practice.supervision import assignment_create

    trainee = trainee or UserFactory()
    supervisor = supervisor or UserFactory(roles=[SUPERVISOR])
    if profile:
        SupervisorProfile.objects.get_or_create(
            user=supervisor,
            defaults={"qualification": "CPS Supervisor", "credential_number": "S-1", "jurisdiction": "Testland"},
        )
    organisation = organisation or Organisation.objects.get_or_create(name="Test Placement")[0]
    return assignment_create(
        supervisor=supervisor,
        trainee=trainee,
        organisation=organisation,
        starts_on=starts_on or timezone.localdate() - timedelta(days=365),
        ends_on=ends_on,
    )


def entry_data(assignment, **overrides):
    """EntryData for a valid practice entry yesterday, one hour long; override any field."""
    from datetime import timedelta

    from django.utils import timezone

    from content.models import CompetencyDomain
    from practice.services import EntryData

    values = {
        "assignment": assignment,
        "performed_on": timezone.localdate() - timedelta(days=1),
        "minutes": 60,
        "delivery": "in_person",
        "activity_type": "individual",
        "contact": "direct",
        "domains": list(CompetencyDomain.objects.all()[:1]),
        "setting": "community",
        "reflection": "Listened more than I spoke, and noticed the difference it made.",
    }
    values.update(overrides)
    return EntryData(**values)


def supervision_data(assignment, **overrides):
    """EntryData for a valid one-hour supervision session yesterday."""
    from datetime import timedelta

    from django.utils import timezone

    from practice.services import EntryData

    values = {
        "kind": "supervision",
        "assignment": assignment,
        "performed_on": timezone.localdate() - timedelta(days=1),
        "minutes": 60,
        "delivery": "remote",
        "session_format": "individual",
        "topics": "Boundaries on the warm line.",
    }
    values.update(overrides)
    return EntryData(**values)


def build_programme(**overrides):
    """A small active programme: 4 h practice, 1 h supervision, no ratio, direct share, window or ethics unless set.

    Pass `domain_hours={slug: hours}` and `activity_hours={activity: hours}` for per-domain and per-activity minimums,
    and `courses=[...]` / `quizzes=[...]` for the training that must be passed.
    """
    from decimal import Decimal

    from certificates.models import Programme, ProgrammeActivityHours, ProgrammeDomainHours
    from content.models import CompetencyDomain

    domain_hours = overrides.pop("domain_hours", {})
    activity_hours = overrides.pop("activity_hours", {})
    courses = overrides.pop("courses", [])
    quizzes = overrides.pop("quizzes", [])
    values = {
        "name": "Certified Peer Specialist",
        "abbreviation": "CPS",
        "issuing_body": "Peer Support Certification Board",
        "signatory_name": "Dr Amara Okafor",
        "signatory_title": "Chair of the Board",
        "practice_hours": Decimal(4),
        "supervision_hours": Decimal(1),
        "ethics_attestation_required": False,
        "validity_months": 24,
        "renewal_ce_hours": Decimal(2),
        "renewal_opens_days": 90,
    }
    values.update(overrides)
    programme = Programme.objects.create(**values)
    for slug, hours in domain_hours.items():
        ProgrammeDomainHours.objects.create(
            programme=programme, domain=CompetencyDomain.objects.get(slug=slug), hours=Decimal(hours)
        )
    for activity, hours in activity_hours.items():
        ProgrammeActivityHours.objects.create(programme=programme, activity_type=activity, hours=Decimal(hours))
    programme.required_courses.set(courses)
    programme.required_quizzes.set(quizzes)
    programme.save()  # parental many-to-many relations are written on save
    return programme


def approve_programme_hours(assignment):
    """Approve what build_programme() asks for by default: 4 h of practice and 1 h of supervision, yesterday."""
    return approve_hours(assignment, [entry_data(assignment, minutes=240), supervision_data(assignment, minutes=60)])


def approve_hours(assignment, entries: list, *, supervisor=None):
    """Create the given EntryData entries, submit them and have the assignment's supervisor approve them all."""
    from practice.services import entries_approve, entries_submit, entry_create

    created = [entry_create(trainee=assignment.trainee, data=data) for data in entries]
    batches = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in created])
    for batch in batches:
        entries_approve(supervisor=supervisor or assignment.supervisor, batch_id=batch.pk, attested=True)
    return created


def skills_check(assignment, skill: str, *, days_ago: int = 1, approve: bool = True):
    """A half-hour skills check in the skill `days_ago`, sent and (unless told otherwise) signed off with the rubric."""
    from datetime import timedelta

    from django.utils import timezone

    from demo.skills import approve_with_rubric
    from practice.services import entries_submit, entry_create

    entry = entry_create(
        trainee=assignment.trainee,
        data=entry_data(
            assignment,
            activity_type="skills_check",
            skill=skill,
            minutes=30,
            performed_on=timezone.localdate() - timedelta(days=days_ago),
            start_time=None,
        ),
    )
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    if approve:
        approve_with_rubric(supervisor=assignment.supervisor, batch=batch)
    return entry


def issued_certificate(*, first_name: str, last_name: str, email: str | None = None):
    """A trainee of that name who has met build_programme()'s requirements, and the certificate just issued."""
    from certificates.services import certificates_check

    assignment = build_assignment()
    trainee = assignment.trainee
    trainee.first_name, trainee.last_name = first_name, last_name
    if email:
        trainee.email = email
    trainee.save()
    approve_programme_hours(assignment)
    build_programme()
    (certificate,) = certificates_check(holder=trainee)
    return certificate
