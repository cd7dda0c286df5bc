"""Let programme admins manage placements, supervisor profiles and assignments, and read and reopen entries."""

from django.db import migrations

from lms.permissions import grant_to_group, revoke_from_group

GRANTS = [
    ("practice", "organisation", ["add", "change", "view"]),
    ("practice", "supervisorprofile", ["add", "change", "view"]),
    ("practice", "supervisorassignment", ["add", "change", "view"]),
    ("practice", "practiceentry", ["view", "reopen"]),
    ("practice", "supervisionsession", ["view"]),
    ("practice", "batch", ["view"]),
]


def grant(apps, schema_editor):
    grant_to_group(apps, "Programme admin", GRANTS)


def revoke(apps, schema_editor):
    revoke_from_group(apps, "Programme admin", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("content", "0004_programme_admin_snippet_permissions"), ("practice", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
