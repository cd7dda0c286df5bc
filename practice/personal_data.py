"""What the practice app holds about a person, for their data export: practice, supervision and sign-offs."""

from collections import defaultdict

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower

from lms.names import display_name
from lms.personal_data import (
    ExportSection,
    People,
    change_of,
    export_section_register,
    named_people_register,
    not_exported_register,
)
from practice.models import (
    Attestation,
    Batch,
    GroupSession,
    PracticeEntry,
    SkillsCheckSignOff,
    SupervisorAssignment,
    SupervisorInvitation,
    SupervisorProfile,
    SupervisorRequest,
)


def _entry_history(user: AbstractBaseUser) -> dict[int, list]:
    """Every recorded version of the person's practice entries, deleted ones included, oldest first, by entry id."""
    versions = defaultdict(list)
    records = PracticeEntry.history.filter(trainee_id=user.pk).order_by("history_date", "history_id")
    for record in records:
        versions[record.id].append(record)
    return versions


def _entry(entry: PracticeEntry, versions: list, people: People) -> dict:
    """One practice entry or supervision session with its words, comment, sign-off and history."""
    supervision = entry.kind == PracticeEntry.Kind.SUPERVISION
    data = {
        "id": entry.pk,
        "date": entry.performed_on,
        "start_time": entry.start_time,
        "minutes": entry.minutes,
        "delivery": entry.get_delivery_display(),
        "placement": entry.assignment.organisation.name,
        "supervisor": display_name(entry.assignment.supervisor),
        "status": entry.get_status_display(),
        "review_batch": entry.batch_id,
        "supervisor_comment": entry.return_comment,
        "privacy_check_confirmation": entry.privacy_confirmation,
        "group_session_logged_by_your_supervisor": entry.group_session_id,
        "your_reason_for_declining": entry.decline_reason,
        "sign_off": None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "history": [
            {"when": v.history_date, "who": people.who(v.history_user_id), "status": v.status, "change": change_of(v)}
            for v in versions
        ],
    }
    if supervision:
        data.update(format=entry.get_session_format_display(), topics=entry.topics)
    else:
        data.update(
            activity=entry.get_activity_type_display(),
            direct_or_indirect=entry.get_contact_display(),
            setting=entry.get_setting_display(),
            competency_domains=[domain.name for domain in entry.domains.all()],
            long_day_confirmed=entry.long_day_confirmed,
            reflection=entry.reflection,
        )
    if entry.is_skills_check:
        data["skills_check"] = {
            "skill": entry.skill_label,
            "rubric_sign_offs": [_skills_sign_off(sign_off) for sign_off in entry.skills_sign_offs.all()],
        }
    if entry.attestation_id:
        attestation = entry.attestation
        data["sign_off"] = {
            "signed_by": attestation.signed_name,
            "credentials": attestation.credentials,
            "statement": attestation.statement,
            "signed_at": attestation.signed_at,
        }
    return data


def _skills_sign_off(sign_off: SkillsCheckSignOff) -> dict:
    """A supervisor's rubric for one skills check: what they saw, under which rubric, who and when."""
    return {
        "observed_by": sign_off.attestation.signed_name,
        "signed_at": sign_off.signed_at,
        "rubric_version": sign_off.rubric_version,
        "shown_in_the_role_play": sign_off.criteria_shown,
    }


def read_practice(user: AbstractBaseUser, people: People) -> dict:
    """Placements, entries, sessions, review batches, and deleted entries their history still holds."""
    entries = (
        PracticeEntry.objects.filter(trainee=user)
        .select_related("assignment__organisation", "assignment__supervisor", "attestation")
        .prefetch_related(
            "domains",
            Prefetch("skills_sign_offs", queryset=SkillsCheckSignOff.objects.select_related("attestation")),
        )
        .order_by("performed_on", "start_time", "pk")
    )
    versions = _entry_history(user)
    practice, supervision = [], []
    for entry in entries:
        target = supervision if entry.kind == PracticeEntry.Kind.SUPERVISION else practice
        target.append(_entry(entry, versions.pop(entry.pk, []), people))
    deleted = [
        {
            "id": entry_id,
            "last_recorded": {
                "date": records[-1].performed_on,
                "minutes": records[-1].minutes,
                "kind": records[-1].kind,
                "reflection": records[-1].reflection,
                "topics": records[-1].topics,
            },
            "history": [
                {"when": v.history_date, "who": people.who(v.history_user_id), "change": change_of(v)} for v in records
            ],
        }
        for entry_id, records in sorted(versions.items())
    ]
    batches = Batch.objects.filter(trainee=user).select_related("assignment__supervisor").order_by("submitted_at", "pk")
    return {
        "placements": _placements(user),
        "practice_entries": practice,
        "supervision_sessions": supervision,
        "review_batches": [
            {
                "id": batch.pk,
                "sent_to": display_name(batch.assignment.supervisor),
                "submitted_at": batch.submitted_at,
                "status": batch.get_status_display(),
            }
            for batch in batches
        ],
        "deleted_entries_still_in_history": deleted,
        "supervisor_requests": _supervisor_requests(user),
        "supervisor_invitations_received": _invitations_received(user),
        "note": "Your reflections and session topics are your own words, so they are included in full.",
    }


def _supervisor_requests(user: AbstractBaseUser) -> list[dict]:
    """The person's requests for a supervisor, oldest first."""
    return [
        {
            "asked_on": request.created_at,
            "placement": request.placement,
            "supervisor_name": request.supervisor_name,
            "supervisor_email": request.supervisor_email,
            "help_me_find_one": request.help_me_find,
            "status": request.get_status_display(),
            "resolved_on": request.resolved_at,
            "note": request.resolution_note,
        }
        for request in SupervisorRequest.objects.filter(trainee=user).order_by("created_at", "pk")
    ]


def _invitations_received(user: AbstractBaseUser) -> list[dict]:
    """Supervisors' invitations the person answered, or sent to one of their verified addresses, oldest first."""
    verified = EmailAddress.objects.filter(user=user, verified=True).annotate(address=Lower("email")).values("address")
    invitations = (
        SupervisorInvitation.objects.filter(Q(invitee=user) | Q(email__in=verified))
        .select_related("supervisor", "organisation")
        .order_by("created_at", "pk")
    )
    return [
        {
            "from": display_name(invitation.supervisor),
            "sent_to": invitation.email,
            "placement": invitation.organisation.name,
            "starts_on": invitation.starts_on,
            "sent_on": invitation.created_at,
            "status": invitation.current_status_label,
            "answered_on": invitation.responded_at if invitation.invitee_id == user.pk else None,
        }
        for invitation in invitations
    ]


def _invitations_sent(user: AbstractBaseUser) -> list[dict]:
    """As a supervisor: the invitations sent, oldest first."""
    return [
        {
            "sent_to": invitation.email,
            "placement": invitation.organisation.name,
            "starts_on": invitation.starts_on,
            "sent_on": invitation.created_at,
            "expires_at": invitation.expires_at,
            "status": invitation.current_status_label,
            "answered_by": display_name(invitation.invitee) if invitation.invitee_id else None,
        }
        for invitation in SupervisorInvitation.objects.filter(supervisor=user)
        .select_related("organisation", "invitee")
        .order_by("created_at", "pk")
    ]


def _placements(user: AbstractBaseUser) -> list[dict]:
    """The person's supervised placements, oldest first."""
    assignments = SupervisorAssignment.objects.filter(trainee=user).select_related("supervisor", "organisation")
    return [
        {
            "placement": assignment.organisation.name,
            "location": assignment.organisation.location,
            "supervisor": display_name(assignment.supervisor),
            "starts_on": assignment.starts_on,
            "ends_on": assignment.ends_on,
        }
        for assignment in assignments.order_by("starts_on", "pk")
    ]


def read_supervising(user: AbstractBaseUser, people: People) -> dict:
    """As a supervisor: the profile, the trainees supervised, the group sessions logged and the sign-offs given."""
    profile = SupervisorProfile.objects.filter(user=user).first()
    assignments = (
        SupervisorAssignment.objects.filter(supervisor=user)
        .select_related("trainee", "organisation")
        .order_by("starts_on", "pk")
    )
    sign_offs = (
        Attestation.objects.filter(supervisor=user).annotate(entry_count=Count("entries")).order_by("signed_at", "pk")
    )
    sessions = GroupSession.objects.filter(supervisor=user).annotate(trainees=Count("entries"))
    return {
        "group_sessions_logged": [
            {
                "id": session.pk,
                "date": session.performed_on,
                "start_time": session.start_time,
                "minutes": session.minutes,
                "delivery": session.get_delivery_display(),
                "topics": session.topics,
                "privacy_check_confirmation": session.privacy_confirmation,
                "trainees_included": session.trainees,
                "logged_at": session.created_at,
            }
            for session in sessions.order_by("performed_on", "pk")
        ],
        "profile": {
            "qualification": profile.qualification,
            "credential_number": profile.credential_number,
            "jurisdiction": profile.jurisdiction,
        }
        if profile
        else None,
        "trainees_supervised": [
            {
                "trainee": display_name(assignment.trainee),
                "placement": assignment.organisation.name,
                "starts_on": assignment.starts_on,
                "ends_on": assignment.ends_on,
            }
            for assignment in assignments
        ],
        "sign_offs_given": [
            {
                "signed_at": sign_off.signed_at,
                "signed_name": sign_off.signed_name,
                "credentials": sign_off.credentials,
                "statement": sign_off.statement,
                "review_batch": sign_off.batch_id,
                "group_session": sign_off.group_session_id,
                "entries_approved_now": sign_off.entry_count,
            }
            for sign_off in sign_offs
        ],
        "invitations_sent": _invitations_sent(user),
    }


def supervisors_of(user: AbstractBaseUser) -> dict[int, str]:
    """The person's supervisors by user id and name: the export names them rather than saying 'Programme staff'."""
    assignments = SupervisorAssignment.objects.filter(trainee=user).select_related("supervisor")
    return {assignment.supervisor_id: display_name(assignment.supervisor) for assignment in assignments}


def personal_data_register() -> None:
    """Tell the export which sections the practice app gives, whom it names and which models it leaves out."""
    export_section_register(
        ExportSection(
            "practice",
            (
                "practice.PracticeEntry",
                "practice.SupervisionSession",
                "practice.HistoricalPracticeEntry",
                "practice.Batch",
                "practice.SupervisorAssignment",
                "practice.SupervisorRequest",
                "practice.SupervisorInvitation",
                "practice.SkillsCheckSignOff",
            ),
            read_practice,
        )
    )
    export_section_register(
        ExportSection(
            "supervising",
            ("practice.SupervisorProfile", "practice.Attestation", "practice.GroupSession"),
            read_supervising,
        )
    )
    named_people_register(supervisors_of)
    not_exported_register(
        {
            "practice.HistoricalOrganisation": "Staff edits to placements' names and places: about the placement, "
            "not you.",
            "practice.HistoricalSupervisorProfile": "Earlier versions of the supervisor profile under 'supervising'.",
            "practice.HistoricalSupervisorAssignment": "Earlier versions of the placements under 'practice' and "
            "'supervising' (an end date added, say); the current ones are exported.",
            "practice.HistoricalSupervisorRequest": "Earlier states of the requests for a supervisor under "
            "'practice' (open, then assigned or closed); the current state, with when and why, is exported.",
            "practice.HistoricalSupervisorInvitation": "Earlier states of supervisors' invitations (sent, then "
            "accepted, declined, withdrawn or expired); the current state of each, sent or received, is exported.",
            "practice.HistoricalGroupSession": "Earlier versions of the group sessions under 'supervising'; the "
            "current ones are exported, and each trainee's entry for a session, with its history, is theirs.",
            "practice.HistoricalSkillsCheckSignOff": "The record of each skills check sign-off being written; the "
            "sign-off itself, with the rubric as the supervisor ticked it, is exported with the skills check.",
            "practice.HistoricalBatch": "Status changes of review batches; their current status is exported, and each "
            "entry's full history is exported with the entry.",
        }
    )
