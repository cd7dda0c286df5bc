"""What every certificate write shares: the rule error, the admin check, saving with history, emailing the holder."""

from django.contrib.auth.base_user import AbstractBaseUser

from certificates.models import Certificate
from lms.errors import ServiceError
from lms.mail import email_on_commit
from lms.roles import PROGRAMME_ADMIN, has_role

State = Certificate.State


class CertificateError(ServiceError):
    """A certificate rule stopped the action.

    Codes: 'not_allowed', 'agreement_required', 'not_required', 'inactive', 'reason_required',
    'name_required', 'name_invalid', 'not_valid', 'not_suspended', 'already_revoked', 'superseded', 'not_failed'.
    Locks are taken programme, then holder, then certificate; a certificate's own lock takes only its row (of=self),
    not the programme and holder rows its query joins, so no two actions wait on each other in opposite orders.
    """


def _require_programme_admin(user: AbstractBaseUser) -> None:
    if not (user.is_authenticated and has_role(user, PROGRAMME_ADMIN)):
        raise CertificateError("not_allowed", "Only programme admins can change certificates.")


def _save(certificate: Certificate, *, by: AbstractBaseUser | None, reason: str) -> None:
    certificate._history_user = by
    certificate._change_reason = reason
    certificate.save()


def _email_holder(certificate: Certificate, template: str, **context) -> None:
    email_on_commit(
        template=f"certificates/emails/{template}",
        to=[certificate.holder.email],
        context={
            "holder_name": certificate.holder_name,
            "certificate": certificate,
            "programme_name": certificate.programme.name,
            **context,
        },
    )
