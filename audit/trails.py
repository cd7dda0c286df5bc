"""The audit trails: what changed about a trainee or a certificate, when, by whom and why."""

# A trail merges django-simple-history tables (one row per change) with a few write-once tables that keep no
# history of their own (there a row is one event: an attestation or a credential signed, an extra quiz attempt
# granted). One UNION query orders and pages them; each page then costs a fixed number of queries per kind of
# record on it, whatever the number of history rows.

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import NameChange
from audit.events import Event, HistorySource, RecordSource
from audit.names import NOT_SET, Names, day, related_row, roles_of
from certificates.models import Certificate, CertificateCredential, EthicsAttestation
from courses.models import Enrolment, QuizAttempt, QuizAttemptGrant
from practice.models import Attestation, Batch, PracticeEntry, SupervisorAssignment, SupervisorProfile
from verification.models import ApiToken, VerifierProfile

PAGE_SIZE = 50


@dataclass
class TrailPage:
    """A page of a trail: Django's page for the links, and its events in order."""

    page: Page
    events: list[Event]


def _entry(record, names: Names) -> str:
    noun = "Supervision session" if record.kind == PracticeEntry.Kind.SUPERVISION else "Practice entry"
    return f"{noun} of {day(record.performed_on)}, {record.minutes / 60:g} h"


def _certificate_link(certificate_id: int) -> str:
    return reverse("audit_certificate", args=[certificate_id])


SOURCES: dict[str, HistorySource | RecordSource] = {
    source.key: source
    for source in (
        HistorySource("entry", PracticeEntry, _entry),
        HistorySource(
            "batch",
            Batch,
            lambda r, n: f"Review batch sent {day(r.submitted_at)} to {n.of(*related_row(r, 'assignment'))}",
            names=("assignment",),
        ),
        HistorySource(
            "assignment",
            SupervisorAssignment,
            lambda r, n: (
                f"Supervision by {n.of(*related_row(r, 'supervisor'))} at {n.of(*related_row(r, 'organisation'))}"
            ),
            names=("supervisor", "organisation"),
        ),
        HistorySource(
            "enrolment", Enrolment, lambda r, n: f"Enrolment in {n.of(*related_row(r, 'course'))}", names=("course",)
        ),
        HistorySource(
            "quiz_attempt",
            QuizAttempt,
            lambda r, n: f"Attempt {r.number} at {n.of(*related_row(r, 'quiz'))}",
            names=("quiz",),
        ),
        HistorySource(
            "certificate", Certificate, lambda r, n: f"Certificate {r.number}", link=lambda r: _certificate_link(r.id)
        ),
        HistorySource("supervisor_profile", SupervisorProfile, lambda r, n: "Supervisor profile"),
        HistorySource("verifier_profile", VerifierProfile, lambda r, n: f"Verifier organisation {r.organisation_name}"),
        HistorySource("api_token", ApiToken, lambda r, n: f"API token “{r.name}”"),
        RecordSource(
            "attestation",
            Attestation,
            at="signed_at",
            actor="supervisor",
            action="Signed",
            joins=("supervisor", "batch"),
            describe=lambda a: (
                f"Supervisor's attestation for the review batch sent {day(a.batch.submitted_at)}, "
                f"signed as {a.signed_name}" + (f" ({a.credentials})" if a.credentials else "")
            ),
        ),
        RecordSource(
            "ethics",
            EthicsAttestation,
            at="signed_at",
            actor="user",
            action="Signed",
            joins=("user", "programme"),
            describe=lambda e: f"Agreement to the {e.programme.abbreviation} code of ethics, signed as {e.signed_name}",
        ),
        RecordSource(
            "grant",
            QuizAttemptGrant,
            at="granted_at",
            actor="granted_by",
            action="Granted",
            joins=("granted_by", "quiz"),
            describe=lambda g: f"An extra attempt at {g.quiz.title}",
            reason=lambda g: g.reason,
        ),
        RecordSource(
            "name_change",
            NameChange,
            at="changed_at",
            actor="user",
            action="Corrected",
            joins=("user",),
            describe=lambda c: f"Their name, from {c.old_name or NOT_SET} to {c.new_name}",
            reason=lambda c: (
                f"Asked the programme team to reissue {', '.join(c.reissue_asked_for)}" if c.reissue_asked_for else ""
            ),
        ),
        RecordSource(
            "credential",
            CertificateCredential,
            at="signed_at",
            actor=None,
            action="Signed",
            joins=("certificate",),
            describe=lambda c: f"The signed credential inside certificate {c.certificate.number}",
            link=lambda c: _certificate_link(c.certificate_id),
        ),
    )
}


def _union(parts: list[tuple[str, Q]]) -> QuerySet:
    first, *rest = [SOURCES[key].rows(where) for key, where in parts]
    return first.union(*rest, all=True).order_by("-at", "src", "-row")


def trainee_trail(*, person: AbstractBaseUser) -> QuerySet:
    """Every change to a record about the person, newest first, as (src, row, at) rows to page through."""
    pk = person.pk
    return _union(
        [
            ("entry", Q(trainee_id=pk)),
            ("batch", Q(trainee_id=pk)),
            ("attestation", Q(batch__trainee_id=pk)),
            ("assignment", Q(trainee_id=pk)),
            ("enrolment", Q(user_id=pk)),
            ("quiz_attempt", Q(user_id=pk)),
            ("grant", Q(user_id=pk)),
            ("ethics", Q(user_id=pk)),
            ("name_change", Q(user_id=pk)),
            ("certificate", Q(holder_id=pk)),
            ("credential", Q(certificate__holder_id=pk)),
            ("supervisor_profile", Q(user_id=pk)),
            ("verifier_profile", Q(user_id=pk)),
            ("api_token", Q(user_id=pk)),
        ]
    )


def certificate_family(certificate: Certificate) -> list[int]:
    """The certificate's id with those of the certificate it replaces and the one that replaced it."""
    replaced_by = getattr(certificate, "replaced_by", None)
    return [pk for pk in (certificate.pk, certificate.replaces_id, replaced_by.pk if replaced_by else None) if pk]


def certificate_trail(*, certificate: Certificate) -> QuerySet:
    """The certificate's changes and credential signing, with those of its neighbours in a reissue or renewal."""
    family = certificate_family(certificate)
    return _union([("certificate", Q(id__in=family)), ("credential", Q(certificate_id__in=family))])


def trail_page(rows: QuerySet, number) -> TrailPage:
    """One page of a trail (PAGE_SIZE events, newest first), in a number of queries that doesn't grow with it."""
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    wanted = list(page.object_list)
    ids = defaultdict(list)
    for row in wanted:
        ids[row["src"]].append(row["row"])
    names = Names()
    makers = {}
    for key, pks in ids.items():
        found = SOURCES[key].load(pks, names)
        makers.update({(key, pk): maker for pk, maker in found.items()})
    names.load()
    roles = roles_of([actor for actor, _ in makers.values() if actor is not None])
    events = [makers[(row["src"], row["row"])][1](roles) for row in wanted if (row["src"], row["row"]) in makers]
    return TrailPage(page=page, events=events)
