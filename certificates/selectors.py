"""Reads for certificate pages: each active programme's progress on the dashboard, and one holder's certificate."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from certificates.codes import format_code, normalise_code
from certificates.eligibility import (
    Eligibility,
    Renewal,
    Requirement,
    figure_text,
    programme_eligibility,
    renewal_progress,
)
from certificates.models import (
    Certificate,
    CertificateFile,
    EthicsAttestation,
    Programme,
)
from lms.roles import PROGRAMME_ADMIN, has_role

HOURS_KEYS = ("practice", "supervision", "ratio", "renewal", "domain:", "activity:")
LINK_TEXT = {
    "course": "Go to the course",
    "quiz": "Go to the quiz",
    "ethics": "Go to the attestation",
}


@dataclass(frozen=True)
class ChecklistLine:
    """One requirement as the dashboard shows it: the figures for its progress bar and a link to the next step."""

    requirement: Requirement
    dom_id: str
    done: str
    total: str
    unit: str
    link_text: str

    @classmethod
    def of(cls, requirement: Requirement, *, dom_id: str) -> "ChecklistLine":
        """The line for a requirement, with figures and units that read well beside a progress bar."""
        key = requirement.key
        if key.startswith(HOURS_KEYS):
            unit = "hours"
        elif key.startswith("course:"):
            unit = "lessons and quizzes"
        elif key.startswith("quiz:"):
            unit = "quiz passed"
        elif key == "direct":
            unit = "percent direct service"
        else:
            unit = "attestation signed"
        kind = key.split(":", 1)[0]
        return cls(
            requirement=requirement,
            dom_id=dom_id,
            done=figure_text(requirement.reached) if key != "direct" else f"{requirement.reached:.0f}",
            total=figure_text(requirement.needed),
            unit=unit,
            link_text=LINK_TEXT.get(kind, "Go to your practice log"),
        )


@dataclass
class ProgrammeProgress:
    """Where the user stands in one active programme: the checklist, or their current certificate and its renewal."""

    programme: Programme
    eligibility: Eligibility | None = None
    certificate: Certificate | None = None
    renewal: Renewal | None = None
    ethics_signed_at: datetime | None = None
    checklist: list[ChecklistLine] = field(default_factory=list)
    renewal_line: ChecklistLine | None = None

    @property
    def percent(self) -> int:
        """The share of requirements met, 0–100, for the overall progress bar."""
        if not self.eligibility or not self.eligibility.requirements:
            return 0
        return self.eligibility.done * 100 // len(self.eligibility.requirements)

    @property
    def files(self) -> dict[str, CertificateFile]:
        """The certificate's stored PDFs by paper size ('a4', 'letter')."""
        if self.certificate is None:
            return {}
        return {stored.paper: stored for stored in self.certificate.files.all()}

    @property
    def ethics_signed(self) -> bool:
        """Whether the user has signed this programme's code of ethics."""
        return self.ethics_signed_at is not None


def dashboard_programmes(*, user, on: date, request=None, record=None) -> list[ProgrammeProgress]:
    """Each active programme with the user's checklist (until a certificate is issued) or certificate and renewal.

    The query count depends on the programmes' set-up (courses, quizzes, skills checks) and on whether the user
    holds a certificate (one query more, with its files), never on how many entries, attestations or certificates
    there are. What each programme asks for comes from its outline, kept with the page tree; the user's lessons and
    quizzes from their CourseRecord, when given.
    """
    current_certificates = Certificate.objects.filter(holder=user, replaced_by__isnull=True)
    programmes = list(
        Programme.objects.filter(is_active=True)
        .select_related("ethics_code_page")
        .annotate(
            ethics_signed_at=EthicsAttestation.objects.filter(user=user, programme=OuterRef("pk")).values("signed_at")[
                :1
            ],
            holds_certificate=Exists(current_certificates.filter(programme=OuterRef("pk"))),
        )
    )
    if not programmes:
        return []
    signed = {programme.pk: programme.ethics_signed_at for programme in programmes}
    current = {}
    held = [programme for programme in programmes if programme.holds_certificate]
    if held:  # read only for those who hold one
        certificates = current_certificates.filter(programme__in=held).prefetch_related(
            Prefetch("files", queryset=CertificateFile.objects.order_by("paper"))
        )
        for certificate in certificates:
            current.setdefault(certificate.programme_id, certificate)
    result = []
    for programme in programmes:
        progress = ProgrammeProgress(programme=programme, ethics_signed_at=signed.get(programme.pk))
        certificate = current.get(programme.pk)
        if certificate is None:
            progress.eligibility = programme_eligibility(
                user=user,
                programme=programme,
                on=on,
                ethics_signed_at=progress.ethics_signed_at,
                request=request,
                record=record,
            )
            progress.checklist = [
                ChecklistLine.of(requirement, dom_id=f"requirement-{programme.pk}-{number}")
                for number, requirement in enumerate(progress.eligibility.requirements, start=1)
            ]
        else:
            certificate.programme = programme
            certificate.holder = user
            progress.certificate = certificate
            if certificate.state == Certificate.State.VALID and programme.renewal_ce_hours:
                progress.renewal = renewal_progress(certificate=certificate, on=on)
                progress.renewal_line = ChecklistLine.of(progress.renewal.hours, dom_id=f"renewal-{programme.pk}")
        result.append(progress)
    return result


def certificate_for_viewer(*, user, pk: int) -> Certificate | None:
    """The certificate with this id if the user holds it or is a programme admin (None otherwise)."""
    certificates = Certificate.objects.select_related("programme", "replaced_by", "replaces").prefetch_related(
        Prefetch("files", queryset=CertificateFile.objects.order_by("paper"))
    )
    if not has_role(user, PROGRAMME_ADMIN):
        certificates = certificates.filter(holder=user)
    return certificates.filter(pk=pk).first()


def certificate_file_for_viewer(*, user, pk: int, paper: str) -> tuple[Certificate | None, CertificateFile | None]:
    """The certificate (if the user holds it or is a programme admin) and its stored PDF on that paper, if any."""
    certificates = Certificate.objects.all()
    if not has_role(user, PROGRAMME_ADMIN):
        certificates = certificates.filter(holder=user)
    certificate = certificates.filter(pk=pk).first()
    if certificate is None:
        return None, None
    return certificate, CertificateFile.objects.filter(certificate=certificate, paper=paper).first()


def held_certificate(*, user, pk: int) -> Certificate | None:
    """The certificate with this id if the user holds it (None otherwise, programme admins too)."""
    return Certificate.objects.select_related("programme").filter(holder=user, pk=pk).first()


def programme_for_badge(abbreviation: str) -> "PublicProgramme | None":
    """The public facts of the programme with these letters, which its badge shows (None if there is none).

    Only a live programme or one that has issued certificates has a badge: a programme still being drafted (or
    switched off before it issued any) stays private; credentials already issued keep their image.
    """
    issued = Certificate.objects.filter(programme=OuterRef("pk"))
    found = (
        Programme.objects.filter(abbreviation=abbreviation)
        .filter(Q(is_active=True) | Q(Exists(issued)))
        .values_list("name", "abbreviation", "issuing_body")
    )
    row = next(iter(found.order_by()[:1]), None)
    return PublicProgramme(*row) if row else None


def ethics_signed_on(*, user, programme: Programme):
    """When the user signed the programme's code of ethics (None if not yet)."""
    return EthicsAttestation.objects.filter(user=user, programme=programme).values_list("signed_at", flat=True).first()


def live_certificates(*, holder, on: date | None = None) -> list[Certificate]:
    """The holder's certificates that still stand on the day (valid and unexpired, or suspended), oldest first."""
    on = on or timezone.localdate()
    live = Q(state=Certificate.State.VALID, expires_on__gte=on) | Q(state=Certificate.State.SUSPENDED)
    return list(Certificate.objects.filter(live, holder=holder).select_related("programme").order_by("issued_at", "pk"))


def certificate_by_code(typed: str) -> Certificate | None:
    """The certificate a typed verification code names (any case, with or without separators), else None."""
    code = normalise_code(typed)
    if code is None:
        return None
    # Codes are unique: no ORDER BY (compiling the model's default ordering costs more than running the query).
    found = Certificate.objects.select_related("programme", "replaced_by").filter(code=code).order_by()[:1]
    return next(iter(found), None)


@dataclass(frozen=True)
class PublicProgramme:
    """The programme facts a public check shows."""

    name: str
    abbreviation: str
    issuing_body: str


@dataclass(frozen=True)
class PublicNewer:
    """The certificate that replaced a superseded one: its number and code."""

    number: str
    code: str

    @property
    def display_code(self) -> str:
        """The code in groups of four."""
        return format_code(self.code)


@dataclass(frozen=True)
class PublicCertificate:
    """What public verification may show about a certificate (docs/privacy.md), and its id for the lookup log."""

    pk: int
    code: str
    number: str
    holder_name: str
    issued_on: date
    expires_on: date
    state: str
    state_reason: str
    programme: PublicProgramme
    replaced_by: PublicNewer | None

    status_on = Certificate.status_on
    status = Certificate.status
    status_label = Certificate.status_label
    display_code = Certificate.display_code
    State = Certificate.State
    EXPIRED = Certificate.EXPIRED


def _public_certificate_sql() -> str:
    certificate, programme = Certificate._meta, Programme._meta

    quote = connection.ops.quote_name

    def column(meta, name):
        return quote(meta.get_field(name).column)

    wanted = ("id", "code", "number", "holder_name", "issued_on", "expires_on", "state", "state_reason")
    # Only table and column names from the models go into the text; the code is always a bound parameter.
    return (
        "SELECT "  # noqa: S608
        + ", ".join(f"c.{column(certificate, name)}" for name in wanted)
        + f", p.{column(programme, 'name')}, p.{column(programme, 'abbreviation')}"
        + f", p.{column(programme, 'issuing_body')}, n.{column(certificate, 'number')}, n.{column(certificate, 'code')}"
        + f" FROM {quote(certificate.db_table)} c"
        + f" JOIN {quote(programme.db_table)} p ON p.{column(programme, 'id')} = c.{column(certificate, 'programme')}"
        + f" LEFT JOIN {quote(certificate.db_table)} n"
        + f" ON n.{column(certificate, 'replaces')} = c.{column(certificate, 'id')}"
        + f" WHERE c.{column(certificate, 'code')} = %s"
    )


def public_certificate_by_code(code: str) -> PublicCertificate | None:
    """The public facts of the certificate with this normalised code, or None: one query, written by hand.

    This is the hot path of every page, API and bulk check. The ORM spends twenty times longer compiling
    the equivalent query than the database spends answering it, so the SQL is built once from the models'
    own table and column names and only executed per lookup.
    """
    with connection.cursor() as cursor:
        cursor.execute(PUBLIC_CERTIFICATE_SQL(), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, code, number, holder_name, issued_on, expires_on, state, reason, name, abbreviation, body, newer, newer_code = (
        row
    )
    return PublicCertificate(
        pk=pk,
        code=code,
        number=number,
        holder_name=holder_name,
        issued_on=_as_date(issued_on),
        expires_on=_as_date(expires_on),
        state=state,
        state_reason=reason,
        programme=PublicProgramme(name=name, abbreviation=abbreviation, issuing_body=body),
        replaced_by=PublicNewer(number=newer, code=newer_code) if newer else None,
    )


def _as_date(value) -> date:
    """A date column's value as a date (backends that return text get it parsed)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


PUBLIC_CERTIFICATE_SQL = lru_cache(maxsize=1)(_public_certificate_sql)
