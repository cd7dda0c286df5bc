"""Approved minutes, the sums programmes set minimums on: for one trainee, or for a whole cohort at once."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from practice.models import PracticeEntry
from practice.skills import SKILLS

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
SKILLS_CHECK = PracticeEntry.ActivityType.SKILLS_CHECK
SKILL_KEYS = list(enumerate(SKILLS))


@dataclass(frozen=True)
class ApprovedMinutes:
    """A trainee's approved minutes in a date range, broken down the ways programmes set minimums."""

    practice: int = 0
    direct: int = 0
    supervision: int = 0
    by_domain: dict[str, int] = field(default_factory=dict)
    by_activity: dict[str, int] = field(default_factory=dict)
    skills: frozenset[str] = frozenset()  # the different skills passed in approved skills checks


def approved_minutes(
    *,
    trainee: AbstractBaseUser,
    since: date | None = None,
    until: date | None = None,
    domain_slugs: list[str] | None = None,
) -> ApprovedMinutes:
    """Approved minutes from `since` to `until` (inclusive; open when None): one aggregate query when
    `domain_slugs` names the domains wanted (by_domain then holds only those), two otherwise."""
    return approved_minutes_of_many(trainee_ids=[trainee.pk], since=since, until=until, domain_slugs=domain_slugs)[
        trainee.pk
    ]


def approved_minutes_of_many(
    *,
    trainee_ids: list[int] | QuerySet,
    since: date | None = None,
    until: date | None = None,
    domain_slugs: list[str] | None = None,
) -> dict[int, ApprovedMinutes]:
    """Each trainee's approved minutes in the range, and the skills they passed in it, in one or two aggregate queries
    whatever the number of trainees (one when `domain_slugs` names the domains wanted; then by_domain holds only
    those).

    `trainee_ids` may be a list or a query of ids (a subquery, so thousands of trainees need no parameters).
    """
    entries = PracticeEntry.objects.filter(trainee_id__in=trainee_ids, status=Status.APPROVED)
    if since:
        entries = entries.filter(performed_on__gte=since)
    if until:
        entries = entries.filter(performed_on__lte=until)
    practice = Q(kind=Kind.PRACTICE)
    tagged = PracticeEntry.domains.through.objects.filter(practiceentry_id=OuterRef("pk"))
    activities = list(PracticeEntry.ActivityType.values)
    rows = (
        entries.values("trainee_id")
        .annotate(
            practice=Sum("minutes", filter=practice, default=0),
            direct=Sum("minutes", filter=practice & Q(contact=PracticeEntry.Contact.DIRECT), default=0),
            supervision=Sum("minutes", filter=Q(kind=Kind.SUPERVISION), default=0),
            **{
                f"activity_{n}": Sum("minutes", filter=practice & Q(activity_type=value), default=0)
                for n, value in enumerate(activities)
            },
            **{
                f"domain_{n}": Sum(
                    "minutes", filter=practice & Q(Exists(tagged.filter(competencydomain__slug=slug))), default=0
                )
                for n, slug in enumerate(domain_slugs or [])
            },
            **{f"skill_{n}": Count("pk", filter=Q(activity_type=SKILLS_CHECK, skill=skill)) for n, skill in SKILL_KEYS},
        )
        .order_by()
    )
    by_domain: dict[int, dict[str, int]] = defaultdict(dict)
    if domain_slugs is None:
        tagged_rows = (
            entries.filter(practice, domains__isnull=False)
            .values_list("trainee_id", "domains__slug")
            .annotate(total=Sum("minutes"))
            .order_by()
        )
        for trainee_id, slug, total in tagged_rows:
            by_domain[trainee_id][slug] = total
    found = {}
    for row in rows:
        trainee_id = row.pop("trainee_id")
        by_activity = {value: total for n, value in enumerate(activities) if (total := row.pop(f"activity_{n}"))}
        row["skills"] = frozenset(skill for n, skill in SKILL_KEYS if row.pop(f"skill_{n}"))
        if domain_slugs is not None:
            by_domain[trainee_id] = {
                slug: total for n, slug in enumerate(domain_slugs) if (total := row.pop(f"domain_{n}"))
            }
        found[trainee_id] = ApprovedMinutes(by_domain=by_domain[trainee_id], by_activity=by_activity, **row)
    return defaultdict(ApprovedMinutes, found)


def approved_minutes_of_activity(
    *, trainee: AbstractBaseUser, activity_type: str, since: date, until: date | None = None
) -> int:
    """Approved practice minutes of one activity type (e.g. training, for continuing education) in a range."""
    entries = PracticeEntry.objects.filter(
        trainee=trainee,
        status=Status.APPROVED,
        kind=Kind.PRACTICE,
        activity_type=activity_type,
        performed_on__gte=since,
    )
    if until:
        entries = entries.filter(performed_on__lte=until)
    return entries.aggregate(total=Sum("minutes", default=0))["total"]


def skills_passed(*, trainee: AbstractBaseUser, since: date | None = None, until: date | None = None) -> frozenset[str]:
    """The different skills the trainee passed in approved skills checks from `since` to `until` (the approved
    minutes' count of them, so both say the same), in one query."""
    return approved_minutes(trainee=trainee, since=since, until=until, domain_slugs=[]).skills
