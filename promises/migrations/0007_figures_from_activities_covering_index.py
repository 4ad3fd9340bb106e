# The follow-up reads the activities themselves behind a covering index; the summary table
# that was kept beside them (and could drift from them) goes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0006_published_tertial"),
    ]

    operations = [
        migrations.DeleteModel(name="ActivitySummary"),
        migrations.RemoveIndex(model_name="activity", name="activity_followup_idx"),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                fields=["promise", "activity_type", "area", "date", "quantity", "first_time_user"],
                name="activity_figures_idx",
            ),
        ),
    ]
