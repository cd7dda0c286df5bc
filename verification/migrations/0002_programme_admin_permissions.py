"""Let programme admins set which organisation each verifier account belongs to."""

from django.db import migrations

from lms.permissions import grant_to_group, revoke_from_group

GRANTS = [("verification", "verifierprofile", ["add", "change", "delete", "view"])]


def grant(apps, schema_editor):
    grant_to_group(apps, "Programme admin", GRANTS)


def revoke(apps, schema_editor):
    revoke_from_group(apps, "Programme admin", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("content", "0004_programme_admin_snippet_permissions"), ("verification", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
