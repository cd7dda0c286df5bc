"""Writes that set up supervision: a supervisor's profile, placements, and who supervises whom where."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from lms.names import display_name
from lms.roles import SUPERVISOR, has_role
from practice.models import Organisation, SupervisorAssignment, SupervisorProfile
from practice.services import PracticeError


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
) -> SupervisorAssignment:
    """Assign a supervisor to a trainee at an organisation for a period.

    Raises PracticeError 'own_entries' (supervising yourself), 'not_allowed' (the supervisor lacks the role) or
    'inactive_organisation'.
    """
    if supervisor.pk == trainee.pk:
        raise PracticeError("own_entries", "Nobody can supervise themselves.")
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", f"{display_name(supervisor)} isn't a supervisor.")
    if not organisation.is_active:
        raise PracticeError("inactive_organisation", f"{organisation} is inactive, so it can't take new assignments.")
    return SupervisorAssignment.objects.create(
        supervisor=supervisor, trainee=trainee, organisation=organisation, starts_on=starts_on, ends_on=ends_on
    )
