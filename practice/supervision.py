"""Writes that set up supervision: a supervisor's profile, placements, and who supervises whom where."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from lms.mail import email_on_commit
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, has_role
from practice.models import Organisation, SupervisorAssignment, SupervisorProfile, SupervisorRequest
from practice.selectors import active_assignments
from practice.services import PracticeError

HAS_SUPERVISOR = (
    "You already have a supervisor, so there's no need to ask for one. If that placement has ended or something's "
    "wrong, please get in touch with the programme team."
)


@transaction.atomic
def supervisor_profile_save(
    *, supervisor: AbstractBaseUser, qualification: str, credential_number: str, jurisdiction: str
) -> SupervisorProfile:
    """Record or update a supervisor's qualification, credential number and jurisdiction."""
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", "Only supervisors have a supervisor profile.")
    profile = SupervisorProfile.objects.select_for_update().filter(user=supervisor).first() or SupervisorProfile(
        user=supervisor
    )
    profile.qualification = qualification.strip()
    profile.credential_number = credential_number.strip()
    profile.jurisdiction = jurisdiction.strip()
    profile._history_user = supervisor
    profile.save()
    return profile


@transaction.atomic
def organisation_create(*, name: str, location: str = "") -> Organisation:
    """Add a placement."""
    return Organisation.objects.create(name=name, location=location)


@transaction.atomic
def assignment_create(
    *,
    supervisor: AbstractBaseUser,
    trainee: AbstractBaseUser,
    organisation: Organisation,
    starts_on: date,
    ends_on: date | None = None,
    reason: str = "",
) -> SupervisorAssignment:
    """Assign a supervisor to a trainee at an organisation for a period; `reason` goes in its history.

    Raises PracticeError 'own_entries' (supervising yourself), 'not_allowed' (the supervisor lacks the role) or
    'inactive_organisation'.
    """
    if supervisor.pk == trainee.pk:
        raise PracticeError("own_entries", "Nobody can supervise themselves.")
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", f"{display_name(supervisor)} isn't a supervisor.")
    if not organisation.is_active:
        raise PracticeError("inactive_organisation", f"{organisation} is inactive, so it can't take new assignments.")
    assignment = SupervisorAssignment(
        supervisor=supervisor, trainee=trainee, organisation=organisation, starts_on=starts_on, ends_on=ends_on
    )
    if reason:
        assignment._change_reason = reason
    assignment.save()
    return assignment


@transaction.atomic
def supervisor_request_create(
    *,
    trainee: AbstractBaseUser,
    placement: str = "",
    supervisor_name: str = "",
    supervisor_email: str = "",
    help_me_find: bool = False,
) -> SupervisorRequest:
    """Record a trainee's request for a supervisor, for a programme admin to act on.

    Raises PracticeError 'not_allowed' (not a trainee), 'has_supervisor' (an assignment that hasn't ended),
    'details_required' (neither the supervisor's name nor "help me find one") or 'already_open' (a request is
    already waiting).
    """
    if not has_role(trainee, TRAINEE):
        raise PracticeError("not_allowed", "Only trainees can ask for a supervisor.")
    if active_assignments(trainee=trainee, on=timezone.localdate()).exists():
        raise PracticeError("has_supervisor", HAS_SUPERVISOR)
    placement, supervisor_name, supervisor_email = placement.strip(), supervisor_name.strip(), supervisor_email.strip()
    if not help_me_find and not (placement and supervisor_name):
        raise PracticeError(
            "details_required",
            "Tell us your placement and your supervisor's name, or tick “help me find one” and we'll sort it out.",
        )
    request = SupervisorRequest(
        trainee=trainee,
        placement=placement,
        supervisor_name=supervisor_name,
        supervisor_email=supervisor_email,
        help_me_find=help_me_find,
    )
    request._history_user = trainee
    request._change_reason = "Requested by the trainee"
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise PracticeError(
            "already_open", "You've already asked for a supervisor. A programme admin will be in touch soon."
        ) from None
    return request


def _open_request_for_update(*, admin: AbstractBaseUser, request_id: int) -> SupervisorRequest:
    if not has_role(admin, PROGRAMME_ADMIN):
        raise PracticeError("not_allowed", "Only programme admins can handle supervisor requests.")
    request = SupervisorRequest.objects.select_for_update().select_related("trainee").filter(pk=request_id).first()
    if request is None:
        raise PracticeError("not_found", "That request doesn't exist.")
    if request.status != SupervisorRequest.Status.OPEN:
        raise PracticeError("not_open", "This request has already been dealt with.")
    return request


@transaction.atomic
def supervisor_request_assign(
    *,
    admin: AbstractBaseUser,
    request_id: int,
    supervisor: AbstractBaseUser,
    starts_on: date,
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
) -> SupervisorAssignment:
    """Answer a request: assign the supervisor at the placement, close the request, and email both people.

    The placement is `organisation`, or one named `new_organisation_name` (found by name, else added). Raises
    PracticeError 'not_allowed', 'not_found', 'not_open', 'organisation_required', and assignment_create's codes.
    """
    request = _open_request_for_update(admin=admin, request_id=request_id)
    if organisation is None:
        name = new_organisation_name.strip()
        if not name:
            raise PracticeError("organisation_required", "Choose the placement, or type the name of a new one.")
        organisation = Organisation.objects.filter(name__iexact=name).first() or organisation_create(name=name)
    assignment = assignment_create(
        supervisor=supervisor, trainee=request.trainee, organisation=organisation, starts_on=starts_on
    )
    request.status = SupervisorRequest.Status.ASSIGNED
    request.assignment = assignment
    request.resolved_at = timezone.now()
    request.resolved_by = admin
    request._history_user = admin
    request._change_reason = f"Assigned {display_name(supervisor)} at {organisation}"
    request.save()
    context = {
        "trainee_name": display_name(request.trainee),
        "supervisor_name": display_name(supervisor),
        "organisation": organisation.name,
        "starts_on": starts_on,
    }
    email_on_commit(template="practice/emails/supervisor_assigned_trainee", to=[request.trainee.email], context=context)
    email_on_commit(template="practice/emails/supervisor_assigned_supervisor", to=[supervisor.email], context=context)
    return assignment


@transaction.atomic
def supervisor_request_close(*, admin: AbstractBaseUser, request_id: int, note: str) -> SupervisorRequest:
    """Close a request without assigning anyone (a duplicate, say), telling the trainee why.

    Raises PracticeError 'not_allowed', 'not_found', 'not_open' or 'note_required'.
    """
    note = note.strip()
    if not note:
        raise PracticeError("note_required", "Say why, so the trainee knows what happens next.")
    request = _open_request_for_update(admin=admin, request_id=request_id)
    request.status = SupervisorRequest.Status.CLOSED
    request.resolved_at = timezone.now()
    request.resolved_by = admin
    request.resolution_note = note
    request._history_user = admin
    request._change_reason = f"Closed: {note}"
    request.save()
    email_on_commit(
        template="practice/emails/supervisor_request_closed",
        to=[request.trainee.email],
        context={"trainee_name": display_name(request.trainee), "note": note},
    )
    return request
