import django.db.models.deletion
from django.db import migrations, models

import riskapp.accounts.models


def assign_demo_organisation(apps, schema_editor):
    """Give every existing model profile to the demo organisation, which every signed-in user can view."""
    Organisation = apps.get_model("accounts", "Organisation")
    ModelProfile = apps.get_model("catalog", "ModelProfile")
    demo, _created = Organisation.objects.get_or_create(slug="demo", defaults={"name": "Demo", "is_demo": True})
    ModelProfile.objects.filter(organisation__isnull=True).update(organisation=demo)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0008_load_claude_opus_4_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="modelprofile",
            name="organisation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="model_profiles", to="accounts.organisation",
                                    verbose_name="organisation"),
        ),
        migrations.RunPython(assign_demo_organisation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="modelprofile",
            name="organisation",
            field=models.ForeignKey(default=riskapp.accounts.models.demo_organisation_id,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="model_profiles",
                                    to="accounts.organisation", verbose_name="organisation"),
        ),
    ]
