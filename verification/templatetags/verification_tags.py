"""Template tags for other apps' pages: how often a certificate has been checked."""

from django import template

from verification.selectors import certificate_checks

register = template.Library()


@register.simple_tag
def certificate_check_count(certificate) -> int:
    """How many times organisations have checked the certificate (one COUNT query)."""
    return certificate_checks(certificate=certificate).count()
