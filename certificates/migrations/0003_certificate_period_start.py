"""Each certificate records the first day of its validity period (continuing education counts from it)."""

from django.db import migrations, models
from django.db.models import F


def from_issue_date(apps, schema_editor):
    for model in ("Certificate", "HistoricalCertificate"):
        apps.get_model("certificates", model).objects.update(period_starts_on=F("issued_on"))


class Migration(migrations.Migration):
    dependencies = [("certificates", "0002_programme_admin_permissions")]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="period_starts_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="historicalcertificate",
            name="period_starts_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(from_issue_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificate",
            name="period_starts_on",
            field=models.DateField(
                help_text="The first day of the validity period (kept by a reissue); continuing education counts from here."
            ),
        ),
        migrations.AlterField(
            model_name="historicalcertificate",
            name="period_starts_on",
            field=models.DateField(
                help_text="The first day of the validity period (kept by a reissue); continuing education counts from here."
            ),
        ),
    ]
