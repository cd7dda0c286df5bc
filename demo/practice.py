"""Demo placements, supervision and a practice log with every status, made through the services."""

from datetime import time, timedelta

from django.utils import timezone

from content.models import CompetencyDomain
from demo.skills import log_skills_checks
from practice.models import Organisation, PracticeEntry, SupervisorAssignment
from practice.services import (
    EntryData,
    entries_approve,
    entries_return,
    entries_submit,
    entry_create,
    entry_update,
)
from practice.skills import LISTENING, VALIDATION
from practice.supervision import assignment_create, supervisor_profile_save

Kind = PracticeEntry.Kind
A = PracticeEntry.ActivityType
C = PracticeEntry.Contact
S = PracticeEntry.Setting
D = PracticeEntry.Delivery

# (days ago, start, hours, activity, contact, domain slugs, setting, delivery, reflection)
PRACTICE = [
    (
        60,
        time(10, 0),
        2,
        A.INDIVIDUAL,
        C.DIRECT,
        ["mentoring-education", "recovery-wellness"],
        S.PEER_RUN,
        D.IN_PERSON,
        "First one-to-one sessions at the drop-in. I noticed how much I wanted to fix things; I practised "
        "reflecting back instead and the conversation slowed down in a good way.",
    ),
    (
        58,
        time(13, 0),
        1.5,
        A.GROUP,
        C.DIRECT,
        ["recovery-wellness"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Co-facilitated the Tuesday wellbeing group. Eight people came. We agreed group guidelines together, "
        "which helped when the discussion got heated later.",
    ),
    (
        55,
        time(9, 30),
        1,
        A.DOCUMENTATION,
        C.INDIRECT,
        ["ethical-responsibility"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Wrote up session notes using the service's template, keeping them factual and free of anything that "
        "could identify the people I met.",
    ),
    (
        51,
        time(11, 0),
        3,
        A.ADVOCACY,
        C.DIRECT,
        ["advocacy"],
        S.COMMUNITY,
        D.IN_PERSON,
        "Went with a peer in their thirties to a housing appointment. I held back and let them lead, only "
        "stepping in when they asked me to explain a form.",
    ),
    (
        47,
        time(14, 0),
        2,
        A.OUTREACH,
        C.DIRECT,
        ["advocacy", "mentoring-education"],
        S.COMMUNITY,
        D.IN_PERSON,
        "Outreach afternoon at the library. Most conversations were short; a few people took leaflets about the "
        "drop-in and one came along the next day.",
    ),
    (
        44,
        time(10, 0),
        1.5,
        A.INDIVIDUAL,
        C.DIRECT,
        ["recovery-wellness"],
        S.TELEHEALTH,
        D.REMOTE,
        "Phone check-ins on the warm line. I used silence more than before and it gave people room to think.",
    ),
    (
        40,
        time(9, 0),
        4,
        A.TRAINING,
        C.INDIRECT,
        ["ethical-responsibility"],
        S.OTHER,
        D.REMOTE,
        "Online training on boundaries and dual relationships. The case discussions helped me name a situation "
        "I had been unsure about.",
    ),
    (
        33,
        time(13, 30),
        2,
        A.GROUP,
        C.DIRECT,
        ["recovery-wellness", "mentoring-education"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Led the group on my own for the first time, with my supervisor in the room. I was nervous, and said so, "
        "and the group was kind about it.",
    ),
]
RETURNED = [
    (
        26,
        time(10, 0),
        2.5,
        A.INDIVIDUAL,
        C.DIRECT,
        ["recovery-wellness"],
        S.CRISIS,
        D.IN_PERSON,
        "Supported someone in the crisis house lounge through a hard morning. I stayed calm and used grounding "
        "ideas we had practised in training.",
    ),
    (
        24,
        time(15, 0),
        1,
        A.DOCUMENTATION,
        C.INDIRECT,
        ["ethical-responsibility"],
        S.CRISIS,
        D.IN_PERSON,
        "Handover notes for the evening team.",
    ),
]
RETURNED_FIX = (
    "Supported someone in the crisis house lounge through a hard morning. I stayed calm and used grounding ideas we "
    "had practised in training. What I learned: slowing my own breathing helped more than anything I said, and I "
    "checked my own boundaries afterwards rather than carrying the morning home."
)
SUBMITTED = [
    (
        19,
        time(10, 0),
        2,
        A.INDIVIDUAL,
        C.DIRECT,
        ["mentoring-education"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Helped a peer plan questions for their next GP appointment. They wrote the list themselves; I mostly "
        "asked what mattered most to them.",
    ),
    (
        17,
        time(13, 0),
        1.75,
        A.GROUP,
        C.DIRECT,
        ["recovery-wellness"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Wellbeing group on sleep. Shared a little of my own experience where it was useful, and kept it brief.",
    ),
    (
        12,
        time(11, 0),
        3,
        A.ADVOCACY,
        C.DIRECT,
        ["advocacy"],
        S.COMMUNITY,
        D.IN_PERSON,
        "Went with a peer to a benefits review meeting. Afterwards we talked about what went well and what they "
        "want to say next time.",
    ),
]
DRAFTS = [
    (
        5,
        time(10, 30),
        2,
        A.INDIVIDUAL,
        C.DIRECT,
        ["recovery-wellness"],
        S.TELEHEALTH,
        D.REMOTE,
        "Video sessions on the warm line. I'm getting better at noticing when I'm tired and need a break between "
        "calls.",
    ),
    (
        2,
        None,
        1.25,
        A.DOCUMENTATION,
        C.INDIRECT,
        ["ethical-responsibility"],
        S.PEER_RUN,
        D.IN_PERSON,
        "Updated the group's resource list and checked every phone line on it still works.",
    ),
]
# (days ago, start, hours, format, delivery, topics, status)
SUPERVISION = [
    (
        57,
        time(16, 0),
        1,
        "individual",
        D.IN_PERSON,
        "Settling in, my goals for the placement, and self-care.",
        "approved",
    ),
    (
        43,
        time(16, 0),
        1.5,
        "group",
        D.REMOTE,
        "Group supervision: boundaries on the warm line and how to end calls kindly.",
        "approved",
    ),
    (
        29,
        time(16, 0),
        1,
        "individual",
        D.IN_PERSON,
        "Reflecting on leading the group on my own, and on using my story with purpose.",
        "approved",
    ),
    (15, time(16, 0), 1, "individual", D.IN_PERSON, "Advocacy without taking over; planning next month.", "submitted"),
]


def _practice_data(assignment, row, domains) -> EntryData:
    days, start, hours, activity, contact, slugs, setting, delivery, reflection = row
    return EntryData(
        assignment=assignment,
        performed_on=timezone.localdate() - timedelta(days=days),
        start_time=start,
        minutes=int(hours * 60),
        activity_type=activity,
        contact=contact,
        domains=[domains[slug] for slug in slugs if slug in domains],
        setting=setting,
        delivery=delivery,
        reflection=reflection,
    )


def _supervision_data(assignment, row) -> EntryData:
    days, start, hours, session_format, delivery, topics, _ = row
    return EntryData(
        kind=Kind.SUPERVISION,
        assignment=assignment,
        performed_on=timezone.localdate() - timedelta(days=days),
        start_time=start,
        minutes=int(hours * 60),
        session_format=session_format,
        delivery=delivery,
        topics=topics,
    )


def ensure_demo_practice(*, users: dict, report) -> None:
    """Give the demo trainee a practice log with approved, returned, submitted and draft entries.

    Done once: a trainee who already has entries is left alone.
    """
    trainee, supervisor = users["trainee"], users["supervisor"]
    organisation, created = Organisation.objects.get_or_create(
        name="Harbour Peer Support Centre", defaults={"location": "Riverside"}
    )
    if created:
        report.created.append(f"organisation {organisation.name}")
    Organisation.objects.get_or_create(name="Northside Warm Line", defaults={"location": "Northside"})
    supervisor_profile_save(
        supervisor=supervisor,
        qualification="Certified Peer Specialist Supervisor",
        credential_number="CPSS-20417",
        jurisdiction="Demo State",
    )
    assignment = SupervisorAssignment.objects.filter(trainee=trainee, supervisor=supervisor).first()
    if assignment is None:
        assignment = assignment_create(
            supervisor=supervisor,
            trainee=trainee,
            organisation=organisation,
            starts_on=timezone.localdate() - timedelta(days=90),
        )
        report.created.append("supervisor assignment for trainee")
    if not PracticeEntry.objects.filter(trainee=trainee, activity_type=A.SKILLS_CHECK).exists():
        ensure_demo_skills_checks(trainee=trainee, supervisor=supervisor, assignment=assignment, report=report)
    if PracticeEntry.objects.filter(trainee=trainee).exclude(activity_type=A.SKILLS_CHECK).exists():
        return
    domains = {domain.slug: domain for domain in CompetencyDomain.objects.all()}

    def log(rows):
        return [entry_create(trainee=trainee, data=_practice_data(assignment, row, domains)).pk for row in rows]

    approved = log(PRACTICE) + [
        entry_create(trainee=trainee, data=_supervision_data(assignment, row)).pk
        for row in SUPERVISION
        if row[-1] == "approved"
    ]
    for batch in entries_submit(trainee=trainee, entry_ids=approved):
        entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True)
    returned = log(RETURNED)
    for batch in entries_submit(trainee=trainee, entry_ids=returned):
        entries_return(
            supervisor=supervisor,
            batch_id=batch.pk,
            entry_ids=returned,
            comment="Thank you. Please add what you learned, and say which competencies you drew on, as we discussed.",
        )
    # The trainee fixes the first returned entry and sends it again with new work, so the waiting batch shows
    # what changed since the return; the second stays returned.
    fixed = _practice_data(assignment, RETURNED[0], domains)
    fixed.domains = [domains[slug] for slug in ("recovery-wellness", "ethical-responsibility") if slug in domains]
    fixed.reflection = RETURNED_FIX
    entry_update(trainee=trainee, entry_id=returned[0], data=fixed)
    waiting = log(SUBMITTED) + [
        entry_create(trainee=trainee, data=_supervision_data(assignment, row)).pk
        for row in SUPERVISION
        if row[-1] == "submitted"
    ]
    entries_submit(trainee=trainee, entry_ids=[*waiting, returned[0]])
    log(DRAFTS)
    report.created.append("practice log for trainee (approved, returned, submitted and draft entries)")


def ensure_demo_skills_checks(*, trainee, supervisor, assignment: SupervisorAssignment, report) -> None:
    """One skills check passed (listening, with the full rubric) and one waiting for the supervisor (validation)."""
    today = timezone.localdate()
    log_skills_checks(
        trainee=trainee,
        supervisor=supervisor,
        assignment=assignment,
        days={LISTENING: today - timedelta(days=20)},
        approve=True,
    )
    log_skills_checks(
        trainee=trainee,
        supervisor=supervisor,
        assignment=assignment,
        days={VALIDATION: today - timedelta(days=6)},
        approve=False,
    )
    report.created.append("skills checks for trainee (listening passed, validation waiting for review)")
