"""Wagtail admin: a programme's stored certificate PDFs, of one paper size, as one ZIP."""

import shutil
import tempfile
import zipfile

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from certificates.admin_views import ACCESS_RULE, CERTIFICATES_LIST, PROGRAMMES_LIST, is_programme_admin
from certificates.models import Certificate, CertificateFile, Programme


class PaperForm(forms.Form):
    """Which paper size to download."""

    paper = forms.ChoiceField(
        choices=CertificateFile.Paper.choices, initial=CertificateFile.Paper.A4, widget=forms.RadioSelect
    )


def write_certificates_zip(target, certificates: list[Certificate], paper: str, programme: Programme) -> None:
    """Write each certificate's stored PDF for the paper as <number>.pdf, and a README listing those left out."""
    label = CertificateFile.Paper(paper).label
    left_out = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            stored = next((file for file in certificate.files.all() if file.paper == paper), None)
            if stored is None:
                left_out.append(f"{certificate.number}  {certificate.holder_name}: not rendered yet")
                continue
            try:
                with stored.file.open("rb") as source, archive.open(f"{certificate.number}.pdf", "w") as pdf:
                    shutil.copyfileobj(source, pdf)
            except OSError:
                left_out.append(f"{certificate.number}  {certificate.holder_name}: the stored file is missing")
        included = len(certificates) - len(left_out)
        lines = [
            f"{programme.name} ({programme.abbreviation}): certificates on {label} paper",
            f"Made {timezone.localtime():%-d %B %Y, %H:%M}. {included} of {len(certificates)} certificates included.",
            "Every certificate of the programme is here whatever its status; check the status at /verify/.",
            "",
        ]
        if left_out:
            lines += ["Not included (render them from the certificate's page in the admin, then download again):"]
            lines += [f"- {line}" for line in left_out]
        else:
            lines += ["Every certificate is included."]
        archive.writestr("README.txt", "\n".join(lines) + "\n")


class ProgrammeCertificatesZipView(WagtailAdminTemplateMixin, FormView):
    """Confirm a paper size, then download every stored PDF of a programme's certificates as one ZIP."""

    access_rule = ACCESS_RULE
    page_title = "Download certificates"
    header_icon = "download"
    template_name = "certificates/admin/programme_zip.html"
    form_class = PaperForm

    def dispatch(self, request, *args, **kwargs):
        """Refuse anyone but programme admins; find the programme."""
        if not is_programme_admin(request.user):
            raise PermissionDenied
        self.programme = get_object_or_404(Programme, pk=kwargs["programme_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        """The programme."""
        return str(self.programme)

    def get_breadcrumbs_items(self):
        """Home › Programmes › this download."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse(PROGRAMMES_LIST), "label": "Programmes"},
            {"url": "", "label": f"{self.page_title}: {self.programme.abbreviation}"},
        ]

    @cached_property
    def certificates(self) -> list[Certificate]:
        """The programme's certificates, oldest first, with their stored files."""
        return list(
            Certificate.objects.filter(programme=self.programme).prefetch_related("files").order_by("issued_at", "pk")
        )

    def get_context_data(self, **kwargs):
        """Count the certificates, and those with each paper stored."""
        stored = {
            paper: sum(1 for c in self.certificates if any(f.paper == paper for f in c.files.all()))
            for paper in CertificateFile.Paper.values
        }
        count = len(self.certificates)
        papers = [(label, stored[value], count - stored[value]) for value, label in CertificateFile.Paper.choices]
        return super().get_context_data(
            programme=self.programme,
            count=count,
            papers=papers,
            example_number=self.certificates[0].number if self.certificates else "",
            list_url=f"{reverse(CERTIFICATES_LIST)}?programme={self.programme.pk}",
            **kwargs,
        )

    def form_valid(self, form):
        """Stream the ZIP from a temporary file; nothing is rendered here."""
        if not self.certificates:
            return self.form_invalid(form)
        paper = form.cleaned_data["paper"]
        archive = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
        write_certificates_zip(archive, self.certificates, paper, self.programme)
        archive.seek(0)
        filename = f"{self.programme.abbreviation}-certificates-{paper}-{timezone.localdate():%Y-%m-%d}.zip"
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
