"""The audit trail: who changed what, when and why, per trainee and per certificate, for programme admins."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Chronological audit trails read from django-simple-history, for programme admins."""

    name = "audit"
