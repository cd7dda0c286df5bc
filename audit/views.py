"""The audit trails and their search page, for programme admins."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from audit import finding, trails
from audit.names import roles_of
from certificates.models import Certificate
from lms.access import role_required
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN


@role_required(PROGRAMME_ADMIN)
@require_GET
def search(request):
    """Find a trainee by name, username or email, or a certificate by number or code."""
    query = request.GET.get("q", "").strip()
    people = certificates = None
    if query:
        page = Paginator(finding.find_people(query), finding.SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        people = {"page": page, "rows": finding.people_with_roles(list(page.object_list))}
        certificates = finding.find_certificates(query)
    return render(
        request,
        "audit/search.html",
        {
            "q": query,
            "query": urlencode({"q": query}),
            "people": people,
            "certificates": certificates,
            "certificates_capped": certificates is not None and len(certificates) == finding.CERTIFICATES_FOUND,
        },
    )


@role_required(PROGRAMME_ADMIN)
@require_GET
def trainee_trail(request, user_id: int):
    """Every recorded change to a trainee's records, newest first."""
    person = get_object_or_404(get_user_model(), pk=user_id)
    trail = trails.trail_page(trails.trainee_trail(person=person), request.GET.get("page"))
    return render(
        request,
        "audit/trainee_trail.html",
        {
            "person": person,
            "name": display_name(person),
            "roles": roles_of([person])[person.pk],
            "certificates": finding.person_certificates(person=person),
            "trail": trail,
        },
    )


@role_required(PROGRAMME_ADMIN)
@require_GET
def certificate_trail(request, pk: int):
    """A certificate's recorded changes and signing, with its neighbours in a reissue or renewal, newest first."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("programme", "holder", "replaces", "replaced_by"), pk=pk
    )
    trail = trails.trail_page(trails.certificate_trail(certificate=certificate), request.GET.get("page"))
    return render(
        request,
        "audit/certificate_trail.html",
        {"certificate": certificate, "replaced_by": getattr(certificate, "replaced_by", None), "trail": trail},
    )
