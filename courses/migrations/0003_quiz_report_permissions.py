"""Let programme admins read quiz attempts (reports) and grant extra attempts."""

from django.db import migrations

from lms.permissions import grant_to_group, revoke_from_group

GRANTS = [
    ("courses", "quizattempt", ["view"]),
    ("courses", "quizattemptgrant", ["add", "view"]),
]


def grant(apps, schema_editor):
    grant_to_group(apps, "Programme admin", GRANTS)


def revoke(apps, schema_editor):
    revoke_from_group(apps, "Programme admin", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("content", "0004_programme_admin_snippet_permissions"), ("courses", "0002_quizzes")]

    operations = [migrations.RunPython(grant, revoke)]
