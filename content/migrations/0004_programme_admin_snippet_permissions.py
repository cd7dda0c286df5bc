"""Let programme admins manage competency domains and read enrolments in the Wagtail admin."""

from django.db import migrations

from lms.permissions import grant_to_group, revoke_from_group

GRANTS = [
    ("content", "competencydomain", ["add", "change", "delete", "view"]),
    ("courses", "enrolment", ["view"]),
]


def grant(apps, schema_editor):
    grant_to_group(apps, "Programme admin", GRANTS)


def revoke(apps, schema_editor):
    revoke_from_group(apps, "Programme admin", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("content", "0003_competency_domains"), ("courses", "0001_initial")]

    operations = [migrations.RunPython(grant, revoke)]
