"""Add the four IC&RC peer recovery competency domains."""

from django.db import migrations

DOMAINS = [
    ("Advocacy", "advocacy", "Speaking up with and for peers, and helping them speak up for themselves."),
    ("Mentoring and education", "mentoring-education", "Sharing knowledge and skills, and modelling recovery."),
    ("Recovery and wellness support", "recovery-wellness", "Supporting a peer's own recovery and wellness plans."),
    ("Ethical responsibility", "ethical-responsibility", "Acting within the code of ethics, the role and the law."),
]


def add_domains(apps, schema_editor):
    CompetencyDomain = apps.get_model("content.CompetencyDomain")
    for order, (name, slug, description) in enumerate(DOMAINS):
        CompetencyDomain.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "framework": "IC&RC", "sort_order": order}
        )


def remove_domains(apps, schema_editor):
    apps.get_model("content.CompetencyDomain").objects.filter(slug__in=[d[1] for d in DOMAINS]).delete()


class Migration(migrations.Migration):
    dependencies = [("content", "0002_roles")]

    operations = [migrations.RunPython(add_domains, remove_domains)]
