"""The public certification pages: the live programmes, and what one of them asks for."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from certificates.public_programmes import live_programmes, programme_overview
from lms.access import public


@public
@require_safe
def certification(request):
    """Every live programme, with a link to what each asks for."""
    return render(request, "certificates/certification.html", {"programmes": live_programmes()})


@public
@require_safe
def certification_programme(request, abbreviation: str):
    """One live programme: its requirements, who may apply, supervision and placements, and whom to ask."""
    overview = programme_overview(abbreviation=abbreviation)
    if overview is None:
        raise Http404
    return render(request, "certificates/certification_programme.html", {"overview": overview})
