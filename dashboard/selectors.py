"""Reads for the signed-in home: one section per role the person holds, each composed from the apps below."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse

from certificates.selectors import dashboard_programmes
from courses.completions import course_record
from courses.selectors import CourseProgress, dashboard_progress
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER, user_roles
from practice.invitations import invitations_for
from practice.models import PracticeEntry
from practice.selectors import TraineeEntryCounts, WaitingBatch, review_queue_first, trainee_entry_counts
from practice.targets import current_hour_targets
from verification.models import Lookup
from verification.selectors import organisation_name_of, recent_checks_by

QUEUE_SHOWN = 5
"""How many waiting batches the supervisor's section lists; the review queue has them all."""

CHECKS_SHOWN = 5
INVITATIONS_SHOWN = 3
"""How many of a verifier's own recent checks their section lists."""


@dataclass(frozen=True)
class NextAction:
    """One thing a trainee can do next, most pressing first: what it says, where it goes, and how it looks."""

    text: str
    url: str
    link_text: str
    kind: str  # "fix", "continue", "send" or "waiting", for the style
    course_id: int | None = None  # the course whose next step this is (its card then shows no second button)


@dataclass
class TraineeSection:
    """A trainee's home: what to do next, their certification and their courses, and until when that holds today."""

    next_actions: list[NextAction]
    entry_counts: TraineeEntryCounts
    certification: list
    courses: list[CourseProgress]
    good_until: datetime | None = None  # the first moment the clock alone changes it (an invitation expiring)

    @property
    def featured_course_id(self) -> int | None:
        """The course whose next step leads the page, so its card doesn't repeat the button."""
        return next((action.course_id for action in self.next_actions if action.course_id), None)


@dataclass
class SupervisorSection:
    """A supervisor's home: the oldest batches waiting for them, with each trainee's approved practice."""

    queue: list[WaitingBatch]
    practice_target_minutes: int | None

    @property
    def practice_target_hours(self) -> float | None:
        """The practice hours programmes ask for (the highest minimum), if any."""
        return None if self.practice_target_minutes is None else self.practice_target_minutes / 60


@dataclass
class VerifierSection:
    """A verifier's home: where to check, their organisation and the last checks this account made."""

    organisation_name: str
    recent_checks: list[Lookup] = field(default_factory=list)


@dataclass
class Home:
    """Every section the person's roles give them; none at all means the friendly empty state."""

    trainee: bool = False  # the trainee's section is rendered and kept apart (dashboard/trainee_section.py)
    supervisor: SupervisorSection | None = None
    verifier: VerifierSection | None = None
    programme_admin: bool = False
    other_courses: list[CourseProgress] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Whether no role gives this person a section and they have no courses either."""
        return not (self.trainee or self.supervisor or self.verifier or self.programme_admin or self.other_courses)


def trainee_next_actions(
    *, counts: TraineeEntryCounts, courses: list[CourseProgress], invitations: list = ()
) -> list[NextAction]:
    """What a trainee should do next, most pressing first: invitations, returned entries, group sessions to
    confirm, the next lesson, then what waits."""
    actions = [
        NextAction(
            text=f"{display_name(invitation.supervisor)} invited you to link up at {invitation.organisation.name}.",
            url=reverse("practice_invitation", args=[invitation.pk]),
            link_text=f"Answer {display_name(invitation.supervisor)}'s invitation",
            kind="send",
        )
        for invitation in invitations
    ]
    if counts.returned:
        entries = "entry" if counts.returned == 1 else "entries"
        actions.append(
            NextAction(
                text=f"{counts.returned} {entries} returned by your supervisor, with a note on what to change.",
                url=f"{reverse('practice_log')}?status={PracticeEntry.Status.RETURNED}#entries-title",
                link_text=f"Fix returned {entries}",
                kind="fix",
            )
        )
    if counts.to_confirm:
        sessions = "session" if counts.to_confirm == 1 else "sessions"
        actions.append(
            NextAction(
                text=f"{counts.to_confirm} group supervision {sessions} from your supervisor to confirm.",
                url=f"{reverse('practice_log')}#to-confirm-title",
                link_text=f"Confirm group {sessions}",
                kind="fix",
            )
        )
    for progress in courses:
        step = progress.next_step
        if step is not None:
            actions.append(
                NextAction(
                    text=f"{progress.course.title}: next up, {step.title}.",
                    url=step.url,
                    link_text="Continue where you left off" if progress.done else "Start the first lesson",
                    kind="continue",
                    course_id=progress.course.id,
                )
            )
            break
    if counts.drafts:
        entries = "entry" if counts.drafts == 1 else "entries"
        actions.append(
            NextAction(
                text=f"{counts.drafts} draft {entries} not sent to your supervisor yet.",
                url=reverse("practice_submit"),
                link_text="Send for review",
                kind="send",
            )
        )
    if counts.waiting:
        entries = "entry" if counts.waiting == 1 else "entries"
        actions.append(
            NextAction(
                text=f"{counts.waiting} {entries} waiting for your supervisor's review. Nothing to do for now.",
                url=reverse("practice_log"),
                link_text="See your practice log",
                kind="waiting",
            )
        )
    return actions


def trainee_section_for(*, user, request, on: date) -> TraineeSection:
    """A trainee's section on the given day: next actions, certification and courses, in a fixed number of queries."""
    record = course_record(user=user)  # read once for the courses and the programmes
    courses = dashboard_progress(user=user, request=request, record=record)
    counts = trainee_entry_counts(trainee=user)
    invitations = list(invitations_for(user)[:INVITATIONS_SHOWN])
    return TraineeSection(
        next_actions=trainee_next_actions(counts=counts, courses=courses, invitations=invitations),
        entry_counts=counts,
        certification=dashboard_programmes(user=user, on=on, request=request, record=record),
        courses=courses,
        good_until=min((invitation.expires_at for invitation in invitations), default=None),
    )


def home_for(*, user, request) -> Home:
    """The sections of the signed-in home for this person's roles, each costing the same whatever its size.

    A trainee's own section isn't read here: dashboard/trainee_section.py renders it, or uses the copy it keeps.
    """
    roles = user_roles(user)
    home = Home(trainee=TRAINEE in roles, programme_admin=PROGRAMME_ADMIN in roles)
    if TRAINEE not in roles:
        home.other_courses = dashboard_progress(user=user, request=request)
    if SUPERVISOR in roles:
        queue = review_queue_first(supervisor=user, limit=QUEUE_SHOWN)
        home.supervisor = SupervisorSection(
            queue=queue, practice_target_minutes=current_hour_targets(request).practice if queue else None
        )
    if VERIFIER in roles:
        home.verifier = VerifierSection(
            organisation_name=organisation_name_of(user),
            recent_checks=recent_checks_by(user=user, limit=CHECKS_SHOWN),
        )
    return home
