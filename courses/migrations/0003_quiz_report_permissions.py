"""Let programme admins read quiz attempts (reports) and grant extra attempts."""

from django.db import migrations

GRANTS = [
    ("courses", "quizattempt", ["view"]),
    ("courses", "quizattemptgrant", ["add", "view"]),
]


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    admins = Group.objects.get(name="Programme admin")
    for app_label, model, actions in GRANTS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            admins.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    admins = Group.objects.filter(name="Programme admin").first()
    if admins:
        codenames = [f"{action}_{model}" for _, model, actions in GRANTS for action in actions]
        admins.permissions.remove(*Permission.objects.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("content", "0004_programme_admin_snippet_permissions"), ("courses", "0002_quizzes")]

    operations = [migrations.RunPython(grant, revoke)]
