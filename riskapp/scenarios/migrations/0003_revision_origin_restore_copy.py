from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scenarios", "0002_scenario_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scenariorevision",
            name="origin",
            field=models.CharField(
                choices=[("import", "imported file"), ("demo", "demo scenario"), ("editor", "editor"),
                         ("workshop", "workshop"), ("restore", "restored revision"),
                         ("copy", "copy of another scenario")],
                max_length=20, verbose_name="origin"),
        ),
    ]
