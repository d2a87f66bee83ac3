"""Load the Claude Opus 4 model profile, built from its system card and the ASL-3 activation post."""

from django.db import migrations

from riskapp.catalog.services import DATA_DIR, load_model_profile_file


def load_profile(apps, schema_editor):
    load_model_profile_file(DATA_DIR / "model-profiles" / "claude-opus-4.yaml", apps=apps)


def unload_profile(apps, schema_editor):
    apps.get_model("catalog", "ModelProfile").objects.filter(slug="claude-opus-4").delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_profile_sources")]

    operations = [migrations.RunPython(load_profile, unload_profile)]
