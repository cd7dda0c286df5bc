"""Demo certification: the code of ethics page, the Certified Peer Specialist programme and four certificate holders.

Between them they hold one certificate of every status. `graduate` meets every requirement and holds a valid
certificate, `riley` was certified about 25 months ago and the certificate has since expired, `casey`'s certificate
was revoked, and `noor`'s first certificate, printed with a misspelt name, was reissued under the right one (so the
first is superseded) and the reissue is suspended while the board looks into a complaint. Hours, quiz passes,
attestations and certificates all go through the services, so what the demo shows is what the product does. A holder
who already has a certificate of the programme is left alone, so running it again changes nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from certificates.eligibility import add_months, programme_eligibility
from certificates.ethics import ethics_attestation_sign
from certificates.models import Certificate, EthicsAttestation, Programme, ProgrammeActivityHours, ProgrammeDomainHours
from certificates.services import certificate_issue_if_eligible, certificates_check, current_certificate
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from content.models import CompetencyDomain, HomePage
from courses.completions import quiz_passes
from courses.models import CoursePage, LessonPage, QuizPage
from courses.services import enrolment_create, lesson_complete, quiz_attempt_start, quiz_attempt_submit
from demo.site import DEMO_PASSWORD, LoadReport, load_policy_pages
from demo.skills import log_skills_checks
from practice.minutes import approved_minutes
from practice.models import Organisation, PracticeEntry, SupervisorAssignment
from practice.services import EntryData, entries_approve, entries_submit, entry_create
from practice.skills import SKILLS
from practice.supervision import assignment_create, organisation_create

A = PracticeEntry.ActivityType
C = PracticeEntry.Contact
S = PracticeEntry.Setting
D = PracticeEntry.Delivery

ETHICS_SLUG = "code-of-ethics"

PROGRAMME_NAME = "Certified Peer Specialist"
PROGRAMME = {
    "abbreviation": "CPS",
    "description": (
        "The entry credential for peer specialists: the foundations course (19 hours), 500 hours of supervised "
        "practice across the four IC&RC domains with 24 of them in training, four skills checks observed by a "
        "supervisor, and a signed code of ethics. Course and training together come to 43 hours, inside the 40 to "
        "80 hours of a state CPS training."
    ),
    "issuing_body": "Peer Support Certification Board",
    "signatory_name": "Dr Imani Castellanos",
    "signatory_title": "Chair of the Board",
    "practice_hours": Decimal(500),
    "supervision_hours": Decimal(25),
    "supervision_ratio_hours": Decimal(1),
    "supervision_ratio_per": Decimal(20),
    "direct_share_percent": 50,
    "skills_checks_required": 4,
    "hours_window_months": 36,
    "ethics_attestation_required": True,
    "validity_months": 24,
    "renewal_ce_hours": Decimal(20),
    "renewal_opens_days": 90,
}
ASSETS = Path(__file__).resolve().parent / "assets"
# Original demo artwork printed on the certificate: (title, file in demo/assets/).
SIGNATURE = ("Signature of Dr Imani Castellanos (demo)", "signature.png")
LOGO = ("Peer Support Certification Board logo (demo)", "issuer-logo.png")
DOMAIN_HOURS = {"advocacy": 50, "mentoring-education": 75, "recovery-wellness": 100, "ethical-responsibility": 25}
ACTIVITY_HOURS = {A.INDIVIDUAL: 150, A.TRAINING: 24}


@dataclass(frozen=True)
class DemoHolder:
    """A demo person who holds a certificate of the demo programme."""

    username: str
    first_name: str
    last_name: str
    organisation: str
    months_ago: int  # when the certificate was issued
    revoke_reason: str = ""
    misspelt_as: tuple[str, str] | None = None  # (first, last) printed on the first certificate, then reissued
    suspend_reason: str = ""


HOLDERS = [
    DemoHolder("graduate", "María José", "Fernández-Núñez", "Harbour Peer Support Centre", 0),
    DemoHolder("riley", "Riley", "Chen", "Northside Warm Line", 25),
    DemoHolder(
        "casey",
        "Casey",
        "Okoro",
        "Harbour Peer Support Centre",
        8,
        revoke_reason=(
            "Issued in error: the placement could not confirm some of the supervised practice hours "
            "this certificate was based on."
        ),
    ),
    DemoHolder(
        "noor",
        "Noor",
        "Haddad",
        "Northside Warm Line",
        10,
        misspelt_as=("Nour", "Hadad"),
        suspend_reason=(
            "Suspended while the board looks into a complaint about a placement. It will be reinstated or revoked "
            "once the review ends."
        ),
    ),
]
REISSUE_REASON = "The holder's name was misspelt on the first certificate."
STATUS_ORDER = ("valid", "expired", "suspended", "revoked", "superseded")

SHIFT_MINUTES = 8 * 60
SHIFT_START = time(9, 0)
SHIFT_GAP_DAYS = 3
SHIFTS = 64  # 64 shifts of 8 h: 512 h of practice
TRAINING_SHIFTS = 3  # the last three of them are training days: 24 h
TRAINING = (
    A.TRAINING,
    C.INDIRECT,
    ["ethical-responsibility", "mentoring-education"],
    S.COMMUNITY,
    D.IN_PERSON,
    "A training day on trauma-informed peer support and on crisis hand-offs, with practice in pairs.",
)
SUPERVISION_MINUTES = 2 * 60
SUPERVISION_START = time(17, 30)
# (activity, contact, domain slugs, setting, delivery, what the day was)
SHIFT_KINDS = [
    (
        A.INDIVIDUAL,
        C.DIRECT,
        ["mentoring-education", "recovery-wellness"],
        S.PEER_RUN,
        D.IN_PERSON,
        "A day of one-to-one conversations at the drop-in. I kept my questions open and let the silences sit.",
    ),
    (
        A.GROUP,
        C.DIRECT,
        ["recovery-wellness", "mentoring-education"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Co-facilitated the day's wellbeing groups. Going over the group agreement at the start helped everyone feel "
        "safe to speak.",
    ),
    (
        A.ADVOCACY,
        C.DIRECT,
        ["advocacy"],
        S.COMMUNITY,
        D.IN_PERSON,
        "Went along to housing and benefits appointments. We prepared together beforehand so each person could lead, "
        "and I spoke only when asked.",
    ),
    (
        A.INDIVIDUAL,
        C.DIRECT,
        ["recovery-wellness"],
        S.TELEHEALTH,
        D.REMOTE,
        "A shift on the warm line. Most callers wanted to be heard rather than advised, so I reflected back what I "
        "heard and checked I had understood.",
    ),
    (
        A.OUTREACH,
        C.DIRECT,
        ["advocacy", "mentoring-education"],
        S.COMMUNITY,
        D.IN_PERSON,
        "Outreach at the library and the community café, talking about what the peer service offers. A few people "
        "asked to come along to a group.",
    ),
    (
        A.DOCUMENTATION,
        C.INDIRECT,
        ["ethical-responsibility"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Wrote brief, factual notes for the week's sessions, kept free of anything that could identify anyone, and "
        "updated the referral list.",
    ),
    (
        A.INDIVIDUAL,
        C.DIRECT,
        ["recovery-wellness", "ethical-responsibility"],
        S.CRISIS,
        D.IN_PERSON,
        "A day at the crisis house. I stayed within my role, offered grounding to those who wanted it, and handed "
        "over warmly to staff when that was needed.",
    ),
    (
        A.GROUP,
        C.DIRECT,
        ["mentoring-education"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Ran a session on recovery planning. People wrote their own plans; I shared a little of how mine has changed "
        "over time.",
    ),
]
AFTERTHOUGHTS = [
    "Something to take to supervision: how much of my own story to share.",
    "I noticed I was tired by mid-afternoon and took a proper break.",
    "Next time I want to summarise more often before moving on.",
    "I felt the urge to fix things and caught it sooner than last month.",
    "Good teamwork with the staff on shift.",
    "I'm more comfortable with pauses in a conversation than I used to be.",
    "After a hard conversation I checked in with myself, as my wellness plan suggests.",
    "Asking what matters most to each person keeps paying off.",
]
SUPERVISION_TOPICS = [
    "Goals for the placement and how I'll look after myself.",
    "Using my recovery story with purpose, and when to keep it brief.",
    "Boundaries around gifts and social media.",
    "Ending warm-line calls kindly.",
    "A hard day at the crisis house, and what helped.",
    "Advocacy that supports people to speak for themselves.",
    "Confidentiality and its limits.",
    "Holding strong feelings in a group.",
    "Noticing the urge to fix, and staying with listening.",
    "Recovery-oriented language in notes.",
    "Compassion fatigue and my wellness plan.",
    "Overlapping roles in a small community.",
    "Getting ready for certification, and what comes next.",
]


def ensure_demo_certificates(stdout, *, users: dict, report: LoadReport) -> list[Certificate]:
    """Make the code of ethics page, the demo programme and the demo certificates, unless they exist.

    Returns every demo certificate, one of each status, in STATUS_ORDER (graduate's valid one first), and writes a
    note to `stdout` for any whose PDF isn't ready (with a background worker it is rendered later).
    """
    page = ensure_ethics_page(report)
    programme = ensure_programme(ethics_page=page, report=report)
    certificates = []
    for holder in HOLDERS:
        user = users.get(holder.username) or ensure_person(holder, report)
        certificate = current_certificate(holder=user, programme=programme)
        if certificate is None:
            certificate = certify(
                user=user, holder=holder, programme=programme, supervisor=users["supervisor"], admin=users["admin"]
            )
            report.created.append(f"{certificate.status} certificate {certificate.number} for {holder.username}")
        certificates.extend(_with_those_it_replaced(certificate))
    for certificate in certificates:
        certificate.refresh_from_db()
        if certificate.rendering == Certificate.Rendering.FAILED:
            stdout.write(f"The PDF of {certificate.number} couldn't be rendered: {certificate.render_error}")
        elif certificate.rendering == Certificate.Rendering.PENDING:
            stdout.write(f"The PDF of {certificate.number} is still being prepared by the background worker.")
    return sorted(certificates, key=lambda certificate: STATUS_ORDER.index(certificate.status))


def _with_those_it_replaced(certificate: Certificate) -> list[Certificate]:
    """The certificate, then the one it replaced, and so on back to the first."""
    chain = [certificate]
    while chain[-1].replaces_id is not None:
        chain.append(Certificate.objects.select_related("holder").get(pk=chain[-1].replaces_id))
    return chain


def ensure_ethics_page(report: LoadReport) -> Page:
    """The code of ethics page, which the demo site's policy pages include (demo.site.load_policy_pages)."""
    home = HomePage.objects.first()
    page = home.get_children().filter(slug=ETHICS_SLUG).first()
    if page is None:
        page = next(page for page in load_policy_pages(home=home, report=report) if page.slug == ETHICS_SLUG)
    return page


def demo_image(title: str, file_name: str):
    """A Wagtail image of one of the demo's own pictures in demo/assets/, uploaded once."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    with (ASSETS / file_name).open("rb") as handle:
        return image_model.objects.create(title=title, file=ImageFile(handle, name=file_name))


@transaction.atomic
def ensure_programme(*, ethics_page: Page, report: LoadReport) -> Programme:
    """The Certified Peer Specialist (CPS) programme; an existing one is left as an admin may have set it."""
    programme = Programme.objects.filter(abbreviation=PROGRAMME["abbreviation"]).first()
    if programme is not None:
        return programme
    programme = Programme.objects.create(
        name=PROGRAMME_NAME,
        ethics_code_page=ethics_page,
        signature_image=demo_image(*SIGNATURE),
        issuer_logo=demo_image(*LOGO),
        **PROGRAMME,
    )
    domains = {domain.slug: domain for domain in CompetencyDomain.objects.filter(slug__in=DOMAIN_HOURS)}
    ProgrammeDomainHours.objects.bulk_create(
        ProgrammeDomainHours(programme=programme, domain=domains[slug], hours=Decimal(hours), sort_order=order)
        for order, (slug, hours) in enumerate(DOMAIN_HOURS.items())
    )
    ProgrammeActivityHours.objects.bulk_create(
        ProgrammeActivityHours(programme=programme, activity_type=activity, hours=Decimal(hours), sort_order=order)
        for order, (activity, hours) in enumerate(ACTIVITY_HOURS.items())
    )
    programme.required_courses.set(CoursePage.objects.live().descendant_of(HomePage.objects.first()))
    programme.save()
    report.created.append(f"programme {programme}")
    return programme


@transaction.atomic
def ensure_person(holder: DemoHolder, report: LoadReport):
    """A demo trainee account with a verified email address and the demo password."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    first_name, last_name = holder.misspelt_as or (holder.first_name, holder.last_name)
    user, created = get_user_model().objects.get_or_create(
        username=holder.username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{holder.username}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        report.created.append(f"user {holder.username}")
    user.groups.add(Group.objects.get(name="Trainee"))
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def certify(*, user, holder: DemoHolder, programme: Programme, supervisor, admin) -> Certificate:
    """Meet every requirement for real, issue the certificate on the holder's date, then reissue, suspend or revoke it.

    One transaction per holder: the certificate checks that the approvals and passes queue run after it commits,
    so they find the certificate already issued on its (possibly past) date and issue nothing more.
    """
    today = timezone.localdate()
    certified_on = add_months(today, -holder.months_ago)
    with transaction.atomic():
        if not approved_minutes(trainee=user).practice:
            log_hours(user=user, supervisor=supervisor, organisation=holder.organisation, certified_on=certified_on)
        passed_at = None if certified_on == today else _moment(certified_on - timedelta(days=45), time(10, 0))
        complete_training(user=user, programme=programme, passed_at=passed_at)
        attestation = ethics_attestation_sign(user=user, programme=programme, agreed=True)
        if passed_at is not None:  # signed back then, after the training
            EthicsAttestation.objects.filter(pk=attestation.pk).update(signed_at=passed_at + timedelta(days=30))
        if certified_on == today:
            issued = [c for c in certificates_check(holder=user, today=today) if c.programme_id == programme.pk]
            certificate = issued[0] if issued else None
        else:
            certificate = certificate_issue_if_eligible(holder=user, programme=programme, today=certified_on)
        if certificate is None:
            unmet = "; ".join(
                line.summary for line in programme_eligibility(user=user, programme=programme, on=certified_on).unmet
            )
            raise CommandError(f"The demo holder {holder.username} doesn't meet {programme}: {unmet or 'unknown'}.")
        if holder.misspelt_as:  # the holder's name corrected (as an administrator would), then the reissue
            user.first_name, user.last_name = holder.first_name, holder.last_name
            user.save(update_fields=["first_name", "last_name"])
            certificate = certificate_reissue(
                by=admin,
                certificate=certificate,
                holder_name=f"{holder.first_name} {holder.last_name}",
                reason=REISSUE_REASON,
            )
        if holder.suspend_reason:
            certificate = certificate_suspend(by=admin, certificate=certificate, reason=holder.suspend_reason)
        if holder.revoke_reason:
            certificate = certificate_revoke(by=admin, certificate=certificate, reason=holder.revoke_reason)
    return certificate


def _moment(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def log_hours(*, user, supervisor, organisation: str, certified_on: date) -> None:
    """Log 64 eight-hour practice shifts, 13 two-hour supervision sessions and four skills checks before
    `certified_on`, and approve them (the skills checks with their full rubric).

    Together: 514 h of practice (84 % direct, 184 h of individual peer support, 24 h of training, every domain above
    its minimum, each of the four skills passed) and 26 h of supervision, which also meets the ratio of 1 h per 20 h.
    """
    last_day = certified_on - timedelta(days=20 if certified_on == timezone.localdate() else 3)
    first_day = last_day - timedelta(days=SHIFT_GAP_DAYS * (SHIFTS - 1))
    place = Organisation.objects.filter(name=organisation).first() or organisation_create(name=organisation)
    assignment = SupervisorAssignment.objects.filter(trainee=user, supervisor=supervisor, organisation=place).first()
    if assignment is None:
        assignment = assignment_create(
            supervisor=supervisor,
            trainee=user,
            organisation=place,
            starts_on=first_day - timedelta(days=7),
            ends_on=None if certified_on == timezone.localdate() else certified_on,
        )
    domains = {domain.slug: domain for domain in CompetencyDomain.objects.all()}
    entries = []
    for number in range(SHIFTS):
        kind = TRAINING if number >= SHIFTS - TRAINING_SHIFTS else SHIFT_KINDS[number % len(SHIFT_KINDS)]
        activity, contact, slugs, setting, delivery, reflection = kind
        afterthought = AFTERTHOUGHTS[(number // len(SHIFT_KINDS) + number) % len(AFTERTHOUGHTS)]
        data = EntryData(
            assignment=assignment,
            performed_on=first_day + timedelta(days=SHIFT_GAP_DAYS * number),
            start_time=SHIFT_START,
            minutes=SHIFT_MINUTES,
            activity_type=activity,
            contact=contact,
            domains=[domains[slug] for slug in slugs],
            setting=setting,
            delivery=delivery,
            reflection=f"{reflection} {afterthought}",
        )
        entries.append(entry_create(trainee=user, data=data).pk)
    for number, topics in enumerate(SUPERVISION_TOPICS):
        data = EntryData(
            kind=PracticeEntry.Kind.SUPERVISION,
            assignment=assignment,
            performed_on=first_day + timedelta(days=SHIFT_GAP_DAYS * 5 * number),
            start_time=SUPERVISION_START,
            minutes=SUPERVISION_MINUTES,
            session_format="group" if number % 3 == 2 else "individual",
            delivery=D.REMOTE if number % 2 else D.IN_PERSON,
            topics=topics,
        )
        entries.append(entry_create(trainee=user, data=data).pk)
    for batch in entries_submit(trainee=user, entry_ids=entries):
        entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True)
    between_shifts = {skill: first_day + timedelta(days=SHIFT_GAP_DAYS * 8 * n + 13) for n, skill in enumerate(SKILLS)}
    log_skills_checks(trainee=user, supervisor=supervisor, assignment=assignment, days=between_shifts, approve=True)


def complete_training(*, user, programme: Programme, passed_at: datetime | None) -> None:
    """Enrol in each required course, complete every lesson and pass every quiz not passed yet.

    `passed_at` dates the quiz passes (None: now), so a certificate issued in the past rests on passes from before it.
    """
    quizzes = [quiz for quiz in programme.required_quizzes.all() if quiz.live]
    for course in programme.required_courses.all():
        enrolment_create(user=user, course=course)
        for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
            lesson_complete(user=user, lesson=lesson)
        quizzes.extend(QuizPage.objects.live().descendant_of(course).order_by("path"))
    passed = quiz_passes(user=user, quiz_ids=[quiz.pk for quiz in quizzes])
    for number, quiz in enumerate(quizzes):
        if quiz.pk not in passed:
            pass_quiz(user=user, quiz=quiz, now=passed_at + timedelta(days=number) if passed_at else None)


def pass_quiz(*, user, quiz: QuizPage, now: datetime | None = None) -> None:
    """Take the quiz through the services and answer every question correctly."""
    now = now or timezone.now()
    attempt, _ = quiz_attempt_start(user=user, quiz=quiz, now=now)
    answers = {
        question.question_key: {choice["key"] for choice in question.snapshot["choices"] if choice["correct"]}
        for question in attempt.questions.all()
    }
    quiz_attempt_submit(attempt=attempt, answers=answers, now=now + timedelta(minutes=10))
