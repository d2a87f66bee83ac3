"""Load the bundled framework data files: Anthropic's RSP 1.0 and RAND's weight-security levels."""

from django.db import migrations

from riskapp.catalog.services import BUNDLED_FILES, DATA_DIR, load_framework_file

BUNDLED_VERSION_SLUGS = ("anthropic-rsp-1.0", "rand-securing-model-weights-2024")
BUNDLED_FRAMEWORK_SLUGS = ("anthropic-rsp", "rand-securing-model-weights")


def load_bundled(apps, schema_editor):
    for name in BUNDLED_FILES:
        load_framework_file(DATA_DIR / name, apps=apps)


def unload_bundled(apps, schema_editor):
    FrameworkVersion = apps.get_model("catalog", "FrameworkVersion")
    Framework = apps.get_model("catalog", "Framework")
    FrameworkVersion.objects.filter(slug__in=BUNDLED_VERSION_SLUGS).delete()
    # A bundled framework stays if staff have added another version of it since.
    Framework.objects.filter(slug__in=BUNDLED_FRAMEWORK_SLUGS, versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load_bundled, unload_bundled)]
