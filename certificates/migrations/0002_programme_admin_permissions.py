"""Let programme admins define programmes and read certificates and ethics attestations in the admin."""

from django.db import migrations

from lms.permissions import grant_to_group, revoke_from_group

GRANTS = [
    ("certificates", "programme", ["add", "change", "view"]),
    ("certificates", "certificate", ["view"]),
    ("certificates", "ethicsattestation", ["view"]),
]


def grant(apps, schema_editor):
    grant_to_group(apps, "Programme admin", GRANTS)


def revoke(apps, schema_editor):
    revoke_from_group(apps, "Programme admin", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("content", "0004_programme_admin_snippet_permissions"), ("certificates", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
