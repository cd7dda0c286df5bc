"""Forget what Wagtail's reference index holds of people's records, which it no longer indexes (lms/reference_index.py)."""

from django.db import migrations

from lms.reference_index import forget_reference_index_of


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_module_objective_lesson"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
    ]

    operations = [forget_reference_index_of("courses", "Enrolment")]
