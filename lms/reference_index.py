"""People's records stay out of Wagtail's reference index (which answers "where is this page or image used?").

Wagtail indexes every snippet's links on each save, by a task. For records people make by the thousand (entries,
batches, enrolments, certificates) that is a task per save for an index nobody reads: editors ask where a page, an
image or a programme is used, never which practice entries point at a user. Models set
`wagtail_reference_index_ignore = True`, and a migration in their app forgets what the index already holds of them.
"""

from django.db import migrations, models


def forget_reference_index_of(app_label: str, *model_names: str) -> migrations.RunPython:
    """A migration operation deleting the reference index's rows made from, or pointing at, these models."""

    def forget(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        reference_index = apps.get_model("wagtailcore", "ReferenceIndex")
        types = content_type.objects.filter(app_label=app_label, model__in=[name.lower() for name in model_names])
        reference_index.objects.filter(models.Q(content_type__in=types) | models.Q(to_content_type__in=types)).delete()

    return migrations.RunPython(forget, migrations.RunPython.noop)
