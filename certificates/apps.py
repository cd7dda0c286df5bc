"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"
